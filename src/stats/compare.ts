/**
 * Comparing two methods: probability of improvement (rliable), paired and unpaired mean differences,
 * each with a bootstrap interval.
 */
import { Sample, checkSample } from './descriptive';
import { BootstrapInterval, BootstrapOptions, StatisticName, bootstrapCI, toStrata } from './bootstrap';

/** P(X > Y) + ½P(X = Y) from two sorted segments of one buffer (Mann–Whitney U / (n·m)), O(n + m). */
function poiSorted(buf: Float64Array, xs: number, xe: number, ys: number, ye: number): number {
  let j = ys; // first y >= current x
  let k = ys; // first y > current x
  let s = 0;
  for (let i = xs; i < xe; i++) {
    const v = buf[i];
    while (j < ye && buf[j] < v) j++;
    if (k < j) k = j;
    while (k < ye && buf[k] <= v) k++;
    s += j - ys + 0.5 * (k - j);
  }
  return s / ((xe - xs) * (ye - ys));
}

/** Average over tasks of per-task P(X > Y); offsets hold the x strata then the y strata. */
function poiStatistic(x: Float64Array, offsets: Int32Array): number {
  const t = (offsets.length - 1) / 2;
  let s = 0;
  for (let k = 0; k < t; k++) s += poiSorted(x, offsets[k], offsets[k + 1], offsets[t + k], offsets[t + k + 1]);
  return s / t;
}

function poiStrata(x: Sample | readonly Sample[], y: Sample | readonly Sample[], where: string): Sample[] {
  const xs = toStrata(x, `${where} (x)`);
  const ys = toStrata(y, `${where} (y)`);
  if (xs.length !== ys.length) throw new RangeError(`${where}: x has ${xs.length} tasks and y has ${ys.length}; pass the same tasks for both methods`);
  return [...xs, ...ys];
}

/**
 * Probability of improvement P(X > Y) (ties count ½): the Mann–Whitney U statistic over n·m; with
 * strata (one array per task) the average of the per-task values, as in rliable.
 */
export function probabilityOfImprovement(x: Sample | readonly Sample[], y: Sample | readonly Sample[]): number {
  const strata = poiStrata(x, y, 'stats.probabilityOfImprovement');
  const offsets = new Int32Array(strata.length + 1);
  strata.forEach((s, k) => (offsets[k + 1] = offsets[k] + s.length));
  const buf = new Float64Array(offsets[strata.length]);
  strata.forEach((s, k) => {
    const seg = buf.subarray(offsets[k], offsets[k + 1]);
    seg.set(Array.from(s));
    seg.sort();
  });
  return poiStatistic(buf, offsets);
}

/** Probability of improvement with a stratified bootstrap interval (x and y resampled independently within each task). */
export function probabilityOfImprovementCI(
  x: Sample | readonly Sample[],
  y: Sample | readonly Sample[],
  opts: BootstrapOptions,
): BootstrapInterval {
  return bootstrapCI(poiStrata(x, y, 'stats.probabilityOfImprovementCI'), poiStatistic, opts);
}

/** Per-seed differences a[i] − b[i] (seeds paired by index). */
export function pairedDifferences(a: Sample, b: Sample, where = 'stats.pairedDifferences'): Float64Array {
  checkSample(a, `${where} (a)`);
  checkSample(b, `${where} (b)`);
  if (a.length !== b.length) throw new RangeError(`${where}: paired samples need one value per seed in each; a has ${a.length}, b has ${b.length}`);
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return d;
}

/** Paired difference over seeds: statistic (default mean) of a[i] − b[i] with a bootstrap interval over seeds. */
export function pairedDifferenceCI(
  a: Sample,
  b: Sample,
  opts: BootstrapOptions & { statistic?: StatisticName },
): BootstrapInterval {
  return bootstrapCI(pairedDifferences(a, b, 'stats.pairedDifferenceCI'), opts.statistic ?? 'mean', opts);
}

/** Difference of means of two segments of a buffer (segment 0 minus segment 1). */
function meanDifferenceStatistic(x: Float64Array, offsets: Int32Array): number {
  let sa = 0;
  let sb = 0;
  for (let i = offsets[0]; i < offsets[1]; i++) sa += x[i];
  for (let i = offsets[1]; i < offsets[2]; i++) sb += x[i];
  return sa / (offsets[1] - offsets[0]) - sb / (offsets[2] - offsets[1]);
}

/** Unpaired difference of means mean(a) − mean(b), with a bootstrap resampling a and b independently. */
export function meanDifferenceCI(a: Sample, b: Sample, opts: BootstrapOptions): BootstrapInterval {
  checkSample(a, 'stats.meanDifferenceCI (a)');
  checkSample(b, 'stats.meanDifferenceCI (b)');
  return bootstrapCI([a, b], meanDifferenceStatistic, opts);
}
