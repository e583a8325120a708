/** Checks shared by the paper tests: a run result of a tiny configuration. */
import { expect } from 'vitest';
import { parseMetricKey } from '../../src/core/metric-keys';
import type { RunResult } from '../../src/core/records';

/** Every metric and series value is finite, and every key follows the `method/metric` schema. */
export function expectWellFormed(r: RunResult): void {
  for (const [k, v] of Object.entries(r.metrics)) {
    expect(() => parseMetricKey(k), `metric key ${k}`).not.toThrow();
    expect(Number.isFinite(v), `metric ${k} = ${v}`).toBe(true);
  }
  for (const [k, v] of Object.entries(r.series ?? {})) {
    expect(() => parseMetricKey(k), `series key ${k}`).not.toThrow();
    for (const x of v) expect(Number.isFinite(x), `series ${k} has ${x}`).toBe(true);
  }
}
