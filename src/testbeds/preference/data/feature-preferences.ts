/**
 * Preference data on feature-vector responses (the reward-model lab): responses x ~ N(0, I_d), utilities linear in x,
 * pairs labelled by Bradley–Terry draws, P(a ≻ b) = σ(u(a) − u(b)).
 */
import type { Rng } from '../../../core/rng';

/** A uniformly random unit vector in R^d. */
export function unitVector(rng: Rng, d: number): Float64Array {
  const v = rng.normals(d);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/** ⟨u, x_i⟩ for row i of a row-major n × d response matrix. */
export function dotRow(u: ArrayLike<number>, x: Float32Array, i: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) s += u[j] * x[i * d + j];
  return s;
}

/** n responses x ~ N(0, I_d), row-major float32. */
export function responses(rng: Rng, n: number, d: number): Float32Array {
  return Float32Array.from(rng.normals(n * d));
}

/** Labelled pairs: first / second responses (n × d), the true P(first ≻ second) and a Bernoulli draw of it. */
export interface LabelledPairs {
  x1: Float32Array;
  x2: Float32Array;
  /** σ(u(x1) − u(x2)). */
  p: Float64Array;
  /** 1 if the first was preferred in the draw, else 0. */
  y: Float32Array;
}

/** n pairs of fresh responses labelled by Bradley–Terry draws from the utility `util(x, i)` of row i. */
export function labelledPairs(
  rng: Rng,
  n: number,
  d: number,
  util: (x: Float32Array, i: number) => number,
): LabelledPairs {
  const x1 = responses(rng, n, d),
    x2 = responses(rng, n, d);
  const y = new Float32Array(n),
    p = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    p[i] = 1 / (1 + Math.exp(-(util(x1, i) - util(x2, i))));
    y[i] = rng.uniform() < p[i] ? 1 : 0;
  }
  return { x1, x2, y, p };
}

/** Row subset of a row-major matrix. */
export function rowsOf(x: Float32Array, idx: ArrayLike<number>, d: number): Float32Array {
  const out = new Float32Array(idx.length * d);
  for (let i = 0; i < idx.length; i++) out.set(x.subarray(idx[i] * d, (idx[i] + 1) * d), i * d);
  return out;
}
