/** Scalar and row-wise soft-max helpers shared by every testbed (float64, numerically stable). */

/** σ(z) = 1 / (1 + e^{−z}), evaluated without overflow for either sign of z. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log Σ exp(v[off .. off+n)), shifted by the maximum; −∞ for an all −∞ slice. */
export function logSumExp(v: ArrayLike<number>, off: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (v[off + i] > m) m = v[off + i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(v[off + i] - m);
  return m + Math.log(s);
}
