/**
 * Flow-GRPO (Liu et al. 2025, arXiv 2505.05470) and GRPO-Guard (Wang et al. 2025, arXiv 2510.22319) on the
 * rectified flow of models/flow.ts sampled by its marginal-preserving SDE: the K Euler–Maruyama steps are the MDP's
 * actions, each a Gaussian N(μ_θ(x_t, t), s_t² I) with s_t = σ_t·√h (σ_t = a·√(t/(1 − t)), step h).
 *
 * Flow-GRPO (its eq. for the clipped GRPO objective): groups of G samples of one condition, advantages
 * A_i = (r_i − mean_G r)/(std_G r + 10⁻⁴) (clipped to ±adv_clip_max as in the official code), and per step
 *   L_t = max(−A·ρ_t, −A·clip(ρ_t, 1 − ε, 1 + ε)),  ρ_t = exp(log p_θ(x_{t−h}|x_t) − log p_old(x_{t−h}|x_t)),
 * averaged over samples and steps, plus β·KL(π_θ ‖ π_ref) per step (exact for equal-variance Gaussians:
 * |μ_θ − μ_ref|²/(2 s_t²)). As in the official Flow-GRPO code, the per-step log-probability is the Gaussian
 * log-density AVERAGED over coordinates (D = 2 here), so that, with x_{t−h} = μ_old + s_t z,
 *   log ρ_t = mean_d(z_d δ_d)/s_t − mean_d(δ_d²)/(2 s_t²),   δ = μ_θ − μ_old:
 * the second-order term is the systematic left shift GRPO-Guard identifies (E[ρ_t] = exp(−|δ|²/(8 s_t²)) < 1 for
 * δ independent of z), larger at the low-noise steps where s_t is small.
 *
 * GRPO-Guard, RatioNorm (as the authors' released loss implements it; the paper's eq. 8 per the implementations
 * that cite it): add the bias back and rescale by s_t,
 *   log ρ̂_t = (log ρ_t + mean_d(δ_d²)/(2 s_t²))·s_t = mean_d(z_d δ_d),
 * so that the ratio is centred at 1 with a spread independent of the step's noise scale; cross-step gradient
 * reweighting: the step's clipped loss is divided by h = (√h)². Together the per-step gradient with respect to the
 * velocity is z·(1 + σ_t²(1 − t)/(2t))/D — the same size at every noise level — where Flow-GRPO's is
 * (z/s_t − δ/s_t²)·h·(1 + σ_t²(1 − t)/(2t))/D, dominated by the low-noise steps. The clip range applies to ρ̂.
 *
 * Pure per-row functions (points 2N flat, rows independent) and one training round (`flowGrpoRound`).
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import type { Reward2d } from '../env/rewards';
import { flowSdeSigma, flowTimes } from '../models/flow';
import type { ResidualVelocityMlp } from '../models/flow-policy';

/** Coordinates per point (the log-probabilities are averaged over them, as Flow-GRPO's code does). */
export const FLOW_GRPO_DIMS = 2;

/** The clipped-ratio variant: Flow-GRPO's raw ratio or GRPO-Guard's RatioNorm + 1/h reweighting. */
export type FlowRatioKind = 'flow-grpo' | 'grpo-guard';

/** GRPO group advantages (r − mean)/(std + 10⁻⁴) over consecutive groups of G, clipped to ±clipMax. */
export function flowGroupAdvantages(reward: ArrayLike<number>, G: number, clipMax = 5): Float64Array {
  const N = reward.length;
  if (N % G !== 0) throw new RangeError(`flowGroupAdvantages: ${N} rewards are not groups of ${G}`);
  const A = new Float64Array(N);
  for (let g = 0; g < N; g += G) {
    let m = 0;
    for (let i = g; i < g + G; i++) m += reward[i] / G;
    let v = 0;
    for (let i = g; i < g + G; i++) v += (reward[i] - m) ** 2 / G;
    const sd = Math.sqrt(v) + 1e-4;
    for (let i = g; i < g + G; i++) A[i] = Math.max(-clipMax, Math.min(clipMax, (reward[i] - m) / sd));
  }
  return A;
}

