/**
 * Advantage Weighted Matching (AWM; Xue et al. 2025, arXiv 2509.25050) on the rectified flow of models/flow.ts.
 *
 * The paper's argument: DDPO / Flow-GRPO maximise the per-step Gaussian likelihood log p_θ(x_{t−h} | x_t) of the
 * SDE sampler, which (up to Euler–Maruyama error) is denoising score / flow matching with a NOISY target, the one
 * conditioned on x_{t−h} instead of the clean sample x_0: log p_θ(x'|x_t) is a quadratic in v_θ(x_t, t) whose
 * minimiser is ṽ = (x_t − h·c·x_t − x')/(h(1 + c(1 − t))), c = σ_t²/(2t) (`flowNoisyTarget`), so its gradient is
 * −(v_θ − ṽ)·h²(1 + c(1 − t))²/s², s² = σ_t²h. AWM instead uses the pre-training flow-matching loss on the
 * policy's own final samples, weighted by each sample's advantage:
 *   log p̃_θ(x_0; t, ε) = −w(t)·mean_d (v_θ(x_t, t) − (ε − x_0))²,  x_t = (1 − t)x_0 + tε,  ε ~ N(0, I),
 * and the policy-gradient surrogate of the released code (train_sd3_awm.py, compute_log_prob_awm, loss_type
 * 'exp_first'): per (sample, t) row, ρ = exp(log p̃_θ − log p̃_old) with (t, ε) drawn once per round and log p̃_old
 * evaluated before the round's first update, loss = max(−A·ρ, −A·clip(ρ, 1 − ε_c, 1 + ε_c)) averaged over rows,
 * plus β·mean_d (v_θ − v_ref)² (the code's 'Uniform' KL weighting). On-policy (ρ = 1) its gradient is that of the
 * advantage-weighted flow-matching loss Σ A_i·|v_θ(x_t, t) − (ε − x_0)|² — the pre-training loss with each sample
 * reweighted by its advantage. Times: the code's 'discrete_wo_init' stratified draw from the sampler's grid; with
 * as many draws as grid steps (here) every t_k, k = 1…K, is used once per sample, each with its own ε. Uniform
 * weighting w(t) = 1 (the code's 'Uniform'; its image configs use a generalised-Huber weighting, not used here).
 *
 * Also: the SDE rollouts that both methods sample (`flowSdeRollout`, the same random streams as `flowGrpoRound`, so
 * one rng gives identical rollouts) and the on-policy gradients of both objectives on a fixed rollout batch
 * (`flowGrpoOnPolicyGradient`, `awmGradient`) for gradient-variance probes.
 */
