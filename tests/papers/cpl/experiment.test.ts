import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import { CPL_METHODS, DEFAULTS, EXACT_CHECK, runSeed } from '../../../src/papers/cpl/experiment';

const config = { ...DEFAULTS, height: 4, width: 4, sizes: [20, 40], adam: { lr: 0.05, steps: 20 }, exactPairs: 200 };

describe('CPL experiment: one seed', () => {
  it('is a pure function of the seed (timings aside), with method/metric keys for every method and size', () => {
    const a = runSeed(config, 1);
    const b = runSeed(config, 1);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {}), ...Object.keys(a.timings ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const m of CPL_METHODS)
      for (const n of config.sizes)
        for (const metric of ['kl', 'softReturn', 'return']) expect(a.metrics).toHaveProperty([`${m}/${metric}@${n}`]);
    // Infinite data: CPL (λ = 1) recovers the max-ent optimal policy.
    expect(a.metrics[`${EXACT_CHECK}/maxAbsDiff`]).toBeLessThan(1e-6);
  });
});