/** Flow-GRPO's per-row log-ratio: the coordinate-mean of log N(x'; μ_new, s²) − log N(x'; μ_old, s²). */
export function flowGrpoLogRatio(
  xnext: ArrayLike<number>,
  meanNew: ArrayLike<number>,
  meanOld: ArrayLike<number>,
  std: ArrayLike<number>,
  N: number,
): Float64Array {
  const out = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const s2 = std[n] * std[n];
    let acc = 0;
    for (let d = 0; d < FLOW_GRPO_DIMS; d++) {
      const i = FLOW_GRPO_DIMS * n + d;
      acc += ((xnext[i] - meanOld[i]) ** 2 - (xnext[i] - meanNew[i]) ** 2) / (2 * s2);
    }
    out[n] = acc / FLOW_GRPO_DIMS;
  }
  return out;
}

/** GRPO-Guard's RatioNorm log-ratio (log ρ + mean_d δ²/(2s²))·s, δ = μ_new − μ_old. */
export function grpoGuardLogRatio(
  xnext: ArrayLike<number>,
  meanNew: ArrayLike<number>,
  meanOld: ArrayLike<number>,
  std: ArrayLike<number>,
  N: number,
): Float64Array {
  const raw = flowGrpoLogRatio(xnext, meanNew, meanOld, std, N);
  for (let n = 0; n < N; n++) {
    let b = 0;
    for (let d = 0; d < FLOW_GRPO_DIMS; d++) {
      const i = FLOW_GRPO_DIMS * n + d;
      b += (meanNew[i] - meanOld[i]) ** 2;
    }
    b /= FLOW_GRPO_DIMS * 2 * std[n] * std[n];
    raw[n] = (raw[n] + b) * std[n];
  }
  return raw;
}

/** ∂/∂ρ of the clipped surrogate max(−Aρ, −A·clip(ρ, 1 − ε, 1 + ε)): −A, or 0 where the clipped branch is active. */
export function flowClippedSurrogateGrad(A: number, ratio: number, eps: number): number {
  if (A > 0 && ratio > 1 + eps) return 0;
  if (A < 0 && ratio < 1 - eps) return 0;
  return -A;
}

/** The clipped surrogate's value max(−Aρ, −A·clip(ρ, 1 − ε, 1 + ε)). */
export function flowClippedSurrogate(A: number, ratio: number, eps: number): number {
  const c = Math.min(1 + eps, Math.max(1 - eps, ratio));
  return Math.max(-A * ratio, -A * c);
}

/**
 * ∂ log-ratio/∂μ_new (2N) for each variant: Flow-GRPO (x' − μ_new)/(D s²); GRPO-Guard (x' − μ_old)/(D s) (the
 * bias term's own gradient cancels the −δ/s² part, as in the released code, where the bias is not detached).
 */
export function logRatioGradMean(
  kind: FlowRatioKind,
  xnext: ArrayLike<number>,
  meanNew: ArrayLike<number>,
  meanOld: ArrayLike<number>,
  std: ArrayLike<number>,
  N: number,
): Float64Array {
  const g = new Float64Array(FLOW_GRPO_DIMS * N);
  for (let n = 0; n < N; n++) {
    const s = std[n];
    for (let d = 0; d < FLOW_GRPO_DIMS; d++) {
      const i = FLOW_GRPO_DIMS * n + d;
      g[i] =
        kind === 'flow-grpo'
          ? (xnext[i] - meanNew[i]) / (FLOW_GRPO_DIMS * s * s)
          : (xnext[i] - meanOld[i]) / (FLOW_GRPO_DIMS * s);
    }
  }
  return g;
}

/** ∂μ/∂v of the SDE step mean μ = x − h·[v + σ²/(2t)·(x + (1 − t)v)]: −h·(1 + σ²(1 − t)/(2t)). */
export function flowSdeMeanGradV(t: number, h: number, a: number): number {
  const s = flowSdeSigma(a, t, h);
  return -h * (1 + ((s * s) / (2 * t)) * (1 - t));
}

