/**
 * PRDP, Proximal Reward Difference Prediction (Deng, Wang, Wei, Grundmann, Hou, CVPR 2024, arXiv 2402.08714), for a
 * prompt-conditional DDPM policy of the 2-D testbed. Equation numbers are the paper's.
 *
 * The KL-regularised objective max E_c E_x̄[r(x_0, c)] − β KL[π_θ(x̄|c) ‖ π_ref(x̄|c)] (eq. 6) has the optimum
 * π*(x̄|c) = π_ref(x̄|c) exp(r(x_0, c)/β)/Z(c) (eq. 7); for two trajectories of the same prompt the log Z(c) cancels
 * (eq. 9). With r̂_θ(x̄, c) = log π_θ(x̄|c)/π_ref(x̄|c) (eq. 10), Δr̂_θ = r̂_θ(x̄^a) − r̂_θ(x̄^b) (eq. 11) and
 * Δr = r(x_0^a) − r(x_0^b) (eq. 12), the RDP objective (eq. 14) is the MSE
 *     l_θ(x̄^a, x̄^b, c) = (Δr̂_θ − Δr/β)²,
 * zero exactly at π_θ = π* (eq. 15). Proximal updates (Sec. 3.3): per denoising step
 *     r̂_{θ,t} = log π_θ(x_{t−1}|x_t, c) − log π_ref(x_{t−1}|x_t, c)                       (eq. 19)
 *     r̂^clip_{θ,t} = clip(r̂_{θ,t}, r̂_{θold,t} − ε, r̂_{θold,t} + ε),  r̂^clip_θ = Σ_t r̂^clip_{θ,t}   (eqs. 20–21)
 *     l^clip_θ = (Δr̂^clip_θ − Δr/β)²                                                       (eq. 17)
 *     l_θ ← max(l_θ, l^clip_θ)                                                              (eq. 18)
 * Online optimisation (Sec. 3.2, Algorithm 1): each round (epoch) the snapshot π_θold samples N prompts × B
 * trajectories, the reward is queried once per trajectory, and K gradient steps are taken on the mean of the loss
 * over all pairs i < j of the same prompt (Algorithm 1 line 10; the paper's JAX listing, App. G, averages over the
 * pairs of each prompt's batch).
 *
 * Note: the paper's JAX listing (App. G) averages the per-step log-ratios over t instead of summing them (eq. 21);
 * that is eq. 21 with β rescaled by T. This file uses the sums of eqs. 10 and 21, so β is the β of eq. 6 and the
 * optimum is the testbed's tilted target p_ref·exp(r/β)/Z exactly.
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import type { DdpmSchedule } from '../models/schedule';
import type { EpsMlp } from '../models/denoiser';
import { chainLogProbs, sampleConditionalChains } from './loop';

/** Per-trajectory quantities of one prompt group, chain-major: entry i·T + (t − 1) for chain i, step t. */
export interface PrdpGroupInput {
  /** B trajectories of one prompt, T steps each. */
  B: number;
  T: number;
  /** log π_θ(x_{t−1}|x_t, c), log π_θold(…), log π_ref(…), B·T each. */
  logp: ArrayLike<number>;
  logpOld: ArrayLike<number>;
  logpRef: ArrayLike<number>;
  /** r(x_0^i, c), B. */
  reward: ArrayLike<number>;
}

export interface PrdpLossOptions {
  /** KL weight β of eq. 6. */
  beta: number;
  /** Stepwise clipping range ε of eq. 20; null: the plain RDP loss of eq. 14 (no proximal updates). */
  eps: number | null;
}

export interface PrdpGroupLoss {
  /** Σ over pairs i < j of l_θ (eq. 18 with clipping, eq. 14 without): sum, not mean. */
  lossSum: number;
  /** Number of pairs B(B − 1)/2. */
  pairs: number;
  /** ∂(lossSum)/∂log π_θ(x_{t−1}|x_t, c), B·T chain-major. */
  dLogp: Float64Array;
  /** Pairs where the clipped branch was the larger (the max of eq. 18 picked l^clip with l^clip > l). */
  clippedPairs: number;
}

