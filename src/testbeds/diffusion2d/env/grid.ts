/**
 * The ground truth on a grid: an n × n grid of cells on the box [lo, hi]², cell masses of a density (midpoint
 * rule, renormalised over the box), the tilted target p_ref·exp(r/β)/Z, histograms of sample sets, and the
 * distances between them (KL, TV, mode masses). Cell (ix, iy) has index iy·n + ix and centre
 * (lo + (ix + ½)h, lo + (iy + ½)h), h = (hi − lo)/n.
 *
 * A histogram's KL to a grid density, KL(p̂ ‖ q) = Σ p̂ log(p̂/q), is biased upward by about (occupied cells −
 * 1)/(2N) for N samples; compare models on a coarse grid (`gridCoarsen`) and against the same statistic of N exact
 * samples (the floor).
 */
import { gmmAssign, gmmLogDensity, type Gmm2d } from './gmm';
import type { Reward2d } from './rewards';

export interface Grid2d {
  lo: number;
  hi: number;
  n: number;
  /** Cell width (hi − lo)/n. */
  h: number;
  /** Cell centres, 2n² flat. */
  centers: Float64Array;
}

export function makeGrid2d(lo = -5, hi = 5, n = 128): Grid2d {
  if (!(hi > lo) || !Number.isInteger(n) || n < 1)
    throw new RangeError(`diffusion2d.makeGrid2d: need hi > lo and an integer n ≥ 1, got [${lo}, ${hi}], n = ${n}`);
  const h = (hi - lo) / n;
  const centers = new Float64Array(2 * n * n);
  for (let iy = 0; iy < n; iy++)
    for (let ix = 0; ix < n; ix++) {
      centers[2 * (iy * n + ix)] = lo + (ix + 0.5) * h;
      centers[2 * (iy * n + ix) + 1] = lo + (iy + 0.5) * h;
    }
  return { lo, hi, n, h, centers };
}

/** Number of cells n². */
export function gridCells(grid: Grid2d): number {
  return grid.n * grid.n;
}

/**
 * Cell masses of a density given by its log (midpoint rule), renormalised over the box; `inside` is the
 * unnormalised Σ p(centre)·h² (≈ the density's mass inside the box when it is normalised).
 */
export function gridMasses(
  grid: Grid2d,
  logDensity: (x: Float64Array, N: number) => Float64Array,
): { p: Float64Array; inside: number } {
  const M = gridCells(grid);
  const lp = logDensity(grid.centers, M);
  let m = -Infinity;
  for (let i = 0; i < M; i++) if (lp[i] > m) m = lp[i];
  const p = new Float64Array(M);
  let s = 0;
  for (let i = 0; i < M; i++) s += p[i] = Math.exp(lp[i] - m);
  for (let i = 0; i < M; i++) p[i] /= s;
  return { p, inside: s * Math.exp(m) * grid.h * grid.h };
}

/** Cell masses of a Gaussian mixture. */
export function gridGmm(grid: Grid2d, g: Gmm2d): Float64Array {
  return gridMasses(grid, (x, N) => gmmLogDensity(g, x, N)).p;
}

/** A reward at the cell centres. */
export function rewardOnGrid(grid: Grid2d, r: Reward2d): Float64Array {
  return r.value(grid.centers, gridCells(grid));
}

/**
 * The tilted target q ∝ p·exp(r/β) on the grid (the optimum of E_q[r] − β·KL(q ‖ p)) and log Z = log Σ p·exp(r/β)
 * (with p the grid masses, so Z = E_p[exp(r/β)]).
 */
export function gridTilt(p: Float64Array, r: Float64Array, beta: number): { q: Float64Array; logZ: number } {
  if (!(beta > 0)) throw new RangeError(`diffusion2d.gridTilt: β must be > 0, got ${beta}`);
  if (p.length !== r.length) throw new RangeError('diffusion2d.gridTilt: p and r must have one entry per cell');
  let m = -Infinity;
  for (let i = 0; i < p.length; i++) if (p[i] > 0 && r[i] / beta > m) m = r[i] / beta;
  const q = new Float64Array(p.length);
  let s = 0;
  for (let i = 0; i < p.length; i++) s += q[i] = p[i] > 0 ? p[i] * Math.exp(r[i] / beta - m) : 0;
  for (let i = 0; i < p.length; i++) q[i] /= s;
  return { q, logZ: m + Math.log(s) };
}

/**
 * Histogram of N points: masses of the samples inside the box (renormalised over them) and the fraction outside.
 */
export function gridHistogram(grid: Grid2d, x: ArrayLike<number>, N: number): { p: Float64Array; outside: number } {
  const n = grid.n,
    p = new Float64Array(n * n);
  let inside = 0;
  for (let i = 0; i < N; i++) {
    const ix = Math.floor((x[2 * i] - grid.lo) / grid.h),
      iy = Math.floor((x[2 * i + 1] - grid.lo) / grid.h);
    if (ix >= 0 && ix < n && iy >= 0 && iy < n) {
      p[iy * n + ix]++;
      inside++;
    }
  }
  if (inside > 0) for (let i = 0; i < p.length; i++) p[i] /= inside;
  return { p, outside: N > 0 ? 1 - inside / N : 0 };
}

