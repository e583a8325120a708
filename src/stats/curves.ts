/**
 * Learning curves aggregated over seeds: per step the mean, median or IQM across seeds, with a
 * pointwise percentile-bootstrap band. Seeds are the resampled unit: each replicate draws seeds
 * with replacement and uses the same draw at every step (whole curves are resampled).
 */
import { Sample, quantileSorted } from './descriptive';
import { ResampleOptions, IndexDrawer, drawThreshold, resolveBootstrapOptions, toRng } from './bootstrap';

export type CurveStatistic = 'mean' | 'median' | 'iqm';

export interface CurveOptions extends ResampleOptions {
  /** Statistic across seeds at each step (default 'iqm'). */
  statistic?: CurveStatistic;
  /** Confidence level of the band (default 0.95). */
  level?: number;
}

/** An aggregated learning curve: estimate[t] with band [lo[t], hi[t]] at every step t. */
export interface CurveBand {
  estimate: Float64Array;
  lo: Float64Array;
  hi: Float64Array;
  level: number;
  statistic: CurveStatistic;
  nSeeds: number;
  reps: number;
}

/** Statistic of one step given sorted values, their seed ids, and the seed multiplicities (total n). */
function stepStatistic(
  stat: CurveStatistic,
  vals: Float64Array,
  ids: Int32Array,
  off: number,
  counts: Int32Array,
  cOff: number,
  n: number,
): number {
  if (stat === 'mean') {
    let s = 0;
    for (let j = 0; j < n; j++) s += counts[cOff + ids[off + j]] * vals[off + j];
    return s / n;
  }
  if (stat === 'iqm') {
    const from = Math.floor(0.25 * n);
    const to = n - from;
    let pos = 0;
    let sum = 0;
    for (let j = 0; j < n && pos < to; j++) {
      const c = counts[cOff + ids[off + j]];
      if (c === 0) continue;
      const end = pos + c;
      if (end > from) sum += ((end < to ? end : to) - (pos > from ? pos : from)) * vals[off + j];
      pos = end;
    }
    return sum / (to - from);
  }
  // median: type-7 quantile at 0.5
  const h = (n - 1) * 0.5;
  const r0 = Math.floor(h);
  let cum = 0;
  let a = NaN;
  let b = NaN;
  for (let j = 0; j < n; j++) {
    cum += counts[cOff + ids[off + j]];
    if (Number.isNaN(a) && cum > r0) a = vals[off + j];
    if (cum > r0 + 1) {
      b = vals[off + j];
      break;
    }
  }
  if (h === r0) return a;
  return a + (h - r0) * (b - a);
}

/** Aggregate equal-length learning curves (one series per seed) into a per-step estimate with a bootstrap band. */
export function aggregateCurves(series: readonly Sample[], opts: CurveOptions): CurveBand {
  const where = 'stats.aggregateCurves';
  const { reps, level } = resolveBootstrapOptions(opts, where);
  const rng = toRng(opts.rng, where);
  const stat = opts.statistic ?? 'iqm';
  if (stat !== 'mean' && stat !== 'median' && stat !== 'iqm')
    throw new RangeError(`${where}: statistic must be 'mean', 'median' or 'iqm', got ${String(stat)}`);
  const n = series.length;
  if (n === 0) throw new RangeError(`${where}: no series; pass one learning curve per seed`);
  const T = series[0].length;
  if (T === 0) throw new RangeError(`${where}: curves are empty`);
  series.forEach((s, k) => {
    if (s.length !== T)
      throw new RangeError(
        `${where}: series ${k} has ${s.length} steps, series 0 has ${T}; ` +
          'align curves to the same evaluation steps first',
      );
    for (let t = 0; t < T; t++)
      if (!Number.isFinite(s[t]))
        throw new RangeError(`${where}: series ${k} step ${t} is ${s[t]}; values must be finite`);
  });

  // Per step: values sorted across seeds, with the seed each came from.
  const vals = new Float64Array(T * n);
  const ids = new Int32Array(T * n);
  const perm = new Int32Array(n);
  for (let t = 0; t < T; t++) {
    for (let s = 0; s < n; s++) perm[s] = s;
    perm.sort((a, b) => series[a][t] - series[b][t] || a - b);
    for (let j = 0; j < n; j++) {
      ids[t * n + j] = perm[j];
      vals[t * n + j] = series[perm[j]][t];
    }
  }

  // Seed multiplicities of every replicate, drawn once and shared by all steps.
  const counts = new Int32Array((reps + 1) * n);
  counts.fill(1, reps * n); // row `reps` = the original sample
  const threshold = drawThreshold(n);
  const drawer = new IndexDrawer(rng);
  for (let r = 0; r < reps; r++) {
    drawer.addCounts(counts, r * n, n, threshold);
  }

  const estimate = new Float64Array(T);
  const lo = new Float64Array(T);
  const hi = new Float64Array(T);
  const rv = new Float64Array(reps);
  const alpha = (1 - level) / 2;
  for (let t = 0; t < T; t++) {
    const off = t * n;
    estimate[t] = stepStatistic(stat, vals, ids, off, counts, reps * n, n);
    for (let r = 0; r < reps; r++) rv[r] = stepStatistic(stat, vals, ids, off, counts, r * n, n);
    rv.sort();
    lo[t] = quantileSorted(rv, alpha);
    hi[t] = quantileSorted(rv, 1 - alpha);
  }
  return { estimate, lo, hi, level, statistic: stat, nSeeds: n, reps };
}
