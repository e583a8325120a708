import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  METHODS,
  observationScales,
  runSeed,
  simulatedSweep,
  tablesOf,
  type Config,
} from '../../../src/papers/optimistic-feasible-search-for-closed-loop/experiment';
import { bestFixedThreshold } from '../../../src/testbeds/bandits/env/closed-loop-threshold';

const small: Config = { ...DEFAULTS, T: 1500, checkpoints: 10 };

describe('optimistic-feasible-search-for-closed-loop experiment', () => {
  it('is a pure function of the seed; keys follow method/metric; accounting identities hold', () => {
    const a = runSeed(small, 4);
    const b = runSeed(small, 4);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    const rStar = a.metrics['exact/rStar'];
    for (const m of METHODS) {
      expect(a.metrics[`${m}/regret`]).toBeCloseTo(small.T * rStar - a.metrics[`${m}/cumReward`], 8);
      expect(a.metrics[`${m}/cumViolation`]).toBeCloseTo(
        a.metrics[`${m}/cumDpViolation`] + a.metrics[`${m}/cumSrViolation`],
        9,
      );
      const vc = a.series![`${m}/violationCurve`];
      expect(vc[vc.length - 1]).toBeCloseTo(a.metrics[`${m}/cumViolation`], 9);
      for (let i = 1; i < vc.length; i++) expect(vc[i]).toBeGreaterThanOrEqual(vc[i - 1]);
    }
    // the oracle plays the best feasible fixed threshold: no violation, only the transient of the share
    expect(a.metrics['oracle/cumViolation']).toBe(0);
    expect(a.metrics['oracle/fracOracle']).toBe(1);
    expect(Math.abs(a.metrics['oracle/regret'])).toBeLessThan(2);
    expect(runSeed(small, 5).metrics).not.toEqual(a.metrics);
  });

  it('the exact oracle agrees with a simulated sweep of fixed thresholds', () => {
    const tb = tablesOf(DEFAULTS);
    const best = bestFixedThreshold(tb).feasible;
    const sweep = simulatedSweep(DEFAULTS, 1200, 7);
    let arg = -1;
    for (const s of sweep)
      if (s.dpResidual <= 0 && s.srResidual <= 0 && (arg < 0 || s.reward > sweep[arg].reward)) arg = s.k;
    expect(arg).toBe(best.k);
    expect(Math.abs(sweep[arg].reward - best.reward)).toBeLessThan(0.002);
  });

  it('observation scales follow the batch size', () => {
    const s = observationScales(400);
    expect(s.reward).toBeCloseTo(0.025, 12);
    expect(s.residuals).toEqual([0.05, 0.025]);
  });
});
