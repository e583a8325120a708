import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  LEARNERS,
  runSeed,
  type Config,
} from '../../../src/papers/explaining-rl-decisions-with-trajectories/experiment';
import { expectWellFormed } from '../run-result';

describe('runSeed', () => {
  const cfg: Config = { ...DEFAULTS, positives: 20, negatives: 5, subsets: 2, permutations: 5 };
  it('is deterministic per seed and well-formed; values are bounded by the optimum', () => {
    const r = runSeed(cfg, 1);
    expectWellFormed(r);
    expect(runSeed(cfg, 1)).toEqual(r);
    const m = r.metrics;
    expect(m['data/episodes']).toBe(25);
    expect(m['clusters/k']).toBeGreaterThanOrEqual(2);
    expect(m['clusters/k']).toBeLessThanOrEqual(cfg.kMax);
    for (const L of LEARNERS) {
      expect(m[`${L}/isvTrue`]).toBeLessThanOrEqual(m['optimal/isvTrue'] + 1e-12);
      expect(m[`${L}/isvTrue`]).toBeGreaterThan(m['uniform/isvTrue']);
      expect(m[`${L}/lowerEst`] + m[`${L}/raiseEst`]).toBeLessThanOrEqual(1 + 1e-12);
      const drops = r.series![`${L}/dropEstByCluster`];
      expect(drops.length).toBe(m['clusters/k']);
      expect(m[`${L}/dropEst`]).toBeCloseTo(drops.reduce((x, y) => x + y, 0) / drops.length, 12);
      expect(m[`${L}/attributed`]).toBeLessThanOrEqual(m[`${L}/explained`]);
      for (const k of ['neverVisits', 'farFrom', 'baseNeverVisits', 'baseFarFrom']) {
        expect(m[`${L}/${k}`]).toBeGreaterThanOrEqual(0);
        expect(m[`${L}/${k}`]).toBeLessThanOrEqual(1);
      }
      // never within 2 steps implies never visited
      expect(m[`${L}/farFrom`]).toBeLessThanOrEqual(m[`${L}/neverVisits`] + 1e-12);
    }
    // (start, terminal) refines the outcome label, so its purity cannot be higher
    expect(m['clusters/purity']).toBeLessThanOrEqual(m['clusters/outcomePurity'] + 1e-12);
    expect(m['clusters/purityRandom']).toBeLessThanOrEqual(m['clusters/outcomePurityRandom'] + 1e-12);
  });
});
