/**
 * Performance profiles (rliable's score distributions): the fraction of runs whose score exceeds
 * each threshold tau, optionally with pointwise stratified-bootstrap bands.
 */
import { Sample, quantileSorted } from './descriptive';
import { IndexDrawer, Resampler, ResampleOptions, resolveBootstrapOptions, toRng, toStrata } from './bootstrap';

export interface ProfileOptions extends ResampleOptions {
  /** Confidence level of the band (default 0.95). */
  level?: number;
}

/** A performance profile: fraction[i] = share of runs with score > taus[i], with an optional band. */
export interface PerformanceProfile {
  taus: Float64Array;
  fraction: Float64Array;
  lo?: Float64Array;
  hi?: Float64Array;
  level?: number;
  reps?: number;
}

/**
 * Fraction of runs (pooled over tasks, as rliable) with score strictly above each tau; pass `opts`
 * (with an rng) to get a percentile band from a stratified bootstrap over runs within tasks.
 */
export function performanceProfile(
  scores: Sample | readonly Sample[],
  taus: Sample,
  opts?: ProfileOptions,
): PerformanceProfile {
  const where = 'stats.performanceProfile';
  const rs = new Resampler(toStrata(scores, where));
  const tauArr = Float64Array.from(taus);
  tauArr.forEach((t, i) => {
    if (Number.isNaN(t)) throw new RangeError(`${where}: tau at index ${i} is NaN`);
  });
  const N = rs.total;
  // For each tau, how many pooled sorted values are <= tau (a fixed position in the global order).
  const sortedPooled = new Float64Array(N);
  for (let q = 0; q < N; q++) sortedPooled[q] = rs.values[rs.order[q]];
  const below = new Int32Array(tauArr.length);
  for (let i = 0; i < tauArr.length; i++) {
    let a = 0;
    let b = N;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (sortedPooled[mid] <= tauArr[i]) a = mid + 1;
      else b = mid;
    }
    below[i] = a;
  }
  const fraction = new Float64Array(tauArr.length);
  for (let i = 0; i < tauArr.length; i++) fraction[i] = (N - below[i]) / N;
  if (!opts) return { taus: tauArr, fraction };

  const { reps, level } = resolveBootstrapOptions(opts, where);
  const drawer = new IndexDrawer(toRng(opts.rng, where));
  const T = tauArr.length;
  const rv = new Float64Array(T * reps);
  const cum = new Int32Array(N + 1);
  for (let r = 0; r < reps; r++) {
    rs.resample(drawer);
    for (let q = 0; q < N; q++) cum[q + 1] = cum[q] + rs.counts[rs.order[q]];
    for (let i = 0; i < T; i++) rv[i * reps + r] = (N - cum[below[i]]) / N;
  }
  const lo = new Float64Array(T);
  const hi = new Float64Array(T);
  const alpha = (1 - level) / 2;
  for (let i = 0; i < T; i++) {
    const col = rv.subarray(i * reps, (i + 1) * reps).sort();
    lo[i] = quantileSorted(col, alpha);
    hi[i] = quantileSorted(col, 1 - alpha);
  }
  return { taus: tauArr, fraction, lo, hi, level, reps };
}
