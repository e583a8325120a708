/**
 * SQIRL, shallow Q-iteration via reinforcement learning (Laidlaw, Zhu, Russell & Dragan, ICLR 2024,
 * arXiv:2312.08369, §3, Algorithm 1), tabular, and finite-horizon ε-greedy Q-learning as the
 * random-exploration deep-RL stand-in (DQN's update without the network), on `env/finite-horizon.ts` MDPs.
 *
 * SQIRL(k, m): for each timestep i = 1 … T in turn, collect m episodes that follow the already learned
 * π_1 … π_{i−1} up to step i and act uniformly at random from step i on; regress Q̂^1_j (j = i … i+k−1) on
 * the observed returns-to-go (tabular regression = the mean over visits of (j, s, a)); then k−1 steps of
 * fitted-Q iteration on the same rollouts, Q̂^{l+1}_j(s, a) ← mean of R_j + max_{a'} Q̂^l_{j+1}(s_{j+1}, a'),
 * down to Q̂^k_i; set π_i(s) = argmax_a Q̂^k_i(s, a). Pairs never visited are not selectable (a state never
 * visited keeps action 0). Every episode is played to the end, so SQIRL uses m·T² environment steps.
 */
import type { Rng } from '../../../core/rng';
import { sampleInitialState, sampleNextState, type FiniteHorizonMdp } from '../env/finite-horizon';

export interface SqirlOptions {
  /** Value-iteration depth k ≥ 1 (k = 1: greedy on the regressed Q^rand). */
  k: number;
  /** Rollouts per timestep. */
  m: number;
}

/** Run SQIRL; returns the time-indexed deterministic policy pi[t·nS + s] and the steps used. */
export function sqirl(mdp: FiniteHorizonMdp, rng: Rng, o: SqirlOptions): { policy: Int32Array; steps: number } {
  const { nS, nA, T, r } = mdp;
  const SA = nS * nA;
  const pi = new Int32Array(T * nS);
  const states = new Int32Array(o.m * (T + 1));
  const actions = new Int32Array(o.m * T);
  let steps = 0;
  for (let i = 0; i < T; i++) {
    // Rollouts: π_1..π_{i−1}, then uniformly random actions.
    for (let e = 0; e < o.m; e++) {
      let s = sampleInitialState(mdp, rng);
      for (let t = 0; t < T; t++) {
        const a = t < i ? pi[t * nS + s] : rng.int(nA);
        states[e * (T + 1) + t] = s;
        actions[e * T + t] = a;
        s = sampleNextState(mdp, rng, s, a);
        steps++;
      }
      states[e * (T + 1) + T] = s;
    }
    const depth = Math.min(o.k, T - i);
    // Q̂^1_j for j = i … i+depth−1: mean return-to-go over visits.
    let Qhat: Float64Array[] = [];
    for (let d = 0; d < depth; d++) {
      const j = i + d;
      const sum = new Float64Array(SA);
      const cnt = new Float64Array(SA);
      for (let e = 0; e < o.m; e++) {
        let g = 0;
        for (let t = T - 1; t >= j; t--) g += r[states[e * (T + 1) + t] * nA + actions[e * T + t]];
        const sa = states[e * (T + 1) + j] * nA + actions[e * T + j];
        sum[sa] += g;
        cnt[sa] += 1;
      }
      Qhat.push(meanOrNaN(sum, cnt));
    }
    // Fitted-Q iteration: Q̂^{l+1}_j from Q̂^l_{j+1}, l = 1 … depth−1.
    for (let l = 1; l < depth; l++) {
      const next: Float64Array[] = [];
      for (let d = 0; d < depth - l; d++) {
        const j = i + d;
        const sum = new Float64Array(SA);
        const cnt = new Float64Array(SA);
        for (let e = 0; e < o.m; e++) {
          const s = states[e * (T + 1) + j];
          const sa = s * nA + actions[e * T + j];
          let target = r[sa];
          if (j + 1 < T) target += maxOver(Qhat[d + 1], states[e * (T + 1) + j + 1], nA);
          sum[sa] += target;
          cnt[sa] += 1;
        }
        next.push(meanOrNaN(sum, cnt));
      }
      Qhat = next;
    }
    const Q = Qhat[0];
    for (let s = 0; s < nS; s++) {
      let best = -1;
      for (let a = 0; a < nA; a++)
        if (!Number.isNaN(Q[s * nA + a]) && (best < 0 || Q[s * nA + a] > Q[s * nA + best])) best = a;
      pi[i * nS + s] = best < 0 ? 0 : best;
    }
  }
  return { policy: pi, steps };
}

