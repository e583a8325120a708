/**
 * pass@k, the probability that at least one of k attempts succeeds, in the two forms the RLVR papers use:
 *
 * From samples — the unbiased estimator of Chen et al. (2021, "Evaluating Large Language Models
 * Trained on Code", eq. 1): with n samples of which c are correct,
 *   pass@k = E[1 − C(n − c, k) / C(n, k)],
 * computed stably as 1 − Π_{i = n−c+1}^{n} (1 − k / i) (their numpy snippet), with no large binomials
 * (`passAtK`, `passAtKCurve`, `meanPassAtK`).
 *
 * Exact — from a problem's success probability p per independent attempt: pass@k = 1 − (1 − p)^k.
 * Two evaluations of that formula are kept, because the recorded results of the notebooks were
 * computed with both and they differ in the last bits: `passAtKExact` / `meanPassAtKExact`
 * (−expm1(k·log1p(−p)), accurate for tiny p and large k; the bandit, two-stage and log-linear
 * miniatures) and `meanPassAtKPow` (1 − Math.pow(1 − p, k); the GRU base model and ROVER's digit task).
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

/**
 * Exact pass@k of a problem solved with probability p per independent attempt: 1 − (1 − p)^k,
 * computed as −expm1(k·log1p(−p)) (accurate for tiny p and large k).
 */
export function passAtKExact(p: number, k: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`rlvr.passAtKExact: p must be in [0, 1], got ${p}`);
  if (!(k >= 1)) throw new RangeError(`rlvr.passAtKExact: k must be ≥ 1, got ${k}`);
  if (p === 1) return 1;
  return -Math.expm1(k * Math.log1p(-p));
}

/**
 * Mean over problems of the exact pass@k, `passAtKExact` of each p (clamped into [0, 1]); only the
 * problems with mask[q] ≠ 0 when a mask is given.
 */
export function meanPassAtKExact(p: ArrayLike<number>, k: number, mask?: ArrayLike<number>): number {
  if (p.length === 0) throw new RangeError('rlvr.meanPassAtKExact: no problems');
  let s = 0;
  let n = 0;
  for (let q = 0; q < p.length; q++) {
    if (mask && !mask[q]) continue;
    s += passAtKExact(Math.min(1, Math.max(0, p[q])), k);
    n++;
  }
  if (n === 0) throw new RangeError('rlvr.meanPassAtKExact: the mask selects no problem');
  return s / n;
}

/**
 * Mean over problems of the exact pass@k evaluated directly as 1 − Math.pow(1 − p, k) (the GRU base
 * model's and ROVER's records; not bit-identical to `meanPassAtKExact`).
 */
export function meanPassAtKPow(p: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += 1 - Math.pow(1 - p[i], k);
  return s / p.length;
}
