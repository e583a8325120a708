/**
 * Comparing two methods: probability of improvement (rliable), paired and unpaired mean differences,
 * each with a bootstrap interval.
 */
import { Sample, checkSample } from './descriptive';
import { BootstrapInterval, BootstrapOptions, Expansion, StatisticName, bootstrapCI, toStrata } from './bootstrap';

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
  if (xs.length !== ys.length)
    throw new RangeError(
      `${where}: x has ${xs.length} tasks and y has ${ys.length}; pass the same tasks for both methods`,
    );
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

/**
 * Probability of improvement with a stratified bootstrap interval (x and y resampled independently within each
 * task).
 */
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
  if (a.length !== b.length)
    throw new RangeError(
      `${where}: paired samples need one value per seed in each; a has ${a.length}, b has ${b.length}`,
    );
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

function sampleVariance(x: Sample): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i];
  m /= x.length;
  let ss = 0;
  for (let i = 0; i < x.length; i++) ss += (x[i] - m) * (x[i] - m);
  return ss / (x.length - 1);
}

/**
 * Expanded-percentile correction for mean(a) − mean(b) with a and b resampled independently (Welch):
 * factor = √((s²_a/n_a + s²_b/n_b) / (s²_a(n_a−1)/n_a² + s²_b(n_b−1)/n_b²)), the unbiased standard error
 * over the bootstrap's plug-in one, and df the Welch–Satterthwaite degrees of freedom. With equal group
 * sizes n the factor is √(n/(n−1)), as for one sample. A group of one value has no variance estimate:
 * df 0 (the interval is then undefined, NaN). Two constant groups: factor 1, df n_a + n_b − 2.
 */
export function welchExpansion(a: Sample, b: Sample): Expansion {
  const na = a.length;
  const nb = b.length;
  if (na < 2 || nb < 2) return { factor: NaN, df: 0 };
  const va = sampleVariance(a);
  const vb = sampleVariance(b);
  const ua = va / na;
  const ub = vb / nb;
  const unbiased = ua + ub;
  if (!(unbiased > 0)) return { factor: 1, df: na + nb - 2 };
  const plugIn = (va * (na - 1)) / (na * na) + (vb * (nb - 1)) / (nb * nb);
  const df = (unbiased * unbiased) / ((ua * ua) / (na - 1) + (ub * ub) / (nb - 1));
  return { factor: Math.sqrt(unbiased / plugIn), df };
}

/**
 * Unpaired difference of means mean(a) − mean(b), with a bootstrap resampling a and b independently.
 * With method 'expanded' the default correction is Welch's (`welchExpansion`).
 */
export function meanDifferenceCI(a: Sample, b: Sample, opts: BootstrapOptions): BootstrapInterval {
  checkSample(a, 'stats.meanDifferenceCI (a)');
  checkSample(b, 'stats.meanDifferenceCI (b)');
  const o = opts.method === 'expanded' && !opts.expansion ? { ...opts, expansion: welchExpansion(a, b) } : opts;
  if (o.expansion && !(o.expansion.df > 0)) {
    // one group holds a single value: no variance estimate, no interval (NaN), as documented above
    const ci = bootstrapCI([a, b], meanDifferenceStatistic, { ...o, expansion: undefined, method: 'percentile' });
    return { ...ci, lo: NaN, hi: NaN, method: 'expanded', expansion: { ...o.expansion, tail: NaN } };
  }
  return bootstrapCI([a, b], meanDifferenceStatistic, o);
}