/**
 * The PRDP loss (eqs. 14, 17–21) summed over all pairs i < j of one prompt's B trajectories, and its gradient with
 * respect to the per-step log-probabilities of π_θ. The gradient of the max picks the larger branch (ties: the
 * unclipped one); a clipped step contributes no gradient to r̂^clip.
 */
export function prdpGroupLoss(g: PrdpGroupInput, o: PrdpLossOptions): PrdpGroupLoss {
  const { B, T } = g;
  if (!(o.beta > 0)) throw new RangeError(`diffusion2d.prdpGroupLoss: beta must be > 0, got ${o.beta}`);
  if (o.eps !== null && !(o.eps >= 0)) throw new RangeError(`diffusion2d.prdpGroupLoss: eps must be ≥ 0`);
  const u = new Float64Array(B),
    c = new Float64Array(B);
  const inside = new Uint8Array(B * T);
  for (let i = 0; i < B; i++)
    for (let t = 0; t < T; t++) {
      const k = i * T + t;
      const lr = g.logp[k] - g.logpRef[k];
      u[i] += lr;
      if (o.eps === null) continue;
      const old = g.logpOld[k] - g.logpRef[k];
      const lo = old - o.eps,
        hi = old + o.eps;
      if (lr < lo) c[i] += lo;
      else if (lr > hi) c[i] += hi;
      else {
        c[i] += lr;
        inside[k] = 1;
      }
    }
  const dU = new Float64Array(B),
    dStep = new Float64Array(B * T);
  let lossSum = 0,
    clippedPairs = 0;
  for (let i = 0; i < B; i++)
    for (let j = i + 1; j < B; j++) {
      const target = (g.reward[i] - g.reward[j]) / o.beta;
      const eu = u[i] - u[j] - target;
      const ec = o.eps === null ? eu : c[i] - c[j] - target;
      if (o.eps === null || eu * eu >= ec * ec) {
        lossSum += eu * eu;
        dU[i] += 2 * eu;
        dU[j] -= 2 * eu;
      } else {
        lossSum += ec * ec;
        clippedPairs++;
        for (let t = 0; t < T; t++) {
          dStep[i * T + t] += 2 * ec * inside[i * T + t];
          dStep[j * T + t] -= 2 * ec * inside[j * T + t];
        }
      }
    }
  const dLogp = new Float64Array(B * T);
  for (let i = 0; i < B; i++) for (let t = 0; t < T; t++) dLogp[i * T + t] = dU[i] + dStep[i * T + t];
  return { lossSum, pairs: (B * (B - 1)) / 2, dLogp, clippedPairs };
}

export interface PrdpRoundOptions extends PrdpLossOptions {
  /** Trajectories per prompt B (prompt groups contiguous in `prompts`). */
  B: number;
  /**
   * Gradient steps per round: `epochs` passes over the round's prompt groups, each cut into `minibatches` chunks
   * of whole groups (epochs = K, minibatches = 1 is Algorithm 1's K full-batch steps).
   */
  epochs: number;
  minibatches: number;
}

export interface PrdpRoundStats {
  /** Mean reward of the round's samples (before the update). */
  reward: number;
  /** Mean path log-ratio Σ_t log π_θold/π_ref (a sample estimate of the path KL). */
  kl: number;
  /** Mean r − β·log-ratio (the objective's estimate). */
  objective: number;
  /** Mean PRDP loss per pair at the first and the last gradient step (of that step's minibatch). */
  lossFirst: number;
  lossLast: number;
  /** Fraction of pairs where the clipped branch of eq. 18 was taken, over all steps. */
  clipFraction: number;
}

/**
 * One round of Algorithm 1: π_θold ← π_θ, sample B trajectories for each prompt of `prompts` (groups of B), query
 * `reward(x0, N)` once per trajectory, then epochs × minibatches Adam steps, each on the mean pair loss of its
 * minibatch of prompt groups.
 */
