/**
 * Exact Pareto fronts of deterministic vector-reward MDPs (env/vector-reward.ts), by enumeration of the return
 * vectors deterministic policies can reach. All objectives are maximised.
 *
 * `exactParetoFront` runs multi-objective backward induction: F_0(s) = {0}, F_h(s) = ND(∪_a {r(s, a) + v :
 * v ∈ F_{h−1}(s')}) (a terminal transition contributes r(s, a) alone), where ND keeps the non-dominated
 * vectors. F_H(start) is the Pareto front of the returns of all deterministic (possibly non-stationary)
 * policies over the horizon H. For the benchmarks here (a tree; a grid whose every step costs time) Pareto-
 * optimal paths never revisit a state, so the front equals that of stationary deterministic policies; the
 * tests check this against brute-force enumeration of every stationary deterministic policy.
 */
import type { VectorMdp } from '../env/vector-reward';

/** Does p Pareto-dominate q (p ≥ q componentwise, p > q somewhere; maximisation)? */
export function dominates(p: ArrayLike<number>, q: ArrayLike<number>): boolean {
  let strict = false;
  for (let k = 0; k < p.length; k++) {
    if (p[k] < q[k]) return false;
    if (p[k] > q[k]) strict = true;
  }
  return strict;
}

/** Are p and q equal within tol in every component? */
export function sameVector(p: ArrayLike<number>, q: ArrayLike<number>, tol = 1e-9): boolean {
  for (let k = 0; k < p.length; k++) if (Math.abs(p[k] - q[k]) > tol) return false;
  return true;
}

/**
 * The non-dominated vectors of `points`, duplicates (within tol) removed, sorted lexicographically
 * (first objective descending, then the next, …) so equal sets come out in equal order.
 */
export function nonDominated(points: readonly ArrayLike<number>[], tol = 1e-9): Float64Array[] {
  const out: Float64Array[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i];
    let keep = true;
    for (let j = 0; j < points.length && keep; j++) if (j !== i && dominates(points[j], p)) keep = false;
    if (keep && !out.some((q) => sameVector(q, p, tol))) out.push(Float64Array.from(p));
  }
  return out.sort((a, b) => {
    for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return b[k] - a[k];
    return 0;
  });
}

/** The exact Pareto front of undiscounted returns from `mdp.start` over its horizon (backward induction). */
export function exactParetoFront(mdp: VectorMdp): Float64Array[] {
  const { nS, nA, nObj } = mdp;
  let F: Float64Array[][] = Array.from({ length: nS }, () => [new Float64Array(nObj)]);
  for (let h = 1; h <= mdp.horizon; h++) {
    const G: Float64Array[][] = [];
    for (let s = 0; s < nS; s++) {
      const cand: Float64Array[] = [];
      for (let a = 0; a < nA; a++) {
        const i = s * nA + a;
        const r = mdp.reward.subarray(i * nObj, (i + 1) * nObj);
        const s2 = mdp.next[i];
        if (s2 < 0) cand.push(Float64Array.from(r));
        else
          for (const v of F[s2]) {
            const u = new Float64Array(nObj);
            for (let k = 0; k < nObj; k++) u[k] = r[k] + v[k];
            cand.push(u);
          }
      }
      G.push(nonDominated(cand));
    }
    F = G;
  }
  return F[mdp.start];
}

/** The ideal point: the per-objective maxima of a front. */
export function idealPoint(front: readonly ArrayLike<number>[]): Float64Array {
  const m = front[0].length;
  const out = new Float64Array(m).fill(-Infinity);
  for (const p of front) for (let k = 0; k < m; k++) out[k] = Math.max(out[k], p[k]);
  return out;
}