/** Settings of one Flow-GRPO / GRPO-Guard round. */
export interface FlowGrpoRoundOptions {
  kind: FlowRatioKind;
  /** Steps K of the uniform grid, SDE noise level a. */
  K: number;
  noise: number;
  /** Groups per round and samples per group G (one condition: the model is unconditional). */
  groups: number;
  G: number;
  /** Inner epochs over the round's trajectories, minibatches per epoch (one Adam step each). */
  epochs: number;
  minibatches: number;
  /** Clip range ε (applied to ρ for Flow-GRPO, to ρ̂ for GRPO-Guard). */
  clip: number;
  /** KL weight β to the pre-trained policy (0: none). */
  beta: number;
  advClipMax: number;
}

/** Per-step diagnostics accumulated over the off-policy minibatch evaluations of a round (index k = 1…K). */
export interface FlowRatioStats {
  /** Σ ρ (raw Flow-GRPO ratio), Σ log ρ, Σ (log ρ)², rows, per step. */
  ratioSum: Float64Array;
  logSum: Float64Array;
  logSq: Float64Array;
  rows: Float64Array;
  /** Σ of the ratio the method clips (ρ or ρ̂), per step. */
  clipRatioSum: Float64Array;
  /** Rows with A > 0 (A < 0) and those among them in the clipped region (ρ > 1 + ε; ρ < 1 − ε), per step. */
  posRows: Float64Array;
  posClipped: Float64Array;
  negRows: Float64Array;
  negClipped: Float64Array;
}

export function emptyFlowRatioStats(K: number): FlowRatioStats {
  const z = () => new Float64Array(K + 1);
  return {
    ratioSum: z(),
    logSum: z(),
    logSq: z(),
    rows: z(),
    clipRatioSum: z(),
    posRows: z(),
    posClipped: z(),
    negRows: z(),
    negClipped: z(),
  };
}

export interface FlowGrpoRoundResult {
  /** Mean reward and the rollouts' final points (2N). */
  reward: number;
  x0: Float64Array;
  /** Mean per-step KL to the reference over the round's first (on-policy) evaluation. */
  kl: number;
}

/**
 * One round: sample groups·G SDE trajectories from the current policy (recording old means and noise), score them,
 * then epochs × minibatches Adam steps on the clipped objective of `opts.kind` (trajectories shuffled per epoch, all
 * K steps of a minibatch in one forward/backward pass, loss averaged over rows). Ratio diagnostics of every
 * minibatch evaluation except the round's first (where ρ ≡ 1) are added into `stats`.
 */
