/**
 * Record metric keys: one schema for every paper, `method/metric` (e.g. `grpo/pass1`,
 * `dpo/winRate`). A method or metric name is letters, digits and `_ . - : @ [ ] =` (no `/`, no
 * spaces), so a key splits back into its two parts unambiguously.
 *
 * Writing: `metricKey('grpo', 'pass1')` (or `metricsFor('grpo', { pass1, pass64 })`) in a task.
 * Reading: `metricOf(record, 'grpo', 'pass1')` / `metricValues(records, 'grpo', 'pass1')` in a
 * notebook; an unknown key throws and names the record and the keys it does have, so a renamed or
 * misspelt metric can never silently read as `undefined` (→ NaN in a verdict).
 */

const PART = /^[A-Za-z0-9_.\-:@[\]=]+$/;

function checkPart(what: 'method' | 'metric', v: string, where: string): void {
  if (typeof v !== 'string' || !PART.test(v)) {
    throw new Error(
      `${where}: ${what} name ${JSON.stringify(v)} is not valid: use letters, digits and _ . - : @ [ ] = ` +
        `(no "/" or spaces); record metric keys are "method/metric".`,
    );
  }
}

/** The record key of `metric` for `method`: `method/metric`. */
export function metricKey(method: string, metric: string): string {
  checkPart('method', method, 'metricKey');
  checkPart('metric', metric, 'metricKey');
  return `${method}/${metric}`;
}

/** Split `method/metric` into its parts (throws on a key that does not follow the schema). */
export function parseMetricKey(key: string): { method: string; metric: string } {
  const i = key.indexOf('/');
  if (i <= 0 || i !== key.lastIndexOf('/') || i === key.length - 1) {
    throw new Error(`parseMetricKey: "${key}" is not a "method/metric" key.`);
  }
  const method = key.slice(0, i);
  const metric = key.slice(i + 1);
  checkPart('method', method, `parseMetricKey("${key}")`);
  checkPart('metric', metric, `parseMetricKey("${key}")`);
  return { method, metric };
}

/** `{ metric: value }` of one method → `{ 'method/metric': value }`. */
export function metricsFor(method: string, values: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(values)) out[metricKey(method, k)] = v;
  return out;
}

interface HasMetrics {
  metrics: Record<string, number>;
  paper?: string;
  method?: string;
  seed?: number;
}

function describe(rec: HasMetrics): string {
  const parts = [rec.paper, rec.method, rec.seed !== undefined ? `seed ${rec.seed}` : undefined].filter(Boolean);
  return parts.length ? `record ${parts.join(' / ')}` : 'record';
}

/** The value of `method/metric` in a record; throws (naming the known keys) if the key is absent. */
export function metricOf(rec: HasMetrics, method: string, metric: string): number {
  const key = metricKey(method, metric);
  if (!rec || typeof rec.metrics !== 'object' || rec.metrics === null) {
    throw new Error(`metricOf(${key}): not a run record (no metrics object).`);
  }
  if (!Object.prototype.hasOwnProperty.call(rec.metrics, key)) {
    const known = Object.keys(rec.metrics).sort();
    const sameMethod = known.filter((k) => k.startsWith(`${method}/`));
    const hint = sameMethod.length
      ? `metrics of ${method}: ${sameMethod.join(', ')}`
      : `methods present: ${[...new Set(known.map((k) => k.split('/')[0]))].join(', ')}`;
    throw new Error(`${describe(rec)} has no metric "${key}" (${hint}). Check the method and metric names.`);
  }
  return rec.metrics[key];
}

/** One value per record of `method/metric` (e.g. per seed); throws on a record without it. */
export function metricValues(recs: readonly HasMetrics[], method: string, metric: string): number[] {
  return recs.map((r) => metricOf(r, method, metric));
}

/** Methods and metrics present in a record's metrics (keys that do not follow the schema throw). */
export function metricIndex(rec: HasMetrics): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const k of Object.keys(rec.metrics)) {
    const { method, metric } = parseMetricKey(k);
    out.set(method, [...(out.get(method) ?? []), metric]);
  }
  return out;
}
