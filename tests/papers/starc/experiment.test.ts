import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import { DEFAULTS, EQUIVALENT_KINDS, METRICS, runSeed } from '../../../src/papers/starc/experiment';

const config = { ...DEFAULTS, mdpsPerSeed: 2, minStates: 6, maxStates: 8 };

describe('STARC experiment: one seed', () => {
  it('is a pure function of the seed, with method/metric keys and STARC exactly 0 on equivalent pairs', () => {
    const a = runSeed(config, 3);
    expect(runSeed(config, 3)).toEqual(a);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const m of METRICS) expect(Number.isFinite(a.metrics[`${m}/spearman`])).toBe(true);
    const pairs = a.metrics['all/pairs'];
    expect(pairs).toBe(config.mdpsPerSeed * (EQUIVALENT_KINDS.length + 4 + 6));
    expect(a.series?.['starc/distance']).toHaveLength(pairs);
    expect(a.metrics['starc/maxZeroPair']).toBeLessThan(1e-9);
    expect(a.metrics['starc/boundViolations']).toBe(0);
  });
});
