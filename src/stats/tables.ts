/**
 * Results tables from run records: group records by method and/or config fields, aggregate a metric
 * over seeds (mean, IQM or median) with a bootstrap interval, and show the result as an HTML table in a
 * tslab notebook or as a danfojs DataFrame.
 *
 * The aggregation and the TableSpec are pure functions (no danfojs); danfojs-node is loaded lazily,
 * only by the DataFrame helpers, because loading it costs seconds (mathjs) and `import * as rl from
 * '../dist'` must stay fast.
 *
 *   const agg = rl.stats.aggregateRecords(records, { metrics: ['return'], by: ['method', 'config.lr'], rng: 7 });
 *   nb.table(rl.stats.aggregateTable(agg, { name: 'final-return' }));   // records it and shows HTML
 *   const df = rl.stats.aggregateFrame(agg);                            // danfojs DataFrame
 */
import type { DataFrame } from 'danfojs-node';
import type { TableSpec } from '../core/summary';
import { displayTable } from '../core/display';
import { IntervalMethod, RngLike, bootstrapCI, resolveBootstrapOptions, toRng } from './bootstrap';

/** The fields of a run record (src/core/records.ts RunRecord) the tables use. */
export interface RecordLike {
  method: string;
  seed: number;
  config?: unknown;
  metrics: Record<string, number>;
}

/** A cell value of a table: what a group key or a number becomes. */
export type Cell = string | number | null;

/**
 * A grouping: 'method', 'seed', 'config.<path>' (a field of the record's config, dots for nesting,
 * e.g. 'config.env.size'), or a named function of the record.
 */
export type GroupBy = string | { name: string; key: (r: RecordLike) => string | number };

export type TableStatistic = 'mean' | 'iqm' | 'median';

export interface AggregateOptions {
  /** Metric names (keys of record.metrics) to aggregate. */
  metrics: string | readonly string[];
  /** Group keys, outermost first (default ['method']). */
  by?: readonly GroupBy[];
  /** Statistic over the runs of a group (default 'mean'). */
  statistic?: TableStatistic;
  /** Confidence level (default 0.95). */
  level?: number;
  /** Bootstrap replicates (default 2000). */
  reps?: number;
  /** Interval method (default 'expanded', as the claim checks: the percentile interval widened for small samples). */
  interval?: IntervalMethod;
  /**
   * Generator or seed. Each (group, metric) cell gets its own stream, split from it by the cell's label,
   * so adding a method or a metric does not change the other cells' intervals.
   */
  rng: RngLike;
  /**
   * Runs whose metric is missing or not finite (a diverged run): by default an error naming the run;
   * with true they are left out of that cell and counted in `dropped` (say so in the notebook).
   */
  dropNonFinite?: boolean;
}

/** One group × metric: the statistic over the group's runs with its interval. */
export interface AggregateRow {
  /** Group key values, in the order of `by` (column names in `AggregateResult.groupColumns`). */
  group: Cell[];
  metric: string;
  statistic: TableStatistic;
  /** Runs aggregated (records with a finite value). */
  n: number;
  /** Distinct seeds among them (< n when the group pools several configs per seed). */
  seeds: number;
  /** Runs left out because the metric was missing or not finite (only with dropNonFinite). */
  dropped: number;
  estimate: number;
  /** Interval bounds; NaN when the group has fewer than 2 runs (no interval from one run). */
  lo: number;
  hi: number;
  level: number;
  interval: IntervalMethod;
  reps: number;
}

export interface AggregateResult {
  groupColumns: string[];
  metrics: string[];
  statistic: TableStatistic;
  level: number;
  interval: IntervalMethod;
  reps: number;
  /** Groups in order of first appearance in the records; within a group, metrics in the given order. */
  rows: AggregateRow[];
}

const WHERE = 'stats.aggregateRecords';

function groupName(g: GroupBy): string {
  return typeof g === 'string' ? g : g.name;
}