function meanOrNaN(sum: Float64Array, cnt: Float64Array): Float64Array {
  const out = new Float64Array(sum.length);
  for (let i = 0; i < sum.length; i++) out[i] = cnt[i] > 0 ? sum[i] / cnt[i] : NaN;
  return out;
}

/** max_a Q(s, a) over the visited actions (0 when none was visited). */
function maxOver(Q: Float64Array, s: number, nA: number): number {
  let m = -Infinity;
  for (let a = 0; a < nA; a++) if (!Number.isNaN(Q[s * nA + a])) m = Math.max(m, Q[s * nA + a]);
  return m === -Infinity ? 0 : m;
}

export interface FiniteHorizonQLearningOptions {
  /** Exploration rate of the ε-greedy behaviour. */
  epsilon: number;
  /** Environment-step budget. */
  budget: number;
  /** Evaluate the greedy policy every `evalEvery` steps (rounded to whole episodes). */
  evalEvery: number;
}

/**
 * Finite-horizon tabular Q-learning with time-indexed Q_t(s, a) (initialised at 0), ε-greedy behaviour on
 * Q_t (ties broken uniformly at random) and step size 1/n_t(s, a) (visit count):
 * Q_t(s, a) ← Q_t(s, a) + (R(s, a) + max_{a'} Q_{t+1}(s', a') − Q_t(s, a)) / n_t(s, a).
 * `onEval(steps, greedyPolicy)` is called every `evalEvery` steps; returning true stops the run.
 */
export function finiteHorizonQLearning(
  mdp: FiniteHorizonMdp,
  rng: Rng,
  o: FiniteHorizonQLearningOptions,
  onEval: (steps: number, policy: Int32Array) => boolean,
): number {
  const { nS, nA, T, r } = mdp;
  const Q = new Float64Array(T * nS * nA);
  const N = new Float64Array(T * nS * nA);
  let steps = 0;
  let nextEval = o.evalEvery;
  const greedyAction = (off: number): number => {
    let best = 0;
    let ties = 1;
    for (let a = 1; a < nA; a++) {
      const q = Q[off + a];
      if (q > Q[off + best]) {
        best = a;
        ties = 1;
      } else if (q === Q[off + best] && rng.uniform() * ++ties < 1) best = a;
    }
    return best;
  };
  const greedyPolicy = (): Int32Array => {
    const pi = new Int32Array(T * nS);
    for (let t = 0; t < T; t++)
      for (let s = 0; s < nS; s++) {
        const off = (t * nS + s) * nA;
        let best = 0;
        for (let a = 1; a < nA; a++) if (Q[off + a] > Q[off + best]) best = a;
        pi[t * nS + s] = best;
      }
    return pi;
  };
  while (steps < o.budget) {
    let s = sampleInitialState(mdp, rng);
    for (let t = 0; t < T; t++) {
      const off = (t * nS + s) * nA;
      const a = rng.uniform() < o.epsilon ? rng.int(nA) : greedyAction(off);
      const sp = sampleNextState(mdp, rng, s, a);
      let target = r[s * nA + a];
      if (t + 1 < T) {
        const o2 = ((t + 1) * nS + sp) * nA;
        let mx = Q[o2];
        for (let b = 1; b < nA; b++) mx = Math.max(mx, Q[o2 + b]);
        target += mx;
      }
      N[off + a] += 1;
      Q[off + a] += (target - Q[off + a]) / N[off + a];
      s = sp;
      steps++;
    }
    if (steps >= nextEval) {
      nextEval += o.evalEvery;
      if (onEval(steps, greedyPolicy())) return steps;
    }
  }
  return steps;
}