import type { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import type { Reward2d } from '../env/rewards';
import { flowSdeSigma, flowTimes } from '../models/flow';
import type { ResidualVelocityMlp } from '../models/flow-policy';
import { FLOW_GRPO_DIMS, flowClippedSurrogateGrad, flowGroupAdvantages, flowSdeMeanGradV } from './flow-grpo';

/** N SDE trajectories of K steps; row r = n·K + (k − 1) is the transition x_{t_k} → x_{t_{k−1}} of sample n. */
export interface FlowSdeRollout {
  N: number;
  K: number;
  /** Final samples (2N). */
  x0: Float64Array;
  /** Per row: x_t, x_{t−h} (2NK), the transition mean μ (2NK) and standard deviation s_t√h (NK). */
  xt: Float64Array;
  xn: Float64Array;
  mu: Float64Array;
  std: Float64Array;
}

/** Samples N trajectories of the policy's SDE (noise level a), exactly as `flowGrpoRound` does with the same rng. */
export function flowSdeRollout(policy: ResidualVelocityMlp, N: number, a: number, rng: Rng): FlowSdeRollout {
  const K = policy.K;
  const ts = flowTimes(K);
  const R = N * K;
  const xt = new Float64Array(2 * R),
    xn = new Float64Array(2 * R),
    mu = new Float64Array(2 * R),
    std = new Float64Array(R);
  let x = rng.split('x1').normals(2 * N);
  for (let k = K; k >= 1; k--) {
    const t = ts[k],
      h = ts[k] - ts[k - 1];
    const { v } = policy.velocity(x, k, N);
    const s = flowSdeSigma(a, t, h);
    const c = (s * s) / (2 * t);
    const sd = s * Math.sqrt(h);
    const z = rng.split(`z${k}`).normals(2 * N);
    const next = new Float64Array(2 * N);
    for (let n = 0; n < N; n++) {
      const r = n * K + (k - 1);
      std[r] = sd;
      for (let d = 0; d < 2; d++) {
        const i = 2 * n + d;
        const m = x[i] - h * (v[i] + c * (x[i] + (1 - t) * v[i]));
        next[i] = m + sd * z[i];
        xt[2 * r + d] = x[i];
        xn[2 * r + d] = next[i];
        mu[2 * r + d] = m;
      }
    }
    x = next;
  }
  return { N, K, x0: x, xt, xn, mu, std };
}

/**
 * The noisy velocity target of one SDE transition (the minimiser over v of −log p(x'|x_t) with the step mean
 * μ = x_t − h·[v + c(x_t + (1 − t)v)], c = σ_t²/(2t)): ṽ = (x_t − h·c·x_t − x')/(h(1 + c(1 − t))), per coordinate.
 */
export function flowNoisyTarget(xt: number, xnext: number, t: number, h: number, a: number): number {
  const s = flowSdeSigma(a, t, h);
  const c = (s * s) / (2 * t);
  return (xt - h * c * xt - xnext) / (h * (1 + c * (1 - t)));
}

/** One round's AWM training rows: for each sample n and step k, x_t, the clean target ε − x_0 and v_base. */
export interface AwmRows {
  N: number;
  K: number;
  /** Row r = n·K + (k − 1): x_{t_k} (2NK), target u = ε − x_0 (2NK), pre-trained velocity v_ref(x_t, t_k) (2NK). */
  xt: Float64Array;
  target: Float64Array;
  vRef: Float64Array;
  kRow: Int32Array;
}

/** Draws (t_k, ε) for every sample and every grid step k = 1…K: x_t = (1 − t)x_0 + tε, target ε − x_0. */
export function awmRows(policy: ResidualVelocityMlp, x0: Float64Array, N: number, rng: Rng): AwmRows {
  const K = policy.K;
  const ts = flowTimes(K);
  const R = N * K;
  const xt = new Float64Array(2 * R),
    target = new Float64Array(2 * R),
    vRef = new Float64Array(2 * R),
    kRow = new Int32Array(R);
  for (let k = 1; k <= K; k++) {
    const t = ts[k];
    const eps = rng.split(`eps${k}`).normals(2 * N);
    const xk = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) xk[i] = (1 - t) * x0[i] + t * eps[i];
    const vb = policy.base(xk, t, N);
    for (let n = 0; n < N; n++) {
      const r = n * K + (k - 1);
      kRow[r] = k;
      for (let d = 0; d < 2; d++) {
        xt[2 * r + d] = xk[2 * n + d];
        target[2 * r + d] = eps[2 * n + d] - x0[2 * n + d];
        vRef[2 * r + d] = vb[2 * n + d];
      }
    }
  }
  return { N, K, xt, target, vRef, kRow };
}

/** AWM's per-row log p̃ = −mean_d (v − u)² (uniform weighting) for the rows `rows` of `w`, given the residual g. */
export function awmLogProb(w: AwmRows, rows: Int32Array, g: ArrayLike<number>): Float64Array {
  const out = new Float64Array(rows.length);
  for (let m = 0; m < rows.length; m++) {
    const r = rows[m];
    let acc = 0;
    for (let d = 0; d < FLOW_GRPO_DIMS; d++) {
      const e = w.vRef[2 * r + d] + g[2 * m + d] - w.target[2 * r + d];
      acc += e * e;
    }
    out[m] = -acc / FLOW_GRPO_DIMS;
  }
  return out;
}

