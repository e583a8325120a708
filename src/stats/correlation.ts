/**
 * Rank correlations (Spearman with average ranks for ties, Kendall tau-b) and bootstrap intervals
 * that resample observation pairs, including the difference of two correlations against the same y
 * (paired resampling), e.g. "distance A tracks regret better than distance B".
 */
import { Sample, checkSample } from './descriptive';
import { BootstrapInterval, BootstrapOptions, bootstrapCountsCI } from './bootstrap';

export type CorrelationMethod = 'spearman' | 'kendall' | 'pearson';

/** Reusable buffers so bootstrap replicates allocate (almost) nothing. */
class Scratch {
  readonly order: Int32Array;
  readonly ra: Float64Array;
  readonly rb: Float64Array;
  readonly dense: Int32Array;
  readonly bit: Int32Array;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  constructor(n: number) {
    this.xs = new Float64Array(n);
    this.ys = new Float64Array(n);
    this.order = new Int32Array(n);
    this.ra = new Float64Array(n);
    this.rb = new Float64Array(n);
    this.dense = new Int32Array(n);
    this.bit = new Int32Array(n + 1);
  }
}

/** Average ranks (1-based) of x[0..m) into out. */
function rankInto(x: ArrayLike<number>, m: number, order: Int32Array, out: Float64Array): void {
  const ord = order.subarray(0, m);
  for (let i = 0; i < m; i++) ord[i] = i;
  ord.sort((a, b) => x[a] - x[b]);
  let i = 0;
  while (i < m) {
    let j = i;
    const v = x[ord[i]];
    while (j + 1 < m && x[ord[j + 1]] === v) j++;
    const r = (i + j) / 2 + 1;
    for (let q = i; q <= j; q++) out[ord[q]] = r;
    i = j + 1;
  }
}

/** Pearson correlation of a[0..m), b[0..m); NaN when either is constant. */
function pearsonCore(a: ArrayLike<number>, b: ArrayLike<number>, m: number): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < m; i++) {
    ma += a[i];
    mb += b[i];
  }
  ma /= m;
  mb /= m;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < m; i++) {
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

function spearmanCore(x: ArrayLike<number>, y: ArrayLike<number>, m: number, s: Scratch): number {
  rankInto(x, m, s.order, s.ra);
  rankInto(y, m, s.order, s.rb);
  return pearsonCore(s.ra, s.rb, m);
}

/** Kendall tau-b in O(m log m) (Knight's algorithm as in scipy.stats.kendalltau); NaN when x or y is constant. */
function kendallCore(x: ArrayLike<number>, y: ArrayLike<number>, m: number, s: Scratch): number {
  const ord = s.order.subarray(0, m);
  const yr = s.dense;
  for (let i = 0; i < m; i++) ord[i] = i;
  ord.sort((a, b) => y[a] - y[b]);
  let rank = 0;
  let ytie = 0;
  let run = 0;
  for (let q = 0; q < m; q++) {
    if (q === 0 || y[ord[q]] !== y[ord[q - 1]]) {
      ytie += (run * (run - 1)) / 2;
      run = 0;
      rank++;
    }
    run++;
    yr[ord[q]] = rank;
  }
  ytie += (run * (run - 1)) / 2;
  const K = rank;
  for (let i = 0; i < m; i++) ord[i] = i;
  ord.sort((a, b) => x[a] - x[b] || yr[a] - yr[b]);
  const bit = s.bit;
  bit.fill(0, 0, K + 1);
  let dis = 0;
  let xtie = 0;
  let ntie = 0;
  let inserted = 0;
  let i = 0;
  while (i < m) {
    let k = i;
    const xv = x[ord[i]];
    while (k < m && x[ord[k]] === xv) k++;
    for (let q = i; q < k; q++) {
      let cnt = 0;
      for (let idx = yr[ord[q]]; idx > 0; idx -= idx & -idx) cnt += bit[idx];
      dis += inserted - cnt; // earlier items with smaller x and larger y
    }
    for (let q = i; q < k; q++) {
      for (let idx = yr[ord[q]]; idx <= K; idx += idx & -idx) bit[idx]++;
    }
    inserted += k - i;
    xtie += ((k - i) * (k - i - 1)) / 2;
    let a = i;
    while (a < k) {
      let b = a;
      while (b < k && yr[ord[b]] === yr[ord[a]]) b++;
      ntie += ((b - a) * (b - a - 1)) / 2;
      a = b;
    }
    i = k;
  }
  const tot = (m * (m - 1)) / 2;
  if (xtie === tot || ytie === tot) return NaN;
  return (tot - xtie - ytie + ntie - 2 * dis) / Math.sqrt((tot - xtie) * (tot - ytie));
}

function corrCore(
  method: CorrelationMethod,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  m: number,
  s: Scratch,
): number {
  switch (method) {
    case 'spearman':
      return spearmanCore(x, y, m, s);
    case 'kendall':
      return kendallCore(x, y, m, s);
    case 'pearson':
      return pearsonCore(x, y, m);
    default:
      throw new RangeError(`stats: unknown correlation '${String(method)}'; use 'spearman', 'kendall' or 'pearson'`);
  }
}

function checkPairs(x: Sample, y: Sample, where: string): void {
  checkSample(x, `${where} (x)`);
  checkSample(y, `${where} (y)`);
  if (x.length !== y.length)
    throw new RangeError(`${where}: x has ${x.length} values and y has ${y.length}; pass one pair per observation`);
}

/** Average ranks (1-based; tied values share the mean of the ranks they span), scipy.stats.rankdata('average'). */
export function ranks(x: Sample): Float64Array {
  checkSample(x, 'stats.ranks');
  const out = new Float64Array(x.length);
  rankInto(x, x.length, new Int32Array(x.length), out);
  return out;
}

/** Pearson correlation coefficient (NaN when x or y is constant). */
export function pearson(x: Sample, y: Sample): number {
  checkPairs(x, y, 'stats.pearson');
  return pearsonCore(x, y, x.length);
}

/** Spearman rank correlation: Pearson correlation of average ranks (NaN when x or y is constant). */
export function spearman(x: Sample, y: Sample): number {
  checkPairs(x, y, 'stats.spearman');
  return spearmanCore(x, y, x.length, new Scratch(x.length));
}

/** Kendall's tau-b (ties adjusted, as scipy.stats.kendalltau; NaN when x or y is constant). */
export function kendall(x: Sample, y: Sample): number {
  checkPairs(x, y, 'stats.kendall');
  return kendallCore(x, y, x.length, new Scratch(x.length));
}

export interface CorrelationOptions extends BootstrapOptions {
  /** Which correlation (default 'spearman'). */
  correlation?: CorrelationMethod;
}

/** A variable prepared for resampled correlations: its values and their ascending order. */
class Column {
  readonly order: Int32Array;
  readonly ranks: Float64Array;
  constructor(readonly values: ArrayLike<number>) {
    const n = values.length;
    this.order = new Int32Array(n);
    for (let i = 0; i < n; i++) this.order[i] = i;
    this.order.sort((a, b) => values[a] - values[b] || a - b);
    this.ranks = new Float64Array(n);
  }

  /** Average ranks of each observation within the resample given by `counts` (O(n), no sorting). */
  rankWithCounts(counts: Int32Array): Float64Array {
    const { order, values, ranks } = this;
    const n = order.length;
    let pos = 0;
    let q = 0;
    while (q < n) {
      const v = values[order[q]];
      let e = q;
      let group = 0;
      while (e < n && values[order[e]] === v) group += counts[order[e++]];
      const r = pos + (group + 1) / 2;
      for (let k = q; k < e; k++) ranks[order[k]] = r;
      pos += group;
      q = e;
    }
    return ranks;
  }
}

/** Pearson correlation of a and b over observations weighted by counts (NaN when either is constant). */
function weightedPearson(a: ArrayLike<number>, b: ArrayLike<number>, counts: Int32Array, size: number): number {
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < counts.length; i++) {
    ma += counts[i] * a[i];
    mb += counts[i] * b[i];
  }
  ma /= size;
  mb /= size;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += c * da * db;
    saa += c * da * da;
    sbb += c * db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  return Math.max(-1, Math.min(1, sab / Math.sqrt(saa * sbb)));
}

