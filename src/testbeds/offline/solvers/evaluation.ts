/**
 * Exact ground truth for offline RL on finite MDPs: the value of any policy (a linear solve, no rollout noise), the
 * optimal value, BFS distances, the best data-supported policy, and a Monte Carlo estimate to cross-check them.
 *
 * Value of a policy: J(π) = Σ_s μ₀(s) V^π(s) with (I − γP_π)V^π = r_π (tabular/solvers/exact.ts policyEvaluation).
 * Normalised value (the D4RL normalised score, Fu et al. 2020, with the uniform policy as the "random" reference):
 *   norm(π) = (J(π) − J(uniform)) / (J(π*) − J(uniform)),  1 = optimal, 0 = uniformly random.
 *
 * Best data-supported policy (the batch-constrained optimum of Fujimoto, Meger & Precup, "Off-Policy Deep RL without
 * Exploration", ICML 2019, §4 tabular BCQL, on the true dynamics): the optimal policy of the MDP in which
 *   - at a state with data only its supported actions (n(s, a) > 0) may be taken,
 *   - a non-terminal state without data is worth V_out = min(0, min observed reward)/(1 − γ) (data/empirical.ts:
 *     leaving the data is scored pessimistically, as every learner here scores it),
 *   - terminal states are worth 0.
 * Its Q_D, V_D solve V_D(s) = max_{a: n(s,a)>0} r̄(s, a) + γ Σ_{s'} τ(s, a, s') V_D(s') (value iteration to 1e-12).
 * The reference policy is greedy on Q_D over supported actions (uniform at states without data, as every learner),
 * and its value is scored in the true MDP like any learner's. When the data covers every (s, a) of every
 * non-terminal state, it is the optimal policy (tested).
 */
import type { Rng } from '../../../core/rng';
import type { Policy, TabularEnv } from '../../tabular/env/mdp';
import { policyMatrix, policyReturn, valueIteration } from '../../tabular/solvers/exact';
import { greedyInSupport, type EmpiricalIndex } from '../data/empirical';
import { denseEntryReward, type OfflineMdp } from '../env/tasks';
import { returnsToGo, rollouts } from '../../tabular/loops/learners';

/** J(π) = μ₀·V^π, exact (linear solve). */
export function policyValue(mdp: OfflineMdp, policy: Policy): number {
  return policyReturn(mdp.env, mdp.reward, policy);
}

export interface ValueScale {
  /** J(π*) by value iteration (tol 1e-12). */
  optimal: number;
  /** J of the uniformly random policy. */
  uniform: number;
}

export function valueScale(mdp: OfflineMdp): ValueScale {
  const { nS, nA } = mdp.env;
  const vi = valueIteration(mdp.env, mdp.reward, { tol: 1e-12 });
  let optimal = 0;
  for (let s = 0; s < nS; s++) optimal += mdp.env.init[s] * vi.V[s];
  return { optimal, uniform: policyValue(mdp, new Float64Array(nS * nA).fill(1 / nA)) };
}

/** (J − J(uniform)) / (J* − J(uniform)). */
export function normalisedValue(J: number, scale: ValueScale): number {
  const gap = scale.optimal - scale.uniform;
  if (!(gap > 0))
    throw new RangeError(`normalisedValue: J* − J(uniform) = ${gap} is not positive; the task has no learnable gap`);
  return (J - scale.uniform) / gap;
}

/**
 * Shortest number of steps from every state to `target` along transitions of positive probability (any action):
 * reverse breadth-first search on the support graph of τ. −1 where the target is unreachable; 0 at the target.
 */
export function bfsDistances(env: TabularEnv, target: number): Int32Array {
  const { nS, nA, T } = env;
  if (!(Number.isInteger(target) && target >= 0 && target < nS))
    throw new RangeError(`bfsDistances: target ${target} is not a state in [0, ${nS})`);
  // Predecessor lists (CSR) of the support graph.
  const deg = new Int32Array(nS + 1);
  for (let row = 0; row < nS * nA; row++)
    for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++) if (T.prob[k] > 0) deg[T.col[k] + 1]++;
  for (let s = 0; s < nS; s++) deg[s + 1] += deg[s];
  const pred = new Int32Array(deg[nS]);
  const fill = deg.slice(0, nS);
  for (let row = 0; row < nS * nA; row++)
    for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++)
      if (T.prob[k] > 0) pred[fill[T.col[k]]++] = Math.floor(row / nA);
  const dist = new Int32Array(nS).fill(-1);
  const queue = new Int32Array(nS);
  let head = 0,
    tail = 0;
  dist[target] = 0;
  queue[tail++] = target;
  while (head < tail) {
    const v = queue[head++];
    for (let k = deg[v]; k < deg[v + 1]; k++) {
      const u = pred[k];
      if (dist[u] < 0) {
        dist[u] = dist[v] + 1;
        queue[tail++] = u;
      }
    }
  }
  return dist;
}