/**
 * ∂loss/∂g (2M) of AWM's surrogate on rows `rows`: mean over rows of max(−Aρ, −A·clip(ρ)) + β·mean_d g²,
 * ρ = exp(log p̃_θ − log p̃_old). With ρ = 1 it is 2A(v − u)/(D·M) + 2βg/(D·M).
 */
export function awmLossGrad(
  w: AwmRows,
  rows: Int32Array,
  g: ArrayLike<number>,
  A: ArrayLike<number>,
  logpOld: ArrayLike<number> | null,
  clip: number,
  beta: number,
): Float64Array {
  const M = rows.length;
  const lp = awmLogProb(w, rows, g);
  const dG = new Float64Array(2 * M);
  for (let m = 0; m < M; m++) {
    const r = rows[m],
      n = Math.floor(r / w.K);
    const rho = logpOld ? Math.exp(lp[m] - logpOld[r]) : 1;
    const dRho = flowClippedSurrogateGrad(A[n], rho, clip);
    for (let d = 0; d < FLOW_GRPO_DIMS; d++) {
      const i = 2 * m + d;
      const e = w.vRef[2 * r + d] + g[i] - w.target[2 * r + d];
      const dLogp = (-2 * e) / FLOW_GRPO_DIMS;
      dG[i] = (dRho * rho * dLogp + (2 * beta * g[i]) / FLOW_GRPO_DIMS) / M;
    }
  }
  return dG;
}

/** Settings of one AWM round (the same rollout and update budget as `FlowGrpoRoundOptions`). */
export interface AwmRoundOptions {
  /** SDE noise level a of the rollouts (the policy's K steps). */
  noise: number;
  groups: number;
  G: number;
  epochs: number;
  minibatches: number;
  /** Clip range of AWM's ratio (the released configs use 1). */
  clip: number;
  /** Weight β of mean_d (v_θ − v_ref)². */
  beta: number;
  advClipMax: number;
}

/**
 * One AWM round: groups·G SDE rollouts of the current policy, group advantages (as Flow-GRPO), (t_k, ε) for every
 * sample and step, log p̃_old at the round's start, then epochs × minibatches Adam steps on the surrogate (samples
 * shuffled per epoch, all K rows of a sample in its minibatch).
 */
export function awmRound(
  policy: ResidualVelocityMlp,
  reward: Reward2d,
  opts: AwmRoundOptions,
  rng: Rng,
  opt: Adam,
): { reward: number; x0: Float64Array } {
  const N = opts.groups * opts.G,
    K = policy.K;
  const roll = flowSdeRollout(policy, N, opts.noise, rng);
  const rew = reward.value(roll.x0, N);
  const A = flowGroupAdvantages(rew, opts.G, opts.advClipMax);
  const w = awmRows(policy, roll.x0, N, rng.split('awm'));
  const all = Int32Array.from({ length: N * K }, (_, r) => r);
  const logpOld = awmLogProb(w, all, policy.residual(w.xt, w.kRow, N * K));
  const order = Array.from({ length: N }, (_, n) => n);
  const mb = Math.floor(N / opts.minibatches);
  for (let e = 0; e < opts.epochs; e++) {
    rng.split('shuffle').split(e).shuffle(order);
    for (let b = 0; b < opts.minibatches; b++) {
      const idx = order.slice(b * mb, (b + 1) * mb);
      const rows = new Int32Array(idx.length * K);
      idx.forEach((n, j) => {
        for (let k = 0; k < K; k++) rows[j * K + k] = n * K + k;
      });
      const bx = new Float64Array(2 * rows.length),
        bk = new Int32Array(rows.length);
      for (let m = 0; m < rows.length; m++) {
        bx[2 * m] = w.xt[2 * rows[m]];
        bx[2 * m + 1] = w.xt[2 * rows[m] + 1];
        bk[m] = w.kRow[rows[m]];
      }
      const g = policy.residual(bx, bk, rows.length);
      const dG = awmLossGrad(w, rows, g, A, logpOld, opts.clip, opts.beta);
      policy.zeroGrad();
      policy.backwardResidual(dG);
      opt.step(policy.params, policy.grads);
    }
  }
  return { reward: rew.reduce((p, q) => p + q, 0) / N, x0: roll.x0 };
}

