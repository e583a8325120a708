import { describe, expect, it } from 'vitest';
import { DEFAULTS, POLICIES, runSeed, type Config } from '../../../src/papers/sarm/experiment';
import { expectWellFormed } from '../run-result';

describe('runSeed', () => {
  const cfg: Config = { ...DEFAULTS, episodes: 60, heldOut: 20 };
  it('is deterministic per seed, well-formed, and every success probability is bounded by the optimum', () => {
    const r = runSeed(cfg, 1);
    expectWellFormed(r);
    expect(runSeed(cfg, 1)).toEqual(r);
    const opt = r.metrics['optimal/success'];
    for (const m of POLICIES) {
      expect(r.metrics[`${m}/success`]).toBeGreaterThanOrEqual(0);
      expect(r.metrics[`${m}/success`]).toBeLessThanOrEqual(opt + 1e-12);
    }
    expect(r.metrics['sarm/alpha0'] + r.metrics['sarm/alpha1'] + r.metrics['sarm/alpha2']).toBeCloseTo(1, 12);
    for (const m of ['sarm', 'frame']) expect(r.metrics[`${m}/mae`]).toBeGreaterThanOrEqual(0);
  });
});