export function prdpRound(
  policy: EpsMlp,
  ref: EpsMlp,
  sched: DdpmSchedule,
  reward: (x0: Float64Array, N: number) => Float64Array,
  prompts: Int32Array,
  o: PrdpRoundOptions,
  rng: Rng,
  opt: Adam,
): PrdpRoundStats {
  const N = prompts.length,
    T = sched.T,
    B = o.B;
  const G = N / B;
  if (!Number.isInteger(G) || B < 2 || G % o.minibatches !== 0)
    throw new RangeError(
      `diffusion2d.prdpRound: ${N} samples do not split into groups of B = ${B} ≥ 2 and ${o.minibatches} minibatches`,
    );
  const s = sampleConditionalChains(policy, sched, prompts, rng.split('sample'));
  const r = reward(s.x0, N);
  const all = Int32Array.from({ length: N }, (_, n) => n);
  const lpRef = chainLogProbs(ref, sched, s, all);
  const logRatio = new Float64Array(N);
  for (let t = 1; t <= T; t++)
    for (let n = 0; n < N; n++) logRatio[n] += s.logpOld[(t - 1) * N + n] - lpRef[(t - 1) * N + n];
  // chain-major copy of chains n0 … n0 + B − 1 from a step-major array over `stride` chains
  const cm = (v: Float64Array, stride: number, n0: number) => {
    const out = new Float64Array(B * T);
    for (let i = 0; i < B; i++) for (let t = 1; t <= T; t++) out[i * T + t - 1] = v[(t - 1) * stride + n0 + i];
    return out;
  };
  const gPerMb = G / o.minibatches,
    perMb = gPerMb * B;
  const mbPairs = (gPerMb * B * (B - 1)) / 2;
  let lossFirst = 0,
    lossLast = 0,
    clipped = 0,
    steps = 0;
  const order = rng.split('order');
  for (let e = 0; e < o.epochs; e++) {
    const groups = Array.from({ length: G }, (_, g) => g);
    if (o.minibatches > 1 || o.epochs > 1) order.split(e).shuffle(groups);
    for (let b = 0; b < o.minibatches; b++) {
      const rows = new Int32Array(perMb);
      for (let i = 0; i < gPerMb; i++) for (let k = 0; k < B; k++) rows[i * B + k] = groups[b * gPerMb + i] * B + k;
      policy.mlp.zeroGrad();
      const dEps = new Float64Array(2 * perMb * T);
      const lp = chainLogProbs(policy, sched, s, rows, dEps);
      let loss = 0;
      for (let i = 0; i < gPerMb; i++) {
        const n0 = rows[i * B];
        const res = prdpGroupLoss(
          {
            B,
            T,
            logp: cm(lp, perMb, i * B),
            logpOld: cm(s.logpOld, N, n0),
            logpRef: cm(lpRef, N, n0),
            reward: r.subarray(n0, n0 + B),
          },
          o,
        );
        loss += res.lossSum;
        clipped += res.clippedPairs;
        for (let k = 0; k < B; k++)
          for (let t = 1; t <= T; t++) {
            const row = (t - 1) * perMb + i * B + k;
            const w = res.dLogp[k * T + t - 1] / mbPairs;
            dEps[2 * row] *= w;
            dEps[2 * row + 1] *= w;
          }
      }
      policy.backward(dEps);
      opt.step(policy.mlp.params.f, policy.mlp.grads.f);
      if (steps === 0) lossFirst = loss / mbPairs;
      lossLast = loss / mbPairs;
      steps++;
    }
  }
  const mean = (a: Float64Array) => a.reduce((x, y) => x + y, 0) / a.length;
  return {
    reward: mean(r),
    kl: mean(logRatio),
    objective: mean(r.map((v, n) => v - o.beta * logRatio[n])),
    lossFirst,
    lossLast,
    clipFraction: steps ? clipped / (steps * mbPairs) : 0,
  };
}
