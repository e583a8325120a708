/**
 * Bootstrap confidence intervals (percentile, expanded percentile and BCa), stratified like rliable:
 * with several strata (tasks), runs are resampled within each stratum independently and the statistic
 * is computed on the resampled strata.
 *
 * Expanded percentile (Hesterberg 2015, "What teachers should know about the bootstrap", §5; R package
 * `resample`, ExpandProbs): the percentile interval of a mean is roughly x̄ ± z·σ̂/√n with the plug-in
 * σ̂ (divisor n), where the t interval is x̄ ± t_{n−1}·s/√n. It is therefore too narrow for small n
 * (coverage ≈ 88% at n = 5 for a nominal 95%). The expanded interval reads the bootstrap quantiles at
 * α'/2 and 1 − α'/2 with α'/2 = Φ(−√(n/(n−1))·t_{1−α/2, n−1}), which for symmetric data reproduces the
 * t interval and, like the percentile interval, carries over to other statistics (median, IQM).
 * Limits, measured in tests/stats/calibration.test.ts: a percentile-type interval never leaves the
 * range of the bootstrap distribution (for a mean: [min, max] of the data). With 5 paired seeds the t
 * interval often reaches past that range, so the false-decisive rate of a nominal 95% check is ≈ 8%
 * (percentile: 16%); with two groups of 5, or 10 seeds, it is 5–6%. With n ≤ 3 the requested tail
 * (< 1e-7) is below the bootstrap's resolution and the interval is simply the data range.
 *
 * Engine: every stratum is sorted once; a bootstrap replicate is a vector of multiplicities (how often
 * each original value was drawn). Order statistics (median, IQM) are then read off in O(n) by walking
 * the sorted values with their counts, so no replicate is ever sorted and the inner loop allocates
 * nothing. Custom statistics receive the replicate materialised into a reused buffer.
 */
import { Rng } from '../core/rng';
import { Sample, checkSample, quantileSorted } from './descriptive';
import { normalCdf, normalQuantile, studentTQuantile } from './distributions';

/** A generator or an integer seed; every resampling function takes one so results are reproducible. */
export type RngLike = Rng | number;

/**
 * Built-in statistics, computed on all runs pooled across strata (rliable's aggregate_* on the flattened score
 * matrix).
 */
export type StatisticName = 'mean' | 'median' | 'iqm' | 'optimalityGap';
const STATISTIC_NAMES: readonly string[] = ['mean', 'median', 'iqm', 'optimalityGap'];

/**
 * A custom statistic of one (re)sample: stratum k occupies x[offsets[k] .. offsets[k+1]), each stratum
 * sorted ascending. `x` is a scratch buffer the statistic may reorder. A plain `(x) => number` works too.
 */
export type StrataStatistic = (x: Float64Array, offsets: Int32Array) => number;

export type Statistic = StatisticName | StrataStatistic;

export type IntervalMethod = 'percentile' | 'expanded' | 'bca';
const INTERVAL_METHODS: readonly string[] = ['percentile', 'expanded', 'bca'];

/**
 * The small-sample correction of the expanded percentile interval: quantile levels
 * α'/2 = Φ(−factor · t_{1−α/2, df}). For one sample of n units: factor √(n/(n−1)), df n − 1.
 */
export interface Expansion {
  /** Ratio of the unbiased standard error to the bootstrap's plug-in one (√(n/(n−1)) for one sample). */
  factor: number;
  /** Degrees of freedom of the t quantile (n − 1 for one sample; Welch–Satterthwaite for two groups). */
  df: number;
}

export interface ResampleOptions {
  /** Bootstrap replicates (default 2000). */
  reps?: number;
  /** The generator (consumed) or a seed. */
  rng: RngLike;
}

export interface BootstrapOptions extends ResampleOptions {
  /** Confidence level of the two-sided interval (default 0.95). */
  level?: number;
  /**
   * 'percentile' (default here, rliable's choice), 'expanded' (percentile widened for small samples,
   * Hesterberg 2015; the default of the claim checks) or 'bca' (bias-corrected and accelerated,
   * jackknife acceleration).
   */
  method?: IntervalMethod;
  /**
   * For 'expanded' only: override the correction. Default: N units in K strata are treated like a
   * mean with N − K degrees of freedom, factor √(N/(N−K)) (one sample: √(n/(n−1)), df n − 1).
   */
  expansion?: Expansion;
}