function readPath(obj: unknown, path: readonly string[]): unknown {
  let v: unknown = obj;
  for (const p of path) {
    if (v === null || typeof v !== 'object' || !(p in (v as Record<string, unknown>))) return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

/** The function computing a group's key from a record. */
function keyFunction(g: GroupBy): (r: RecordLike) => Cell {
  if (typeof g !== 'string') {
    if (!g || typeof g.key !== 'function' || !g.name)
      throw new TypeError(`${WHERE}: a custom grouping needs { name, key: (record) => string | number }`);
    return (r) => g.key(r);
  }
  if (g === 'method') return (r) => r.method;
  if (g === 'seed') return (r) => r.seed;
  if (g.startsWith('config.') && g.length > 7) {
    const path = g.slice(7).split('.');
    return (r) => {
      const v = readPath(r.config, path);
      if (v === undefined) {
        throw new RangeError(
          `${WHERE}: record (method ${r.method}, seed ${r.seed}) has no config field '${path.join('.')}'; ` +
            'group by a field every record has',
        );
      }
      if (v === null || typeof v === 'string' || typeof v === 'number') return v;
      if (typeof v === 'boolean') return String(v);
      return JSON.stringify(v);
    };
  }
  throw new RangeError(`${WHERE}: unknown grouping '${g}'; use 'method', 'seed', 'config.<field>' or { name, key }`);
}

function cellLabel(c: Cell): string {
  return c === null ? 'null' : typeof c === 'number' ? `n:${c}` : `s:${c}`;
}

/** Group records by `by`, then aggregate each metric within each group with a bootstrap interval. */
export function aggregateRecords(records: readonly RecordLike[], opts: AggregateOptions): AggregateResult {
  if (!Array.isArray(records) || records.length === 0)
    throw new RangeError(`${WHERE}: no records; pass the run records (e.g. from nb.runSeeds)`);
  const metrics = typeof opts.metrics === 'string' ? [opts.metrics] : Array.from(opts.metrics ?? []);
  if (metrics.length === 0) throw new RangeError(`${WHERE}: name at least one metric (a key of record.metrics)`);
  const by = opts.by ?? ['method'];
  const statistic = opts.statistic ?? 'mean';
  if (statistic !== 'mean' && statistic !== 'iqm' && statistic !== 'median')
    throw new RangeError(`${WHERE}: statistic must be 'mean', 'iqm' or 'median', got ${String(statistic)}`);
  const {
    reps,
    level,
    method: interval,
  } = resolveBootstrapOptions(
    { reps: opts.reps, level: opts.level, method: opts.interval ?? 'expanded', rng: opts.rng },
    WHERE,
  );
  const root = toRng(opts.rng, WHERE);
  const keys = by.map(keyFunction);

  const groups = new Map<string, { key: Cell[]; records: RecordLike[] }>();
  for (const r of records) {
    const key = keys.map((f) => f(r));
    const label = key.map(cellLabel).join('|');
    let g = groups.get(label);
    if (!g) groups.set(label, (g = { key, records: [] }));
    g.records.push(r);
  }

  const rows: AggregateRow[] = [];
  for (const [label, g] of groups) {
    for (const metric of metrics) {
      const values: number[] = [];
      const seeds = new Set<number>();
      let dropped = 0;
      for (const r of g.records) {
        const v = r.metrics?.[metric];
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          if (opts.dropNonFinite) {
            dropped++;
            continue;
          }
          throw new RangeError(
            `${WHERE}: metric '${metric}' of the run (method ${r.method}, seed ${r.seed}) ` +
              `is ${v === undefined ? 'missing' : String(v)}; ` +
              `check the metric name (the record has: ${Object.keys(r.metrics ?? {}).join(', ') || 'no metrics'}) ` +
              'or pass dropNonFinite: true to leave such runs out and count them',
          );
        }
        values.push(v);
        seeds.add(r.seed);
      }
      const base = { group: g.key, metric, statistic, n: values.length, seeds: seeds.size, dropped, level, interval };
      if (values.length === 0) {
        rows.push({ ...base, estimate: NaN, lo: NaN, hi: NaN, reps: 0 });
        continue;
      }
      const ci = bootstrapCI(values, statistic, {
        reps,
        level,
        method: interval,
        rng: root.split(`table:${label}:${metric}`),
      });
      const single = values.length < 2; // one run: no interval, whatever the method
      rows.push({ ...base, estimate: ci.estimate, lo: single ? NaN : ci.lo, hi: single ? NaN : ci.hi, reps: ci.reps });
    }
  }
  return { groupColumns: by.map(groupName), metrics, statistic, level, interval, reps, rows };
}

const STAT_LABEL: Record<TableStatistic, string> = { mean: 'mean', iqm: 'IQM', median: 'median' };
const INTERVAL_LABEL: Record<IntervalMethod, string> = {
  percentile: 'percentile',
  expanded: 'expanded-percentile',
  bca: 'BCa',
};

function num(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

/** A sentence saying what the numbers are, for captions. */
export function aggregateDescription(a: AggregateResult): string {
  return (
    `${STAT_LABEL[a.statistic]} over runs (n per group) with ${Math.round(a.level * 1000) / 10}% ` +
    `${INTERVAL_LABEL[a.interval]} bootstrap CI over runs (${a.reps} replicates); no interval for groups of one run`
  );
}

/**
 * Wide table, one row per group: the group columns, n, then for each metric its statistic and interval
 * ("<metric> <stat>", "<metric> CI low", "<metric> CI high"). Undefined numbers are null (shown as —).
 */
export function aggregateTable(a: AggregateResult, opts: { name: string; caption?: string }): TableSpec {
  if (!opts || !/^[a-z0-9][a-z0-9-]*$/.test(opts.name ?? ''))
    throw new RangeError(
      'stats.aggregateTable: name must be lowercase letters, digits and dashes ' +
        `(it identifies the table in the report), got ${String(opts?.name)}`,
    );
  const stat = STAT_LABEL[a.statistic];
  const columns = [...a.groupColumns, 'n'];
  for (const m of a.metrics) columns.push(`${m} ${stat}`, `${m} CI low`, `${m} CI high`);
  const rows: Cell[][] = [];
  const k = a.metrics.length;
  for (let i = 0; i < a.rows.length; i += k) {
    const first = a.rows[i];
    const row: Cell[] = [...first.group, first.n];
    for (let j = 0; j < k; j++) {
      const r = a.rows[i + j];
      row.push(num(r.estimate), num(r.lo), num(r.hi));
    }
    rows.push(row);
  }
  // n can differ between metrics only with dropNonFinite; then say so
  let differs = false;
  for (let i = 0; i < a.rows.length; i += k)
    for (let j = 1; j < k; j++) if (a.rows[i + j].n !== a.rows[i].n) differs = true;
  const dropped = a.rows.reduce((s, r) => s + r.dropped, 0);
  let caption = opts.caption ?? `${a.metrics.join(', ')} by ${a.groupColumns.join(' × ')}`;
  caption += `: ${aggregateDescription(a)}`;
  if (dropped > 0)
    caption +=
      `; ${dropped} run-metric value(s) missing or not finite were left out` +
      `${differs ? ` (n is that of ${a.metrics[0]})` : ''}`;
  return { name: opts.name, caption, columns, rows };
}

/**
 * Show an aggregate as an HTML table in a tslab notebook (text outside a kernel). Inside a notebook
 * session prefer `nb.table(aggregateTable(agg, { name }))`, which also records the table for the report.
 * Returns nothing, so a last-line call does not echo the spec; `aggregateFrame(agg)` gives the DataFrame.
 */
export function displayAggregate(a: AggregateResult, opts: { name: string; caption?: string }): void {
  displayTable(aggregateTable(a, opts));
}

// ---------------------------------------------------------------- danfojs views (lazy)

type Danfo = typeof import('danfojs-node');
let danfo: Danfo | null = null;
let danfoLoadMs = NaN;

/** danfojs-node, loaded on first use (it takes seconds: mathjs); `danfoLoadTime()` reports how long. */
export function loadDanfo(): Danfo {
  if (!danfo) {
    const t0 = Date.now();
    try {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      danfo = require('danfojs-node') as Danfo;
    } catch (e) {
      throw new Error(
        `stats: danfojs-node cannot be loaded (${(e as Error).message}); run \`npm ci\` in the repository root. ` +
          'The TableSpec helpers (aggregateTable) work without it.',
      );
    }
    danfoLoadMs = Date.now() - t0;
  }
  return danfo;
}

/** Milliseconds the first `loadDanfo()` took in this process (NaN before). */
export function danfoLoadTime(): number {
  return danfoLoadMs;
}

/** Any TableSpec as a danfojs DataFrame with the same columns (null cells become NaN in numeric columns). */
export function tableFrame(t: TableSpec): DataFrame {
  const dfd = loadDanfo();
  const data: Record<string, Cell[]> = {};
  t.columns.forEach((c, j) => {
    const col = t.rows.map((r) => (r[j] === undefined ? null : r[j]));
    const numeric = col.every((v) => v === null || typeof v === 'number');
    data[c] = numeric ? col.map((v) => (v === null ? NaN : v)) : col.map((v) => (v === null ? '' : String(v)));
  });
  if (t.rows.length === 0) return new dfd.DataFrame([], { columns: t.columns });
  return new dfd.DataFrame(data, { columns: t.columns });
}

/** The aggregate as a DataFrame, one row per group (the columns of `aggregateTable`). */
export function aggregateFrame(a: AggregateResult): DataFrame {
  return tableFrame(aggregateTable(a, { name: 'aggregate' }));
}

/** Flatten a config object into 'config.<path>' → scalar (arrays and objects at the leaves as JSON). */
function flattenConfig(config: unknown, prefix: string, out: Record<string, Cell>): void {
  if (config === null || config === undefined) return;
  if (typeof config !== 'object' || Array.isArray(config)) {
    out[prefix] = typeof config === 'number' || typeof config === 'string' ? config : JSON.stringify(config);
    return;
  }
  for (const [k, v] of Object.entries(config as Record<string, unknown>)) {
    const p = `${prefix}.${k}`;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flattenConfig(v, p, out);
    else out[p] = v === null || typeof v === 'number' || typeof v === 'string' ? (v as Cell) : JSON.stringify(v);
  }
}

/**
 * Run records as a tidy TableSpec, one row per record: method, seed, every config field ('config.<path>'),
 * then the metrics (all, or the ones named). Missing values are null.
 */
export function recordsTable(
  records: readonly RecordLike[],
  opts: { name?: string; caption?: string; metrics?: readonly string[] } = {},
): TableSpec {
  if (records.length === 0) throw new RangeError('stats.recordsTable: no records');
  const flat = records.map((r) => {
    const o: Record<string, Cell> = {};
    flattenConfig(r.config, 'config', o);
    return o;
  });
  const configCols: string[] = [];
  for (const f of flat) for (const k of Object.keys(f)) if (!configCols.includes(k)) configCols.push(k);
  const metricCols: string[] = opts.metrics ? [...opts.metrics] : [];
  if (!opts.metrics)
    for (const r of records)
      for (const k of Object.keys(r.metrics ?? {})) if (!metricCols.includes(k)) metricCols.push(k);
  const columns = ['method', 'seed', ...configCols, ...metricCols];
  const rows = records.map((r, i) => [
    r.method,
    r.seed,
    ...configCols.map((c) => (c in flat[i] ? flat[i][c] : null)),
    ...metricCols.map((m) => {
      const v = r.metrics?.[m];
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    }),
  ]);
  return { name: opts.name ?? 'records', caption: opts.caption ?? `${records.length} run records`, columns, rows };
}

/** Run records as a danfojs DataFrame, one row per record (columns of `recordsTable`). */
export function recordsFrame(records: readonly RecordLike[], opts: { metrics?: readonly string[] } = {}): DataFrame {
  return tableFrame(recordsTable(records, opts));
}