/** Correlation of the resample of (x, y) described by counts. */
function correlationWithCounts(
  method: CorrelationMethod,
  x: Column,
  y: Column,
  counts: Int32Array,
  size: number,
  yRanks: Float64Array | null,
  s: Scratch,
): number {
  if (method === 'spearman')
    return weightedPearson(x.rankWithCounts(counts), yRanks ?? y.rankWithCounts(counts), counts, size);
  if (method === 'pearson') return weightedPearson(x.values, y.values, counts, size);
  if (method === 'kendall') {
    let p = 0;
    for (let i = 0; i < counts.length; i++) {
      for (let c = counts[i]; c > 0; c--) {
        s.xs[p] = x.values[i];
        s.ys[p++] = y.values[i];
      }
    }
    return kendallCore(s.xs, s.ys, size, s);
  }
  throw new RangeError(`stats: unknown correlation '${String(method)}'; use 'spearman', 'kendall' or 'pearson'`);
}

/**
 * Correlation of x and y with a bootstrap interval over observation pairs (degenerate replicates, NaN, are
 * dropped).
 */
export function correlationCI(x: Sample, y: Sample, opts: CorrelationOptions): BootstrapInterval {
  const where = 'stats.correlationCI';
  checkPairs(x, y, where);
  const method = opts.correlation ?? 'spearman';
  corrCore(method, [0, 1], [0, 1], 2, new Scratch(2)); // validates the method name
  const cx = new Column(x);
  const cy = new Column(y);
  const s = new Scratch(x.length);
  return bootstrapCountsCI(
    x.length,
    (counts, size) => correlationWithCounts(method, cx, cy, counts, size, null, s),
    opts,
    where,
  );
}

/**
 * corr(x1, y) − corr(x2, y) with a paired bootstrap: each replicate resamples observations (rows of
 * x1, x2, y together), so the dependence between the two correlations is kept.
 */
export function correlationDifferenceCI(
  x1: Sample,
  x2: Sample,
  y: Sample,
  opts: CorrelationOptions,
): BootstrapInterval {
  const where = 'stats.correlationDifferenceCI';
  checkPairs(x1, y, `${where} (x1 vs y)`);
  checkPairs(x2, y, `${where} (x2 vs y)`);
  const method = opts.correlation ?? 'spearman';
  corrCore(method, [0, 1], [0, 1], 2, new Scratch(2)); // validates the method name
  const c1 = new Column(x1);
  const c2 = new Column(x2);
  const cy = new Column(y);
  const s = new Scratch(y.length);
  return bootstrapCountsCI(
    y.length,
    (counts, size) => {
      const yRanks = method === 'spearman' ? cy.rankWithCounts(counts) : null;
      return (
        correlationWithCounts(method, c1, cy, counts, size, yRanks, s) -
        correlationWithCounts(method, c2, cy, counts, size, yRanks, s)
      );
    },
    opts,
    where,
  );
}

/** spearman(x1, y) − spearman(x2, y) with a paired bootstrap interval over observations. */
export function spearmanDifferenceCI(x1: Sample, x2: Sample, y: Sample, opts: BootstrapOptions): BootstrapInterval {
  return correlationDifferenceCI(x1, x2, y, { ...opts, correlation: 'spearman' });
}
