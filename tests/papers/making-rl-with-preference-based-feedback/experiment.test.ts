import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  logLogSlope,
  methodNames,
  runSeed,
} from '../../../src/papers/making-rl-with-preference-based-feedback/experiment';

describe('making-rl-with-preference-based-feedback experiment', () => {
  it('the log-log slope recovers the exponent of a power law and is 0 for a count still at zero', () => {
    for (const b of [0.5, 1, 0.3]) {
      const c = Float64Array.from({ length: 800 }, (_, i) => 3 * Math.pow(i + 1, b));
      expect(logLogSlope(c, 10)).toBeCloseTo(b, 10);
    }
    expect(logLogSlope(new Float64Array(800), 10)).toBe(0);
  });

  it('is a pure function of the seed; exact planning; the matched random budget; keys parse', () => {
    const config = { ...DEFAULTS, episodes: 120, epsilons: [0.5] };
    const a = runSeed(config, 3);
    expect(runSeed(config, 3)).toEqual(a);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    expect(Math.abs(a.metrics['ref/knownRegret'])).toBeLessThan(1e-12);
    expect(a.metrics['ref/uniformRegret']).toBeGreaterThan(0);
    for (const m of methodNames(config)) {
      expect(a.metrics[`${m}/regret`]).toBeGreaterThanOrEqual(0);
      expect(a.series?.[`${m}/cumRegret`]).toHaveLength(config.checkpoints);
    }
    expect(a.metrics['pr-lsvi/queries']).toBeGreaterThan(100);
    expect(a.metrics['active-0/queries']).toBeLessThan(a.metrics['pr-lsvi/queries']);
  });
});
