/**
 * LinUCB / OFUL (Abbasi-Yadkori, Pál & Szepesvári 2011, "Improved Algorithms for Linear Stochastic Bandits"):
 * ridge estimate θ̂_t = V_t^{-1} b_t with V_t = λI + Σ_s a_s a_sᵀ, b_t = Σ_s a_s y_s, and the optimistic action
 *   a_t = argmax_a ⟨θ̂_t, a⟩ + β_t ‖a‖_{V_t^{-1}},
 *   β_t = √λ S + σ sqrt(2 ln(1/δ) + d ln(1 + t L² / (d λ)))          (Theorem 2; ‖θ*‖ ≤ S, ‖a‖ ≤ L).
 * V_t^{-1} is kept by Sherman–Morrison updates (d is small).
 */
import { actionOf } from '../env/linear';
import { argmax } from './policy';

/** Ridge regression state with its inverse Gram matrix. */
export class RidgeRegression {
  readonly d: number;
  readonly Vinv: Float64Array;
  readonly b: Float64Array;
  readonly theta: Float64Array;
  samples = 0;
  private readonly u: Float64Array;

  constructor(d: number, lambda: number) {
    if (!(lambda > 0)) throw new RangeError(`RidgeRegression: λ must be > 0, got ${lambda}`);
    this.d = d;
    this.Vinv = new Float64Array(d * d);
    for (let i = 0; i < d; i++) this.Vinv[i * d + i] = 1 / lambda;
    this.b = new Float64Array(d);
    this.theta = new Float64Array(d);
    this.u = new Float64Array(d);
  }

  /** V ← V + a aᵀ, b ← b + a y, θ̂ ← V^{-1} b. */
  add(a: ArrayLike<number>, y: number): void {
    const { d, Vinv, u } = this;
    let q = 1;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Vinv[i * d + j] * a[j];
      u[i] = s;
      q += a[i] * s;
    }
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) Vinv[i * d + j] -= (u[i] * u[j]) / q;
    for (let i = 0; i < d; i++) this.b[i] += a[i] * y;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += Vinv[i * d + j] * this.b[j];
      this.theta[i] = s;
    }
    this.samples++;
  }

  /** ‖a‖_{V^{-1}}. */
  width(a: ArrayLike<number>): number {
    const { d, Vinv } = this;
    let s = 0;
    for (let i = 0; i < d; i++) {
      let r = 0;
      for (let j = 0; j < d; j++) r += Vinv[i * d + j] * a[j];
      s += a[i] * r;
    }
    return Math.sqrt(Math.max(0, s));
  }

  predict(a: ArrayLike<number>): number {
    let s = 0;
    for (let i = 0; i < this.d; i++) s += this.theta[i] * a[i];
    return s;
  }
}

/** OFUL's confidence radius β_t of Theorem 2. */
export function ofulBeta(o: {
  t: number;
  d: number;
  lambda: number;
  S: number;
  sigma: number;
  L: number;
  delta: number;
}) {
  const { t, d, lambda, S, sigma, L, delta } = o;
  return (
    Math.sqrt(lambda) * S + sigma * Math.sqrt(2 * Math.log(1 / delta) + d * Math.log(1 + (t * L * L) / (d * lambda)))
  );
}

/** argmax_k ⟨θ̂, a_k⟩ + β ‖a_k‖_{V^{-1}} over K actions (row-major K×d). */
export function optimisticAction(ridge: RidgeRegression, actions: Float64Array, beta: number): number {
  const d = ridge.d,
    K = actions.length / d;
  const idx = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const a = actionOf({ actions, d }, k);
    idx[k] = ridge.predict(a) + beta * ridge.width(a);
  }
  return argmax(idx);
}
