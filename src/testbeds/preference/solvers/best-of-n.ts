/**
 * Exact best-of-n on a finite pool: draw n responses i.i.d. from π_ref over a pool of m responses, keep the one
 * with the highest proxy reward r (ties broken towards the lower index), and score it by the gold utility g.
 * Sorting the pool by r ascending with cumulative reference mass F_k, the kept response is the k-th with
 * probability F_k^n − F_{k−1}^n, so E[g(best of n)] = Σ_k (F_k^n − F_{k−1}^n)·g_(k) — no sampling.
 */

/** E[g(argmax_r of n i.i.d. draws from ref)] on one pool (ref sums to 1). */
export function bestOfNValue(
  ref: ArrayLike<number>,
  proxy: ArrayLike<number>,
  gold: ArrayLike<number>,
  n: number,
): number {
  const m = ref.length;
  if (proxy.length !== m || gold.length !== m)
    throw new RangeError(
      `bestOfNValue: ref, proxy and gold must have the same length (${m}, ${proxy.length}, ${gold.length})`,
    );
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`bestOfNValue: n must be an integer ≥ 1, got ${n}`);
  // ascending in proxy; among ties the higher index first, so the lower index wins (comes later).
  const order = Array.from({ length: m }, (_, i) => i).sort((a, b) => proxy[a] - proxy[b] || b - a);
  let F = 0,
    v = 0;
  for (const i of order) {
    const next = F + ref[i];
    v += (Math.pow(Math.min(next, 1), n) - Math.pow(F, n)) * gold[i];
    F = next;
  }
  return v;
}

/** Mean over contexts of bestOfNValue, for row-major nX × nY tables. */
export function bestOfNTable(
  ref: Float64Array,
  proxy: Float64Array,
  gold: Float64Array,
  nX: number,
  nY: number,
  n: number,
): number {
  let s = 0;
  for (let x = 0; x < nX; x++) {
    const sl = (a: Float64Array) => a.subarray(x * nY, (x + 1) * nY);
    s += bestOfNValue(sl(ref), sl(proxy), sl(gold), n);
  }
  return s / nX;
}