export interface SupportedOptimum {
  /** Q_D(s, a) at supported (s, a); NaN elsewhere. */
  Q: Float64Array;
  /** V_D (0 at terminal states, V_out at non-terminal states without data). */
  V: Float64Array;
  /** Greedy on Q_D over supported actions; uniform at states without data. */
  policy: Float64Array;
  /** μ₀·V_D: the value the data-restricted MDP promises. */
  restrictedValue: number;
  /** J of `policy` in the true MDP. */
  value: number;
}

/** The best data-supported policy of `mdp` given a dataset's empirical index (see the file comment). */
export function bestSupportedPolicy(mdp: OfflineMdp, idx: EmpiricalIndex): SupportedOptimum {
  const { env, reward, terminal } = mdp;
  const { nS, nA, gamma, T } = env;
  if (idx.nS !== nS || idx.nA !== nA)
    throw new RangeError(`bestSupportedPolicy: data is ${idx.nS}×${idx.nA}, the MDP ${nS}×${nA}`);
  const V = new Float64Array(nS);
  for (let s = 0; s < nS; s++) V[s] = terminal[s] ? 0 : idx.stateCount[s] > 0 ? 0 : idx.outsideValue;
  const Q = new Float64Array(nS * nA).fill(NaN);
  const stopAt = (1e-12 * (1 - gamma)) / Math.max(gamma, 1e-12);
  for (let it = 0; it < 1_000_000; it++) {
    let res = 0;
    for (let s = 0; s < nS; s++) {
      if (terminal[s] || idx.stateCount[s] === 0) continue;
      let best = -Infinity;
      for (let a = 0; a < nA; a++) {
        const row = s * nA + a;
        if (idx.count[row] === 0) continue;
        let acc = 0;
        for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++) acc += T.prob[k] * V[T.col[k]];
        const q = reward[row] + gamma * acc;
        Q[row] = q;
        if (q > best) best = q;
      }
      res = Math.max(res, Math.abs(best - V[s]));
      V[s] = best;
    }
    if (res <= stopAt) break;
  }
  const policy = greedyInSupport(idx, Q);
  let restrictedValue = 0;
  for (let s = 0; s < nS; s++) restrictedValue += env.init[s] * V[s];
  return { Q, V, policy, restrictedValue, value: policyValue(mdp, policy) };
}

export interface MonteCarloEstimate {
  /** Mean discounted return over the rollouts. */
  mean: number;
  /** Standard error of the mean. */
  se: number;
  rollouts: number;
  /** Bound on the truncation bias: γ^horizon · max |r| / (1 − γ). */
  truncationBound: number;
}

/**
 * Monte Carlo estimate of J(π): `rollouts` episodes of the tabular testbed's sampler (tabular/loops/learners.ts) from
 * μ₀, stopped on entering a terminal state or after `horizon` steps, each scored by its discounted return
 * Σ_t γ^t R(s_t, a_t, s_{t+1}) with the per-entry rewards.
 */
export function monteCarloValue(
  mdp: OfflineMdp,
  policy: Policy,
  opts: { rollouts: number; horizon: number },
  rng: Rng,
): MonteCarloEstimate {
  const { env, entryReward, terminal } = mdp;
  if (!(Number.isInteger(opts.rollouts) && opts.rollouts >= 2))
    throw new RangeError(`monteCarloValue: rollouts must be an integer ≥ 2, got ${opts.rollouts}`);
  const batch = rollouts(env, policyMatrix(env, policy), {
    episodes: opts.rollouts,
    horizon: opts.horizon,
    rng,
    rewards: [denseEntryReward(mdp)],
    terminal,
  });
  const G = returnsToGo(batch, batch.rewards[0], env.gamma);
  let sum = 0,
    sumSq = 0,
    rMax = 0;
  for (let e = 0; e < batch.nEpisodes; e++) {
    const g = batch.offsets[e + 1] > batch.offsets[e] ? G[batch.offsets[e]] : 0;
    sum += g;
    sumSq += g * g;
  }
  for (let k = 0; k < entryReward.length; k++) rMax = Math.max(rMax, Math.abs(entryReward[k]));
  const n = batch.nEpisodes;
  const m = sum / n;
  const variance = Math.max(0, (sumSq - n * m * m) / (n - 1));
  return {
    mean: m,
    se: Math.sqrt(variance / n),
    rollouts: n,
    truncationBound: (Math.pow(env.gamma, opts.horizon) * rMax) / (1 - env.gamma),
  };
}
