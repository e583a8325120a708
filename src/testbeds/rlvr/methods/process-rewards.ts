/**
 * Learned process rewards at RL training time (Gao et al. 2024, "On Designing Effective RL Reward at
 * Training Time for LLM Reasoning"), on the step-level arithmetic task (env/step-arithmetic.ts).
 *
 * Reward models, fitted on labelled samples of a reference policy (logistic regression, `fitLogistic`):
 *   PRM r_φ(q, p^(k)) ∈ (0, 1): probability that the prefix through step k is still correct, from features
 *       of the step line and the prefix (`prmFeatures`). It checks units digits and operands, so a tens-digit
 *       slip is invisible to it, and it scores a repeated correct line as highly as a correct step.
 *   ORM r_ψ(q, p): probability that the whole solution is correct (`ormFeatures`).
 * Training rewards of a solution with K lines (paper §3–4; α the learned-reward weight, success 1/0 on the
 * last line, η the clipping threshold):
 *   success      r_K = success
 *   prm          r_k = α·r_φ(p^(k))                                  + success on k = K
 *   orm          r_K = success + α·r_ψ(p)
 *   clip         r_k = α·min(r_φ(p^(k)) − η, 0)                      + success   (Clip mechanism)
 *   delta        r_k = α·(r_φ(p^(k)) − r_φ(p^(k+1))), r_K = α·r_φ(p^(K)) + success   (Delta mechanism)
 *   clip-delta   Delta applied to the clipped scores c_k = min(r_φ(p^(k)) − η, 0)
 * Σ_k of the Delta rewards telescopes to α·r_φ(p^(1)); Σ_k of the Clip rewards is ≤ 0: either way a
 * solution's accumulated learned reward is bounded above, so padding cannot raise it without limit.
 */
import { sigmoid } from '../../../math';
import type { Solution } from '../env/step-arithmetic';

// ---------------------------------------------------------------------------------------------------
// Logistic regression (the learned reward models)

export interface LogisticFit {
  weights: Float64Array;
  /** Newton iterations run. */
  iterations: number;
  /** Mean log-loss on the training data at the end (without the L2 term). */
  logLoss: number;
}

/** Solve A x = b for a symmetric positive definite A (d × d, row-major; Cholesky). A is overwritten. */
function solveSpd(A: Float64Array, b: Float64Array, d: number): Float64Array {
  for (let j = 0; j < d; j++) {
    let s = A[j * d + j];
    for (let k = 0; k < j; k++) s -= A[j * d + k] * A[j * d + k];
    if (!(s > 0)) throw new RangeError('rlvr.prm.fitLogistic: the Hessian is not positive definite; use l2 > 0');
    const l = Math.sqrt(s);
    A[j * d + j] = l;
    for (let i = j + 1; i < d; i++) {
      let u = A[i * d + j];
      for (let k = 0; k < j; k++) u -= A[i * d + k] * A[j * d + k];
      A[i * d + j] = u / l;
    }
  }
  const y = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= A[i * d + k] * y[k];
    y[i] = s / A[i * d + i];
  }
  const x = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < d; k++) s -= A[k * d + i] * x[k];
    x[i] = s / A[i * d + i];
  }
  return x;
}

/**
 * L2-regularised logistic regression by Newton's method: minimises
 * (1/n) Σ_i [−y_i log σ(w·x_i) − (1 − y_i) log(1 − σ(w·x_i))] + (l2/2)‖w‖².
 * X is n × d row-major; y holds 0/1 labels.
 */
export function fitLogistic(
  X: ArrayLike<number>,
  y: ArrayLike<number>,
  d: number,
  opts: { l2?: number; maxIter?: number; tol?: number } = {},
): LogisticFit {
  const where = 'rlvr.prm.fitLogistic';
  if (!Number.isInteger(d) || d < 1)
    throw new RangeError(`${where}: d (features per row) must be a positive integer, got ${d}`);
  const n = y.length;
  if (n < 1) throw new RangeError(`${where}: no training rows`);
  if (X.length !== n * d)
    throw new RangeError(`${where}: X has ${X.length} entries but ${n} labels × ${d} features need ${n * d}`);
  for (let i = 0; i < n; i++)
    if (y[i] !== 0 && y[i] !== 1) throw new RangeError(`${where}: label y[${i}] = ${y[i]} is not 0 or 1`);
  const l2 = opts.l2 ?? 1e-3;
  if (!(l2 >= 0) || !Number.isFinite(l2)) throw new RangeError(`${where}: l2 must be a finite number ≥ 0, got ${l2}`);
  const maxIter = opts.maxIter ?? 50;
  const tol = opts.tol ?? 1e-10;
  const w = new Float64Array(d);
  const g = new Float64Array(d);
  const H = new Float64Array(d * d);
  let it = 0;
  for (; it < maxIter; it++) {
    g.fill(0);
    H.fill(0);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < d; j++) z += w[j] * X[i * d + j];
      const p = sigmoid(z);
      const e = p - y[i];
      const h = Math.max(p * (1 - p), 1e-12);
      for (let j = 0; j < d; j++) {
        const xj = X[i * d + j];
        if (xj === 0) continue;
        g[j] += e * xj;
        for (let k = 0; k <= j; k++) H[j * d + k] += h * xj * X[i * d + k];
      }
    }
    for (let j = 0; j < d; j++) {
      g[j] = g[j] / n + l2 * w[j];
      for (let k = 0; k <= j; k++) {
        H[j * d + k] = H[j * d + k] / n + (j === k ? l2 + 1e-12 : 0);
        H[k * d + j] = H[j * d + k];
      }
    }
    const step = solveSpd(H, g, d);
    let m = 0;
    for (let j = 0; j < d; j++) {
      w[j] -= step[j];
      m = Math.max(m, Math.abs(step[j]));
    }
    if (m < tol) {
      it++;
      break;
    }
  }
  let loss = 0;
  for (let i = 0; i < n; i++) {
    let z = 0;
    for (let j = 0; j < d; j++) z += w[j] * X[i * d + j];
    // log(1 + e^{-z}) for y = 1, log(1 + e^{z}) for y = 0, computed stably
    const s = y[i] === 1 ? -z : z;
    loss += s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s));
  }
  return { weights: w, iterations: it, logLoss: loss / n };
}