/** A point estimate with its two-sided bootstrap confidence interval. */
export interface BootstrapInterval {
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  method: IntervalMethod;
  /** Replicates used (replicates where the statistic is undefined, NaN, are dropped). */
  reps: number;
  /** For 'expanded': the correction used and the resulting lower quantile level α'/2 of the replicates. */
  expansion?: Expansion & { tail: number };
}

const TWO32 = 4294967296;
const TWO_NEG32 = 1 / 4294967296;

/** Resolve an RngLike into a generator (a seed makes a fresh `new Rng(seed)`). */
export function toRng(rng: RngLike, where: string): Rng {
  if (typeof rng === 'number') return new Rng(rng);
  if (rng && typeof (rng as Rng).nextUint32 === 'function') return rng;
  throw new TypeError(
    `${where}: pass \`rng\` (an Rng from src/core/rng, or an integer seed) so the result is reproducible`,
  );
}

/** Validated reps / level / method with their defaults. */
export function resolveBootstrapOptions(
  opts: Partial<BootstrapOptions>,
  where: string,
): { reps: number; level: number; method: IntervalMethod } {
  const reps = opts.reps ?? 2000;
  const level = opts.level ?? 0.95;
  const method = opts.method ?? 'percentile';
  if (!Number.isInteger(reps) || reps < 1)
    throw new RangeError(`${where}: reps must be a positive integer, got ${reps}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`${where}: level must be in (0, 1), got ${level}`);
  if (!INTERVAL_METHODS.includes(method))
    throw new RangeError(`${where}: method must be 'percentile', 'expanded' or 'bca', got ${String(method)}`);
  if (opts.expansion !== undefined && !(opts.expansion.factor > 0 && opts.expansion.df > 0)) {
    throw new RangeError(
      `${where}: expansion needs factor > 0 and df > 0, got factor ${opts.expansion.factor}, df ${opts.expansion.df}`,
    );
  }
  return { reps, level, method };
}

/** Normalise `number[] | number[][]` into a list of validated strata. */
export function toStrata(samples: Sample | readonly Sample[], where: string): Sample[] {
  if (samples.length === 0)
    throw new RangeError(`${where}: no data; pass a sample (number[]) or strata (number[][], one array per task)`);
  const first = (samples as ArrayLike<unknown>)[0];
  const strata: Sample[] = typeof first === 'number' ? [samples as Sample] : Array.from(samples as readonly Sample[]);
  strata.forEach((s, k) => checkSample(s, strata.length > 1 ? `${where} (stratum ${k})` : where));
  return strata;
}

/** rliable's score layout (runs × tasks matrix) → strata (one array of runs per task). */
export function strataFromRunMatrix(runsByTasks: readonly Sample[]): number[][] {
  if (runsByTasks.length === 0) throw new RangeError('stats.strataFromRunMatrix: empty matrix');
  const nTasks = runsByTasks[0].length;
  const out: number[][] = Array.from({ length: nTasks }, () => []);
  runsByTasks.forEach((row, r) => {
    if (row.length !== nTasks)
      throw new RangeError(`stats.strataFromRunMatrix: row ${r} has ${row.length} tasks, row 0 has ${nTasks}`);
    for (let t = 0; t < nTasks; t++) out[t].push(row[t]);
  });
  return out;
}

/** Largest stratum size drawn from 16-bit chunks (two indices per uint32; rejection rate ≤ 6%). */
const SMALL_M = 4096;

/** The rejection threshold for `IndexDrawer.draw` with this m (2^16 mod m or 2^32 mod m). */
export function drawThreshold(m: number): number {
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`stats: cannot resample ${m} items`);
  if (m > 2097152) throw new RangeError(`stats: cannot resample more than 2^21 items per stratum, got ${m}`);
  return m <= SMALL_M ? 65536 % m : TWO32 % m;
}

/**
 * @internal Uniform indices in [0, m) from an Rng, exactly unbiased (Lemire's multiply-and-reject).
 * For m ≤ 4096 each uint32 is split into two 16-bit chunks, halving generator calls; all arithmetic
 * is exact. Deterministic given the generator's state.
 */
export class IndexDrawer {
  private spare = -1;
  constructor(private readonly rng: Rng) {}

  /** Uniform index in [0, m); `threshold` = drawThreshold(m). */
  draw(m: number, threshold: number): number {
    if (m <= SMALL_M) {
      for (;;) {
        let h: number;
        if (this.spare >= 0) {
          h = this.spare;
          this.spare = -1;
        } else {
          const u = this.rng.nextUint32();
          h = u >>> 16;
          this.spare = u & 0xffff;
        }
        const p = h * m;
        if ((p & 0xffff) >= threshold) return p >>> 16;
      }
    }
    for (;;) {
      const p = this.rng.nextUint32() * m;
      const hi = Math.floor(p * TWO_NEG32);
      if (p - hi * TWO32 >= threshold) return hi;
    }
  }

  /** Draw `m` indices in [0, m) and add one to counts[offset + index] for each (same stream as m calls to draw). */
  addCounts(counts: Int32Array, offset: number, m: number, threshold: number): void {
    if (m > SMALL_M) {
      for (let j = 0; j < m; j++) counts[offset + this.draw(m, threshold)]++;
      return;
    }
    const rng = this.rng;
    let spare = this.spare;
    for (let j = 0; j < m;) {
      let h: number;
      if (spare >= 0) {
        h = spare;
        spare = -1;
      } else {
        const u = rng.nextUint32();
        h = u >>> 16;
        spare = u & 0xffff;
      }
      const p = h * m;
      if ((p & 0xffff) >= threshold) {
        counts[offset + (p >>> 16)]++;
        j++;
      }
    }
    this.spare = spare;
  }
}

/**
 * @internal The stratified resampling engine: values sorted within strata, a global sorted order for
 * pooled order statistics, and the multiplicities of the current replicate.
 */
export class Resampler {
  readonly values: Float64Array;
  readonly offsets: Int32Array;
  /** Item ids sorted by value across all strata. */
  readonly order: Int32Array;
  /** Multiplicity of each item in the current replicate. */
  readonly counts: Int32Array;
  readonly total: number;
  readonly nStrata: number;
  /** Number of items in the current replicate (total, or total − 1 during the jackknife). */
  size: number;
  private readonly thresholds: Float64Array;

  constructor(strata: readonly Sample[]) {
    this.nStrata = strata.length;
    this.offsets = new Int32Array(strata.length + 1);
    for (let k = 0; k < strata.length; k++) this.offsets[k + 1] = this.offsets[k] + strata[k].length;
    this.total = this.offsets[strata.length];
    this.values = new Float64Array(this.total);
    this.thresholds = new Float64Array(strata.length);
    for (let k = 0; k < strata.length; k++) {
      const seg = this.values.subarray(this.offsets[k], this.offsets[k + 1]);
      seg.set(Array.from(strata[k]));
      seg.sort();
      const m = strata[k].length;
      this.thresholds[k] = drawThreshold(m);
    }
    this.order = new Int32Array(this.total);
    for (let i = 0; i < this.total; i++) this.order[i] = i;
    if (this.nStrata > 1) {
      const v = this.values;
      this.order.sort((a, b) => v[a] - v[b] || a - b);
    }
    this.counts = new Int32Array(this.total).fill(1);
    this.size = this.total;
  }

  /** Draw a stratified bootstrap replicate into `counts`. */
  resample(drawer: IndexDrawer): void {
    const c = this.counts;
    c.fill(0);
    this.size = this.total;
    for (let k = 0; k < this.nStrata; k++) {
      const off = this.offsets[k];
      const m = this.offsets[k + 1] - off;
      const threshold = this.thresholds[k];
      drawer.addCounts(c, off, m, threshold);
    }
  }

  /** Reset to the original sample (every multiplicity 1). */
  reset(): void {
    this.counts.fill(1);
    this.size = this.total;
  }

  /** Write the current replicate, stratum by stratum (each sorted), into `out`; returns its length. */
  materialize(out: Float64Array, outOffsets: Int32Array): number {
    const v = this.values;
    const c = this.counts;
    let p = 0;
    for (let k = 0; k < this.nStrata; k++) {
      outOffsets[k] = p;
      for (let i = this.offsets[k], e = this.offsets[k + 1]; i < e; i++) {
        for (let r = c[i]; r > 0; r--) out[p++] = v[i];
      }
    }
    outOffsets[this.nStrata] = p;
    return p;
  }

  /** Value at 0-based rank r of the pooled current replicate. */
  private valueAtRank(r: number): number {
    const { order, counts, values } = this;
    let cum = 0;
    for (let q = 0; q < order.length; q++) {
      const id = order[q];
      cum += counts[id];
      if (cum > r) return values[id];
    }
    return NaN;
  }

  /** Mean of pooled sorted positions [from, to) of the current replicate. */
  private sortedRangeMean(from: number, to: number): number {
    const { order, counts, values } = this;
    let pos = 0;
    let sum = 0;
    for (let q = 0; q < order.length && pos < to; q++) {
      const id = order[q];
      const c = counts[id];
      if (c === 0) continue;
      const end = pos + c;
      if (end > from) {
        const a = pos > from ? pos : from;
        const b = end < to ? end : to;
        sum += (b - a) * values[id];
      }
      pos = end;
    }
    return sum / (to - from);
  }

  /** A built-in statistic of the pooled current replicate. */
  pooled(name: StatisticName, n: number): number {
    const { counts, values } = this;
    switch (name) {
      case 'mean': {
        let s = 0;
        for (let i = 0; i < values.length; i++) s += counts[i] * values[i];
        return s / n;
      }
      case 'optimalityGap': {
        let s = 0;
        for (let i = 0; i < values.length; i++) s += counts[i] * Math.min(values[i], 1);
        return 1 - s / n;
      }
      case 'iqm': {
        const cut = Math.floor(0.25 * n);
        return this.sortedRangeMean(cut, n - cut);
      }
      case 'median': {
        const h = (n - 1) * 0.5;
        const i = Math.floor(h);
        const a = this.valueAtRank(i);
        if (h === i) return a;
        return a + (h - i) * (this.valueAtRank(i + 1) - a);
      }
      default:
        throw new RangeError(
          `stats: unknown statistic '${String(name)}'; use 'mean', 'median', 'iqm', 'optimalityGap' or a function`,
        );
    }
  }

  /** A function evaluating `statistic` on the current replicate. */
  evaluator(statistic: Statistic): () => number {
    if (typeof statistic === 'string') {
      if (!STATISTIC_NAMES.includes(statistic)) {
        throw new RangeError(
          `stats: unknown statistic '${String(statistic)}'; ` +
            `use ${STATISTIC_NAMES.map((s) => `'${s}'`).join(', ')} or a function`,
        );
      }
      return () => this.pooled(statistic, this.size);
    }
    const buf = new Float64Array(this.total);
    const offs = new Int32Array(this.nStrata + 1);
    return () => {
      const m = this.materialize(buf, offs);
      return statistic(m === buf.length ? buf : buf.subarray(0, m), offs);
    };
  }

  /** Leave-one-out values per stratum (strata with fewer than 2 items give an empty array). */
  jackknife(evaluate: () => number): Float64Array[] {
    this.reset();
    const out: Float64Array[] = [];
    for (let k = 0; k < this.nStrata; k++) {
      const off = this.offsets[k];
      const m = this.offsets[k + 1] - off;
      const jk = new Float64Array(m >= 2 ? m : 0);
      this.size = this.total - 1;
      for (let i = 0; i < jk.length; i++) {
        this.counts[off + i] = 0;
        jk[i] = evaluate();
        this.counts[off + i] = 1;
      }
      out.push(jk);
    }
    this.size = this.total;
    return out;
  }
}

/**
 * BCa acceleration from jackknife values, one array per sample/stratum (scipy.stats.bootstrap's
 * multi-sample formula; for one sample it is Σd³ / (6 (Σd²)^{3/2}) with d = mean − θ₍ᵢ₎).
 */
export function jackknifeAcceleration(jack: readonly Float64Array[]): number {
  let num = 0;
  let den = 0;
  for (const t of jack) {
    const n = t.length;
    if (n < 2) continue;
    let m = 0;
    let valid = 0;
    for (let i = 0; i < n; i++)
      if (!Number.isNaN(t[i])) {
        m += t[i];
        valid++;
      }
    if (valid < 2) continue;
    m /= valid;
    let s2 = 0;
    let s3 = 0;
    for (let i = 0; i < n; i++) {
      if (Number.isNaN(t[i])) continue;
      const u = (valid - 1) * (m - t[i]);
      s2 += u * u;
      s3 += u * u * u;
    }
    num += s3 / (valid * valid * valid);
    den += s2 / (valid * valid);
  }
  return den > 0 ? num / (6 * Math.pow(den, 1.5)) : 0;
}

/** Expansion for N units in K strata, each treated as a mean: df N − K, factor √(N/(N−K)); one sample: df n − 1. */
export function strataExpansion(sizes: ArrayLike<number>): Expansion {
  let N = 0;
  for (let k = 0; k < sizes.length; k++) N += sizes[k];
  const df = N - sizes.length;
  return { factor: df > 0 ? Math.sqrt(N / df) : NaN, df };
}

/**
 * Lower quantile level α'/2 = Φ(−factor · t_{1−α/2, df}) of the expanded percentile interval
 * (α = 1 − level); NaN when df ≤ 0 (one unit per stratum: no interval can be formed).
 */
export function expandedTail(level: number, expansion: Expansion): number {
  const { factor, df } = expansion;
  if (!(df > 0 && factor > 0)) return NaN;
  return normalCdf(-factor * studentTQuantile((1 + level) / 2, df));
}

/**
 * Turn bootstrap replicates into an interval. Percentile: type-7 quantiles at (1−level)/2 and
 * (1+level)/2. Expanded: the same at α'/2 and 1 − α'/2 (see `expandedTail`; pass `expansion`). BCa: bias
 * correction z0 = Φ⁻¹(P(θ* < θ̂) + ½P(θ* = θ̂)), acceleration from the jackknife.
 * `replicates` is sorted in place; NaN replicates are dropped.
 */
export function intervalFromReplicates(
  estimate: number,
  replicates: Float64Array,
  level: number,
  method: IntervalMethod,
  jackknife?: readonly Float64Array[],
  expansion?: Expansion,
): BootstrapInterval {
  if (method === 'expanded' && !expansion) {
    throw new RangeError(
      "stats.intervalFromReplicates: method 'expanded' needs `expansion` " +
        '(for one sample of n units: { factor: Math.sqrt(n / (n - 1)), df: n - 1 })',
    );
  }
  let m = 0;
  for (let i = 0; i < replicates.length; i++) if (!Number.isNaN(replicates[i])) replicates[m++] = replicates[i];
  const alpha = (1 - level) / 2;
  const tail = method === 'expanded' ? expandedTail(level, expansion!) : alpha;
  const exp = method === 'expanded' ? { factor: expansion!.factor, df: expansion!.df, tail } : undefined;
  if (m === 0 || Number.isNaN(tail))
    return { estimate, lo: NaN, hi: NaN, level, method, reps: m, ...(exp ? { expansion: exp } : {}) };
  const sorted = replicates.subarray(0, m).sort();
  let pLo = tail;
  let pHi = 1 - tail;
  if (method === 'bca') {
    const tol = 1e-12 * Math.max(1, Math.abs(estimate));
    let below = 0;
    let equal = 0;
    for (let i = 0; i < m; i++) {
      if (sorted[i] < estimate - tol) below++;
      else if (sorted[i] <= estimate + tol) equal++;
    }
    const prop = Math.min(Math.max((below + 0.5 * equal) / m, 0.5 / m), 1 - 0.5 / m);
    const z0 = normalQuantile(prop);
    const a = jackknife ? jackknifeAcceleration(jackknife) : 0;
    const adjust = (z: number): number => {
      const num = z0 + z;
      const d = 1 - a * num;
      if (!(d > 0)) return num > 0 ? 1 : 0;
      return normalCdf(z0 + num / d);
    };
    pLo = adjust(normalQuantile(alpha));
    pHi = adjust(normalQuantile(1 - alpha));
  }
  const out: BootstrapInterval = {
    estimate,
    lo: quantileSorted(sorted, pLo),
    hi: quantileSorted(sorted, pHi),
    level,
    method,
    reps: m,
  };
  if (exp) out.expansion = exp;
  return out;
}

/** Bootstrap replicates of a statistic (stratified when `samples` holds several strata). */
export function bootstrapReplicates(
  samples: Sample | readonly Sample[],
  statistic: Statistic,
  opts: ResampleOptions,
): Float64Array {
  const where = 'stats.bootstrapReplicates';
  const { reps } = resolveBootstrapOptions(opts, where);
  const drawer = new IndexDrawer(toRng(opts.rng, where));
  const rs = new Resampler(toStrata(samples, where));
  const evaluate = rs.evaluator(statistic);
  const out = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    rs.resample(drawer);
    out[r] = evaluate();
  }
  return out;
}

/** Bootstrap confidence interval of a statistic of a sample, or of strata (tasks) resampled independently. */
export function bootstrapCI(
  samples: Sample | readonly Sample[],
  statistic: Statistic,
  opts: BootstrapOptions,
): BootstrapInterval {
  const where = 'stats.bootstrapCI';
  const { reps, level, method } = resolveBootstrapOptions(opts, where);
  const drawer = new IndexDrawer(toRng(opts.rng, where));
  const strata = toStrata(samples, where);
  const rs = new Resampler(strata);
  const evaluate = rs.evaluator(statistic);
  rs.reset();
  const estimate = evaluate();
  const replicates = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    rs.resample(drawer);
    replicates[r] = evaluate();
  }
  const jack = method === 'bca' ? rs.jackknife(evaluate) : undefined;
  const expansion =
    method === 'expanded' ? (opts.expansion ?? strataExpansion(strata.map((s) => s.length))) : undefined;
  return intervalFromReplicates(estimate, replicates, level, method, jack, expansion);
}

/**
 * Bootstrap over n observations resampled as units (e.g. pairs): each replicate hands `statistic` the
 * multiplicity of every observation (`counts`, summing to `size`: n for replicates and the estimate,
 * n − 1 for jackknife samples). Used for correlations, where rows must be resampled jointly.
 */
export function bootstrapCountsCI(
  n: number,
  statistic: (counts: Int32Array, size: number) => number,
  opts: BootstrapOptions,
  where = 'stats.bootstrapCountsCI',
): BootstrapInterval {
  const { reps, level, method } = resolveBootstrapOptions(opts, where);
  const rng = toRng(opts.rng, where);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`${where}: need at least one observation, got ${n}`);
  const counts = new Int32Array(n).fill(1);
  const estimate = statistic(counts, n);
  const threshold = drawThreshold(n);
  const drawer = new IndexDrawer(rng);
  const replicates = new Float64Array(reps);
  for (let r = 0; r < reps; r++) {
    counts.fill(0);
    drawer.addCounts(counts, 0, n, threshold);
    replicates[r] = statistic(counts, n);
  }
  let jack: Float64Array[] | undefined;
  if (method === 'bca' && n >= 2) {
    const jk = new Float64Array(n);
    counts.fill(1);
    for (let leave = 0; leave < n; leave++) {
      counts[leave] = 0;
      jk[leave] = statistic(counts, n - 1);
      counts[leave] = 1;
    }
    jack = [jk];
  }
  const expansion = method === 'expanded' ? (opts.expansion ?? strataExpansion([n])) : undefined;
  return intervalFromReplicates(estimate, replicates, level, method, jack, expansion);
}