/**
 * Flow-GRPO's on-policy (ρ = 1, no KL) parameter gradient on a rollout batch: the gradient of
 * −(1/NK) Σ_rows A_n·log p_θ(x_{t−h}|x_t) (coordinate-averaged log-density), i.e. per row ∂/∂v =
 * −A·(x' − μ)/(D s²)·∂μ/∂v / (NK). Returns a copy of the parameter gradient (float64).
 */
export function flowGrpoOnPolicyGradient(
  policy: ResidualVelocityMlp,
  roll: FlowSdeRollout,
  A: ArrayLike<number>,
  a: number,
): Float64Array {
  const { N, K } = roll;
  const ts = flowTimes(K);
  const M = N * K;
  const kRow = new Int32Array(M);
  for (let r = 0; r < M; r++) kRow[r] = (r % K) + 1;
  policy.residual(roll.xt, kRow, M);
  const dG = new Float64Array(2 * M);
  for (let r = 0; r < M; r++) {
    const k = kRow[r],
      t = ts[k],
      h = ts[k] - ts[k - 1],
      n = Math.floor(r / K);
    const s2 = roll.std[r] * roll.std[r];
    const dmu = flowSdeMeanGradV(t, h, a);
    for (let d = 0; d < FLOW_GRPO_DIMS; d++) {
      const i = 2 * r + d;
      dG[i] = (-A[n] * ((roll.xn[i] - roll.mu[i]) / (FLOW_GRPO_DIMS * s2)) * dmu) / M;
    }
  }
  policy.zeroGrad();
  policy.backwardResidual(dG);
  return Float64Array.from(policy.grads);
}

/** AWM's on-policy (ρ = 1, no KL) parameter gradient on the rows `w` of a rollout batch (a float64 copy). */
export function awmGradient(policy: ResidualVelocityMlp, w: AwmRows, A: ArrayLike<number>): Float64Array {
  const M = w.N * w.K;
  const all = Int32Array.from({ length: M }, (_, r) => r);
  const g = policy.residual(w.xt, w.kRow, M);
  const dG = awmLossGrad(w, all, g, A, null, 1, 0);
  policy.zeroGrad();
  policy.backwardResidual(dG);
  return Float64Array.from(policy.grads);
}

/**
 * Noise-to-signal ratio of a gradient estimator from R independent draws g_1…g_R: tr Ĉov / |ḡ|², with
 * tr Ĉov = Σ|g_r − ḡ|²/(R − 1) (always finite; E|ḡ|² = |μ|² + tr Cov/R, so it is at most R and increasing in the
 * true ratio tr Cov/|μ|²), plus the mean cosine between each draw and the mean of the others.
 */
export function gradientNoiseToSignal(draws: readonly Float64Array[]): { nsr: number; cosine: number } {
  const R = draws.length,
    P = draws[0].length;
  if (R < 2) throw new RangeError('gradientNoiseToSignal: need at least 2 draws');
  const mean = new Float64Array(P);
  for (const g of draws) for (let j = 0; j < P; j++) mean[j] += g[j] / R;
  let tr = 0,
    m2 = 0;
  for (const g of draws) for (let j = 0; j < P; j++) tr += (g[j] - mean[j]) ** 2;
  tr /= R - 1;
  for (let j = 0; j < P; j++) m2 += mean[j] * mean[j];

  let cos = 0;
  for (const g of draws) {
    let dot = 0,
      na = 0,
      nb = 0;
    for (let j = 0; j < P; j++) {
      const o = (mean[j] * R - g[j]) / (R - 1);
      dot += g[j] * o;
      na += g[j] * g[j];
      nb += o * o;
    }
    cos += dot / Math.sqrt(na * nb) / R;
  }
  return { nsr: tr / m2, cosine: cos };
}