/** σ(w·x) of row `row` of X (d features). */
export function logisticScore(w: ArrayLike<number>, X: ArrayLike<number>, row = 0): number {
  const d = w.length;
  let z = 0;
  for (let j = 0; j < d; j++) z += w[j] * X[row * d + j];
  return sigmoid(z);
}

/** PRM scores r_φ(q, p^(k)) of every line of a solution. */
export function prmScores(
  w: ArrayLike<number>,
  s: Solution,
  out: Float64Array = new Float64Array(s.len),
): Float64Array {
  for (let k = 0; k < s.len; k++) out[k] = logisticScore(w, s.features, k);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Reward refinements (paper §4)

export type RewardKind = 'success' | 'prm' | 'orm' | 'clip' | 'delta' | 'clip-delta';
export const REWARD_KINDS: readonly RewardKind[] = ['success', 'prm', 'orm', 'clip', 'delta', 'clip-delta'];

/** Clip mechanism: c_k = min(score_k − η, 0). */
export function clipRewards(
  scores: ArrayLike<number>,
  eta: number,
  out: Float64Array = new Float64Array(scores.length),
): Float64Array {
  if (!Number.isFinite(eta)) throw new RangeError(`rlvr.prm.clipRewards: the threshold η must be finite, got ${eta}`);
  for (let k = 0; k < scores.length; k++) out[k] = Math.min(scores[k] - eta, 0);
  return out;
}

/** Delta mechanism: d_k = score_k − score_{k+1} for k < K, d_K = score_K. Σ_k d_k = score_1. */
export function deltaRewards(
  scores: ArrayLike<number>,
  out: Float64Array = new Float64Array(scores.length),
): Float64Array {
  const K = scores.length;
  for (let k = 0; k < K; k++) out[k] = k + 1 < K ? scores[k] - scores[k + 1] : scores[k];
  return out;
}

export interface RewardSpec {
  kind: RewardKind;
  /** Weight α of the learned reward (the success reward is 1). */
  alpha: number;
  /** Clip threshold η (clip, clip-delta). */
  eta: number;
}

export function checkRewardSpec(r: RewardSpec, where = 'rlvr.prm.stepRewards'): void {
  if (!REWARD_KINDS.includes(r.kind))
    throw new RangeError(`${where}: reward kind must be one of ${REWARD_KINDS.join(', ')}, got ${String(r.kind)}`);
  if (!(r.alpha >= 0) || !Number.isFinite(r.alpha))
    throw new RangeError(`${where}: α (learned-reward weight) must be a finite number ≥ 0, got ${r.alpha}`);
  if ((r.kind === 'clip' || r.kind === 'clip-delta') && !Number.isFinite(r.eta))
    throw new RangeError(`${where}: ${r.kind} needs a finite clip threshold η, got ${r.eta}`);
}

/**
 * Per-line training rewards of one solution (length K = scores.length) for a reward kind: the learned
 * part (weighted by α) plus the success reward (1 or 0) on the last line.
 */
export function stepRewards(
  spec: RewardSpec,
  scores: ArrayLike<number>,
  success: number,
  orm: number,
  out: Float64Array = new Float64Array(scores.length),
): Float64Array {
  const K = scores.length;
  if (K < 1) throw new RangeError('rlvr.prm.stepRewards: a solution has at least one line');
  checkRewardSpec(spec);
  const a = spec.alpha;
  out.fill(0, 0, K);
  switch (spec.kind) {
    case 'success':
      break;
    case 'prm':
      for (let k = 0; k < K; k++) out[k] = a * scores[k];
      break;
    case 'orm':
      out[K - 1] = a * orm;
      break;
    case 'clip':
      clipRewards(scores, spec.eta, out);
      for (let k = 0; k < K; k++) out[k] *= a;
      break;
    case 'delta':
      deltaRewards(scores, out);
      for (let k = 0; k < K; k++) out[k] *= a;
      break;
    case 'clip-delta': {
      const c = clipRewards(scores, spec.eta);
      deltaRewards(c, out);
      for (let k = 0; k < K; k++) out[k] *= a;
      break;
    }
  }
  out[K - 1] += success;
  return out;
}
