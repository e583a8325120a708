import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  logLogSlope,
  METHODS,
  runSeed,
} from '../../../src/papers/policy-regularized-distributionally-robust-markov/experiment';

describe('policy-regularized-distributionally-robust-markov experiment', () => {
  it('the log-log slope recovers the exponent of a power law and is 0 for a count still at zero', () => {
    for (const b of [0.5, 1, 0.3]) {
      const c = Float64Array.from({ length: 800 }, (_, i) => 3 * Math.pow(i + 1, b));
      expect(logLogSlope(c, 10)).toBeCloseTo(b, 10);
    }
    expect(logLogSlope(new Float64Array(800), 10)).toBe(0);
  });

  it('is a pure function of the seed; exact oracle; robustness matters; keys parse', () => {
    const config = { ...DEFAULTS, episodes: 200 };
    const a = runSeed(config, 3);
    expect(runSeed(config, 3)).toEqual(a);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    expect(a.metrics['ref/oracleResidual']).toBeLessThan(1e-12);
    expect(a.metrics['ref/robustnessGap']).toBeGreaterThan(0.1);
    for (const m of METHODS) {
      expect(a.metrics[`${m}/regret`]).toBeGreaterThan(0);
      expect(a.series?.[`${m}/cumRegret`]).toHaveLength(config.checkpoints);
      // The worst-case return falls with the test radius.
      for (let k = 1; k < config.rhoTest.length; k++)
        expect(a.metrics[`${m}/worst@${config.rhoTest[k]}`]).toBeLessThanOrEqual(
          a.metrics[`${m}/worst@${config.rhoTest[k - 1]}`] + 1e-12,
        );
    }
  });
});

describe('policy-regularized-distributionally-robust-markov horizon sweep', () => {
  it('is a pure function of the seed, one regret per budget, regret grows with the budget', async () => {
    const { runSweep } = await import('../../../src/papers/policy-regularized-distributionally-robust-markov/sweep');
    const config = { ...DEFAULTS, sweepEpisodes: [50, 400] };
    const a = runSweep(config, 2);
    expect(runSweep(config, 2)).toEqual(a);
    for (const k of Object.keys(a.metrics)) expect(() => parseMetricKey(k)).not.toThrow();
    expect(a.metrics['dr-rpo/regret@400']).toBeGreaterThan(a.metrics['dr-rpo/regret@50']);
    expect(a.metrics['dr-lsvi-o/robustRegret@50']).toBeGreaterThanOrEqual(0);
  });
});
