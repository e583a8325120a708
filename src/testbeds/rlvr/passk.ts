/**
 * The unbiased pass@k estimator of Chen et al. (2021, "Evaluating Large Language Models Trained on
 * Code", eq. 1): with n samples of which c are correct,
 *
 *   pass@k = E[1 − C(n − c, k) / C(n, k)],
 *
 * computed stably as 1 − Π_{i = n−c+1}^{n} (1 − k / i) (their numpy snippet), with no large binomials.
 */

function checkCounts(n: number, c: number, k: number, where: string): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${where}: n (samples) must be a positive integer, got ${n}`);
  if (!Number.isInteger(c) || c < 0 || c > n)
    throw new RangeError(`${where}: c (correct samples) must be an integer in [0, n = ${n}], got ${c}`);
  if (!Number.isInteger(k) || k < 1 || k > n)
    throw new RangeError(`${where}: k must be an integer in [1, n = ${n}], got ${k} (pass@k needs at least k samples)`);
}

/** Unbiased pass@k from n samples with c correct (Chen et al. 2021). */
export function passAtK(n: number, c: number, k: number): number {
  checkCounts(n, c, k, 'rlvr.passAtK');
  if (n - c < k) return 1;
  let prod = 1;
  for (let i = n - c + 1; i <= n; i++) prod *= 1 - k / i;
  return 1 - prod;
}

/** pass@k for every k in `ks` (each ≤ n). */
export function passAtKCurve(n: number, c: number, ks: readonly number[]): number[] {
  return ks.map((k) => passAtK(n, c, k));
}

/** Mean over problems of the unbiased pass@k, given per-problem sample counts and correct counts. */
export function meanPassAtK(ns: ArrayLike<number>, cs: ArrayLike<number>, k: number): number {
  if (ns.length !== cs.length || ns.length === 0)
    throw new RangeError(
      `rlvr.meanPassAtK: need one (n, c) pair per problem, got ${ns.length} n's and ${cs.length} c's`,
    );
  let s = 0;
  for (let i = 0; i < ns.length; i++) s += passAtK(ns[i], cs[i], k);
  return s / ns.length;
}