/** Sums f × f blocks of cells: masses on the (n/f) × (n/f) grid of the same box. */
export function gridCoarsen(grid: Grid2d, p: Float64Array, f: number): { grid: Grid2d; p: Float64Array } {
  if (!Number.isInteger(f) || f < 1 || grid.n % f !== 0)
    throw new RangeError(`diffusion2d.gridCoarsen: factor ${f} must divide the grid size ${grid.n}`);
  const n = grid.n,
    m = n / f;
  const out = new Float64Array(m * m);
  for (let iy = 0; iy < n; iy++)
    for (let ix = 0; ix < n; ix++) out[Math.floor(iy / f) * m + Math.floor(ix / f)] += p[iy * n + ix];
  return { grid: makeGrid2d(grid.lo, grid.hi, m), p: out };
}

/** KL(p ‖ q) = Σ p log(p/q) in nats (0 log 0 = 0; Infinity where p > 0 = q). */
export function gridKl(p: Float64Array, q: Float64Array): number {
  if (p.length !== q.length) throw new RangeError('diffusion2d.gridKl: p and q must have the same cells');
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] <= 0) continue;
    if (q[i] <= 0) return Infinity;
    s += p[i] * Math.log(p[i] / q[i]);
  }
  return Math.max(0, s);
}

/** Total variation ½ Σ |p − q|. */
export function gridTv(p: Float64Array, q: Float64Array): number {
  if (p.length !== q.length) throw new RangeError('diffusion2d.gridTv: p and q must have the same cells');
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i] - q[i]);
  return 0.5 * s;
}

/** E_p[r] on the grid. */
export function gridExpectation(p: Float64Array, r: Float64Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += p[i] * r[i];
  return s;
}

/**
 * Mode masses of grid masses p: each cell goes to the component of `modes` with the largest responsibility at
 * its centre; returns one mass per component (summing to 1).
 */
export function gridModeMasses(grid: Grid2d, p: Float64Array, modes: Gmm2d): Float64Array {
  const a = gmmAssign(modes, grid.centers, gridCells(grid));
  const out = new Float64Array(modes.w.length);
  for (let i = 0; i < p.length; i++) out[a[i]] += p[i];
  return out;
}

/** Mode masses of N samples (the fraction assigned to each component of `modes`, all samples counted). */
export function sampleModeMasses(x: ArrayLike<number>, N: number, modes: Gmm2d): Float64Array {
  const a = gmmAssign(modes, x, N);
  const out = new Float64Array(modes.w.length);
  for (let i = 0; i < N; i++) out[a[i]] += 1 / N;
  return out;
}

/** How close a set of samples comes to a reference density and to its tilt, on the coarse grid (`tiltScorer`). */
export interface TiltScore {
  /** KL(h ‖ q) of the samples' coarse histogram h to the coarse tilted target q. */
  klTilt: number;
  /** KL(h ‖ p_ref) to the coarse reference density. */
  klRef: number;
  /** Mean reward r of the samples (all of them, inside the box or not). */
  reward: number;
  /** Fraction of the samples outside the box. */
  outside: number;
}

/**
 * The exact KL-regularised optimum of a reward for a reference density given by its grid masses p_ref, and a scorer
 * of sample sets against it: q = p_ref·exp(r/β)/Z (`gridTilt`, on the fine grid), its and p_ref's masses summed in
 * `coarsen`² blocks (the KLs are taken on the coarse grid, where the histogram bias is small), E_q[r] on the fine
 * grid, and `score(x, N)`: the `TiltScore` of N points x (2N flat).
 */
export function tiltScorer(
  grid: Grid2d,
  pRef: Float64Array,
  reward: Reward2d,
  beta: number,
  coarsen: number,
): {
  q: Float64Array;
  qCoarse: Float64Array;
  pRefCoarse: Float64Array;
  tiltReward: number;
  score: (x: Float64Array, N: number) => TiltScore;
} {
  const rGrid = rewardOnGrid(grid, reward);
  const q = gridTilt(pRef, rGrid, beta).q;
  const coarse = (p: Float64Array) => gridCoarsen(grid, p, coarsen).p;
  const qCoarse = coarse(q),
    pRefCoarse = coarse(pRef);
  const score = (x: Float64Array, N: number): TiltScore => {
    const h = gridHistogram(grid, x, N);
    const hC = coarse(h.p);
    const r = reward.value(x, N).reduce((a, b) => a + b, 0) / N;
    return { klTilt: gridKl(hC, qCoarse), klRef: gridKl(hC, pRefCoarse), reward: r, outside: h.outside };
  };
  return { q, qCoarse, pRefCoarse, tiltReward: gridExpectation(q, rGrid), score };
}
