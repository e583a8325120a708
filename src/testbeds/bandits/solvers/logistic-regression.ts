/**
 * L2-regularised logistic regression by Newton's method (iteratively reweighted least squares), the supervised
 * "regression oracle" of a contextual bandit: it maps logged (features, binary label) pairs to a probability model.
 *
 * Minimises  Σ_i [−y_i ln σ(⟨w, z_i⟩) − (1 − y_i) ln(1 − σ(⟨w, z_i⟩))] + (λ/2) ‖w − w₀‖²  over w ∈ R^p,
 * a strictly convex objective (λ > 0), so Newton's method converges to its unique minimiser.
 */
import { sigmoid } from '../../../math/softmax';
import { solveDense } from './steady-state';

export interface LogisticFitOptions {
  /** Ridge strength λ > 0. */
  lambda: number;
  /** Prior mean w₀ the penalty shrinks toward (default 0). */
  prior?: ArrayLike<number>;
  /** Newton iterations at most (default 25). */
  maxIter?: number;
  /** Stop when the largest Newton step component is below this (default 1e-10). */
  tol?: number;
}

/** The regularised negative log-likelihood at w (for tests and diagnostics). */
export function ridgeLogisticObjective(
  Z: Float64Array,
  y: ArrayLike<number>,
  n: number,
  p: number,
  w: ArrayLike<number>,
  o: LogisticFitOptions,
): number {
  let f = 0;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < p; j++) s += Z[i * p + j] * w[j];
    // ln(1 + e^s) − y s, computed stably
    f += (s > 0 ? s + Math.log1p(Math.exp(-s)) : Math.log1p(Math.exp(s))) - y[i] * s;
  }
  for (let j = 0; j < p; j++) {
    const dw = w[j] - (o.prior ? o.prior[j] : 0);
    f += 0.5 * o.lambda * dw * dw;
  }
  return f;
}

/** Fits w on the n × p row-major design Z and labels y ∈ {0, 1}; n may be 0 (then w = w₀). */
export function fitRidgeLogistic(
  Z: Float64Array,
  y: ArrayLike<number>,
  n: number,
  p: number,
  o: LogisticFitOptions,
): Float64Array {
  if (!(o.lambda > 0)) throw new RangeError('fitRidgeLogistic: λ must be > 0');
  const prior = Float64Array.from({ length: p }, (_, j) => (o.prior ? o.prior[j] : 0));
  const w = Float64Array.from(prior);
  const H = new Float64Array(p * p);
  const g = new Float64Array(p);
  const maxIter = o.maxIter ?? 25;
  const tol = o.tol ?? 1e-10;
  for (let it = 0; it < maxIter; it++) {
    H.fill(0);
    for (let j = 0; j < p; j++) {
      g[j] = o.lambda * (w[j] - prior[j]);
      H[j * p + j] = o.lambda;
    }
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += Z[i * p + j] * w[j];
      const q = sigmoid(s);
      const r = q - y[i];
      const v = q * (1 - q);
      for (let j = 0; j < p; j++) {
        const zj = Z[i * p + j];
        g[j] += r * zj;
        for (let k = 0; k <= j; k++) H[j * p + k] += v * zj * Z[i * p + k];
      }
    }
    for (let j = 0; j < p; j++) for (let k = 0; k < j; k++) H[k * p + j] = H[j * p + k];
    const step = solveDense(H, g, p);
    let big = 0;
    for (let j = 0; j < p; j++) big = Math.max(big, Math.abs(step[j]));
    const damp = big > 5 ? 5 / big : 1; // a damped step far from the optimum (near-separable data)
    for (let j = 0; j < p; j++) w[j] -= damp * step[j];
    if (big < tol) break;
  }
  return w;
}