export function flowGrpoRound(
  policy: ResidualVelocityMlp,
  reward: Reward2d,
  opts: FlowGrpoRoundOptions,
  rng: Rng,
  opt: Adam,
  stats: FlowRatioStats,
): FlowGrpoRoundResult {
  const { K, noise: a } = opts;
  const N = opts.groups * opts.G;
  const ts = flowTimes(K);
  // Rollout: rows r = n·K + (k − 1) for the transition x_{t_k} → x_{t_{k−1}}.
  const R = N * K;
  const xt = new Float64Array(2 * R),
    xn = new Float64Array(2 * R),
    vStar = new Float64Array(2 * R),
    muOld = new Float64Array(2 * R),
    std = new Float64Array(R),
    tRow = new Float64Array(R),
    kRow = new Int32Array(R);
  let x = rng.split('x1').normals(2 * N);
  for (let k = K; k >= 1; k--) {
    const t = ts[k],
      h = ts[k] - ts[k - 1];
    const { v, vs } = policy.velocity(x, k, N);
    const s = flowSdeSigma(a, t, h);
    const c = (s * s) / (2 * t);
    const sd = s * Math.sqrt(h);
    const z = rng.split(`z${k}`).normals(2 * N);
    const next = new Float64Array(2 * N);
    for (let n = 0; n < N; n++) {
      const r = n * K + (k - 1);
      std[r] = sd;
      tRow[r] = t;
      kRow[r] = k;
      for (let d = 0; d < 2; d++) {
        const i = 2 * n + d;
        const mu = x[i] - h * (v[i] + c * (x[i] + (1 - t) * v[i]));
        next[i] = mu + sd * z[i];
        xt[2 * r + d] = x[i];
        xn[2 * r + d] = next[i];
        vStar[2 * r + d] = vs[i];
        muOld[2 * r + d] = mu;
      }
    }
    x = next;
  }
  const rew = reward.value(x, N);
  const A = flowGroupAdvantages(rew, opts.G, opts.advClipMax);
  const meanReward = rew.reduce((p, q) => p + q, 0) / N;
  // Policy steps.
  const order = Array.from({ length: N }, (_, n) => n);
  const mbSize = Math.floor(N / opts.minibatches);
  let first = true,
    kl = 0;
  for (let e = 0; e < opts.epochs; e++) {
    rng.split('shuffle').split(e).shuffle(order);
    for (let b = 0; b < opts.minibatches; b++) {
      const idx = order.slice(b * mbSize, (b + 1) * mbSize);
      const M = idx.length * K;
      const bx = new Float64Array(2 * M),
        bk = new Int32Array(M);
      const rows = new Int32Array(M);
      idx.forEach((n, j) => {
        for (let k = 1; k <= K; k++) {
          const r = n * K + (k - 1),
            m = j * K + (k - 1);
          rows[m] = r;
          bk[m] = k;
          bx[2 * m] = xt[2 * r];
          bx[2 * m + 1] = xt[2 * r + 1];
        }
      });
      const gOut = policy.residual(bx, bk, M);
      const muNew = new Float64Array(2 * M),
        muO = new Float64Array(2 * M),
        muRef = new Float64Array(2 * M),
        xnb = new Float64Array(2 * M),
        sdb = new Float64Array(M);
      for (let m = 0; m < M; m++) {
        const r = rows[m],
          t = tRow[r],
          h = 1 / K;
        const s = flowSdeSigma(a, t, h);
        const c = (s * s) / (2 * t);
        sdb[m] = std[r];
        for (let d = 0; d < 2; d++) {
          const i = 2 * m + d,
            ri = 2 * r + d;
          const x0 = xt[ri];
          const vNew = vStar[ri] + gOut[i];
          muNew[i] = x0 - h * (vNew + c * (x0 + (1 - t) * vNew));
          muRef[i] = x0 - h * (vStar[ri] + c * (x0 + (1 - t) * vStar[ri]));
          muO[i] = muOld[ri];
          xnb[i] = xn[ri];
        }
      }
      const raw = flowGrpoLogRatio(xnb, muNew, muO, sdb, M);
      const used = opts.kind === 'flow-grpo' ? raw : grpoGuardLogRatio(xnb, muNew, muO, sdb, M);
      const gLog = logRatioGradMean(opts.kind, xnb, muNew, muO, sdb, M);
      const dG = new Float64Array(2 * M);
      let klAcc = 0;
      for (let m = 0; m < M; m++) {
        const r = rows[m],
          n = Math.floor(r / K),
          k = kRow[r],
          t = tRow[r],
          h = 1 / K;
        const rho = Math.exp(used[m]);
        const dRho = flowClippedSurrogateGrad(A[n], rho, opts.clip);
        const scale = opts.kind === 'grpo-guard' ? 1 / h : 1;
        const dmu = flowSdeMeanGradV(t, h, a);
        const s2 = sdb[m] * sdb[m];
        for (let d = 0; d < 2; d++) {
          const i = 2 * m + d;
          let gMu = scale * dRho * rho * gLog[i];
          gMu += (opts.beta * (muNew[i] - muRef[i])) / s2;
          klAcc += (muNew[i] - muRef[i]) ** 2 / (2 * s2);
          dG[i] = (gMu * dmu) / M;
        }
        if (!first) {
          stats.ratioSum[k] += Math.exp(raw[m]);
          stats.logSum[k] += raw[m];
          stats.logSq[k] += raw[m] * raw[m];
          stats.rows[k] += 1;
          stats.clipRatioSum[k] += rho;
          if (A[n] > 0) {
            stats.posRows[k] += 1;
            if (rho > 1 + opts.clip) stats.posClipped[k] += 1;
          } else if (A[n] < 0) {
            stats.negRows[k] += 1;
            if (rho < 1 - opts.clip) stats.negClipped[k] += 1;
          }
        }
      }
      if (first) kl = klAcc / M;
      first = false;
      policy.zeroGrad();
      policy.backwardResidual(dG);
      opt.step(policy.params, policy.grads);
    }
  }
  return { reward: meanReward, x0: x, kl };
}
