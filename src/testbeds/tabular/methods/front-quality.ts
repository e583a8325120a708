/**
 * Quality indicators of an approximate Pareto front (maximisation), as the MORL literature and the C-MORL code
 * (RuohLiuq/C-MORL, morl/utils.py and morl/ep.py) define them:
 * - hypervolume: the volume dominated by the front and dominating a reference point (exact, WFG algorithm of
 *   While, Bradstreet & Barone 2012: HV = Σ_k [vol(p_k) − HV({min(p_k, p_j) : j > k})]);
 * - expected utility: the mean over a grid of preference weights w of max_p w·p (compute_eu);
 * - sparsity: Σ over objectives of the squared gaps between consecutive sorted values, over (n − 1)
 *   (compute_sparsity);
 * - crowding distance: Σ over objectives of the normalised gap between a point's neighbours, ∞ at the ends
 *   (calculate_crowding_distance, used by C-MORL to pick the policies to extend);
 * - coverage: the fraction of an exact front's points that a front contains (possible here because the exact
 *   front is known by enumeration).
 */
import { nonDominated, sameVector } from '../solvers/pareto-front';

/** Hypervolume of `points` w.r.t. `ref` (points not strictly above ref in every objective contribute 0). */
export function hypervolume(points: readonly ArrayLike<number>[], ref: ArrayLike<number>): number {
  const m = ref.length;
  const shifted: Float64Array[] = [];
  for (const p of points) {
    if (p.length !== m) throw new RangeError(`hypervolume: point of length ${p.length}, reference of length ${m}`);
    const q = new Float64Array(m);
    let inside = true;
    for (let k = 0; k < m; k++) {
      q[k] = p[k] - ref[k];
      if (!(q[k] > 0)) inside = false;
    }
    if (inside) shifted.push(q);
  }
  return wfg(nonDominated(shifted));
}

/** WFG on non-dominated points relative to the origin; sorted by the first objective, descending. */
function wfg(pl: Float64Array[]): number {
  const n = pl.length;
  if (n === 0) return 0;
  const m = pl[0].length;
  if (m === 1) return Math.max(...pl.map((p) => p[0]));
  if (m === 2) {
    // Sweep: sorted by x descending, y ascending along a non-dominated set.
    const s = [...pl].sort((a, b) => b[0] - a[0]);
    let v = 0,
      yPrev = 0;
    for (const p of s) {
      if (p[1] > yPrev) {
        v += p[0] * (p[1] - yPrev);
        yPrev = p[1];
      }
    }
    return v;
  }
  const s = [...pl].sort((a, b) => b[0] - a[0]);
  let total = 0;
  for (let k = 0; k < n; k++) {
    const p = s[k];
    let box = 1;
    for (let d = 0; d < m; d++) box *= p[d];
    const limit: Float64Array[] = [];
    for (let j = k + 1; j < n; j++) {
      const q = new Float64Array(m);
      for (let d = 0; d < m; d++) q[d] = Math.min(p[d], s[j][d]);
      limit.push(q);
    }
    total += box - wfg(nonDominated(limit.filter((q) => q.every((x) => x > 0))));
  }
  return total;
}

/**
 * Preference weights on the simplex with components multiples of `step` (1/step must be an integer), in
 * lexicographic order (generate_w_batch_test of the C-MORL code).
 */
export function preferenceGrid(nObj: number, step: number): Float64Array[] {
  const N = Math.round(1 / step);
  if (Math.abs(N * step - 1) > 1e-9) throw new RangeError(`preferenceGrid: 1/step must be an integer, got ${step}`);
  const out: Float64Array[] = [];
  const cur = new Int32Array(nObj);
  const rec = (k: number, left: number) => {
    if (k === nObj - 1) {
      cur[k] = left;
      out.push(Float64Array.from(cur, (c) => c / N));
      return;
    }
    for (let c = 0; c <= left; c++) {
      cur[k] = c;
      rec(k + 1, left - c);
    }
  };
  rec(0, N);
  return out;
}

/** Expected utility: mean over `weights` of the best linear utility w·p over the front. */
export function expectedUtility(points: readonly ArrayLike<number>[], weights: readonly ArrayLike<number>[]): number {
  if (points.length === 0) return NaN;
  let sum = 0;
  for (const w of weights) {
    let best = -Infinity;
    for (const p of points) {
      let u = 0;
      for (let k = 0; k < w.length; k++) u += w[k] * p[k];
      if (u > best) best = u;
    }
    sum += best;
  }
  return sum / weights.length;
}

/** Sparsity (compute_sparsity): Σ_k Σ_i (sorted_k[i] − sorted_k[i−1])² / (n − 1); 0 for fewer than 2 points. */
export function sparsity(points: readonly ArrayLike<number>[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const m = points[0].length;
  let s = 0;
  for (let k = 0; k < m; k++) {
    const v = points.map((p) => p[k]).sort((a, b) => a - b);
    for (let i = 1; i < n; i++) s += (v[i] - v[i - 1]) ** 2;
  }
  return s / (n - 1);
}

/**
 * Crowding distance of each point (calculate_crowding_distance with extreme = True): per objective, sorted
 * order, interior points get (next − previous) / (max − min), the two ends ∞; summed over objectives. An
 * objective with max = min contributes 0 to interior points.
 */
export function crowdingDistance(points: readonly ArrayLike<number>[]): Float64Array {
  const n = points.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const m = points[0].length;
  for (let k = 0; k < m; k++) {
    const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => points[a][k] - points[b][k] || a - b);
    const range = points[idx[n - 1]][k] - points[idx[0]][k];
    for (let r = 1; r < n - 1; r++)
      if (range > 0) out[idx[r]] += (points[idx[r + 1]][k] - points[idx[r - 1]][k]) / range;
    out[idx[0]] = Infinity;
    out[idx[n - 1]] = Infinity;
  }
  return out;
}

/** Fraction of the exact front's points present (within tol) in `points`. */
export function frontCoverage(points: readonly ArrayLike<number>[], exact: readonly ArrayLike<number>[], tol = 1e-6) {
  let hit = 0;
  for (const e of exact) if (points.some((p) => sameVector(p, e, tol))) hit++;
  return hit / exact.length;
}
