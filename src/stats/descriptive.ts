/**
 * Descriptive statistics on plain samples (number[] or typed arrays). None of them mutates its input.
 * Definitions follow numpy / scipy / rliable so numbers can be checked against the Python tools.
 */

/** A sample of real numbers: number[], Float64Array, or anything array-like. */
export type Sample = ArrayLike<number>;

/** Throws a RangeError naming the function when the sample is empty or holds a non-finite value. */
export function checkSample(x: Sample, where: string): void {
  if (x.length === 0) throw new RangeError(`${where}: empty sample; pass at least one value`);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new RangeError(
        `${where}: value at index ${i} is ${x[i]}; samples must be finite numbers (drop or impute missing runs first)`,
      );
    }
  }
}

/** A sorted Float64Array copy of the sample (validated: non-empty, finite). */
export function sortedCopy(x: Sample, where = 'stats.sortedCopy'): Float64Array {
  checkSample(x, where);
  return Float64Array.from(x).sort();
}

/** Arithmetic mean. */
export function mean(x: Sample): number {
  checkSample(x, 'stats.mean');
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i];
  return s / x.length;
}

/** Standard deviation with `ddof` delta degrees of freedom (default 1: the sample standard deviation). */
export function std(x: Sample, ddof = 1): number {
  checkSample(x, 'stats.std');
  if (x.length - ddof <= 0) throw new RangeError(`stats.std: needs more than ddof=${ddof} values, got ${x.length}`);
  const m = mean(x);
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - m) * (x[i] - m);
  return Math.sqrt(ss / (x.length - ddof));
}

/** Quantile at probability p of an already sorted array (type 7, linear interpolation). */
export function quantileSorted(sorted: ArrayLike<number>, p: number, n = sorted.length): number {
  const h = (n - 1) * p;
  const i = Math.floor(h);
  if (i >= n - 1) return sorted[n - 1];
  const f = h - i;
  return f === 0 ? sorted[i] : sorted[i] + f * (sorted[i + 1] - sorted[i]);
}

/** Quantile of x at probability p in [0, 1] (Hyndman–Fan type 7: numpy's and R's default). */
export function quantile(x: Sample, p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`stats.quantile: p must be in [0, 1], got ${p}`);
  return quantileSorted(sortedCopy(x, 'stats.quantile'), p);
}

/** Median (type-7 quantile at 0.5: the mean of the two middle values for even n). */
export function median(x: Sample): number {
  return quantile(x, 0.5);
}

/** Trimmed mean: drop floor(proportion·n) values from each end of the sorted sample (scipy.stats.trim_mean). */
export function trimmedMean(x: Sample, proportion: number): number {
  if (!(proportion >= 0 && proportion < 0.5))
    throw new RangeError(`stats.trimmedMean: proportion must be in [0, 0.5), got ${proportion}`);
  const s = sortedCopy(x, 'stats.trimmedMean');
  const cut = Math.floor(proportion * s.length);
  let sum = 0;
  for (let i = cut; i < s.length - cut; i++) sum += s[i];
  return sum / (s.length - 2 * cut);
}

/**
 * Interquartile mean (IQM, rliable): scipy.stats.trim_mean(x, 0.25), the mean after dropping floor(n/4) values at
 * each end.
 */
export function interquartileMean(x: Sample): number {
  return trimmedMean(x, 0.25);
}

/** Optimality gap (rliable): gamma − mean(min(x, gamma)), how far scores fall short of the target gamma. */
export function optimalityGap(x: Sample, gamma = 1): number {
  checkSample(x, 'stats.optimalityGap');
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.min(x[i], gamma);
  return gamma - s / x.length;
}
