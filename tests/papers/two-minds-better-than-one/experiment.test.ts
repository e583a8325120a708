import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  cleanPairs,
  DEFAULTS,
  flipMask,
  key,
  METHODS,
  orientPairs,
  runSeed,
  seriesStats,
} from '../../../src/papers/two-minds-better-than-one/experiment';
import { expectWellFormed } from '../run-result';

describe('the collaborative-reward-modeling experiment', () => {
  it('flip masks flip exactly round(η·n) pairs; orientation reverses exactly those', () => {
    const m = flipMask(new Rng(2), 101, 0.4);
    expect(m.reduce((s, v) => s + v, 0)).toBe(40);
    const util = (x: Float32Array, i: number) => 1e4 * x[i * 2];
    const p = cleanPairs(new Rng(3), 101, 2, util);
    // with a huge gain every clean label is the gold preference
    const clean = orientPairs(p, null, 2);
    for (let i = 0; i < 101; i++) expect(clean.xc[i * 2]).toBeGreaterThan(clean.xr[i * 2]);
    const noisy = orientPairs(p, m, 2);
    for (let i = 0; i < 101; i++) expect(noisy.xc[i * 2] > noisy.xr[i * 2]).toBe(m[i] === 0);
  });

  it('series statistics: population sd and mean |consecutive change|', () => {
    const s = seriesStats([1, 3, 1, 3]);
    expect(s.sd).toBeCloseTo(1, 12);
    expect(s.jump).toBeCloseTo(2, 12);
    expect(seriesStats([5, 5, 5]).sd).toBe(0);
  });

  it('a small seed is well formed and deterministic; the gold utility bounds best-of-n', () => {
    const cfg = { ...DEFAULTS, pairs: 192, epochs: 3, nTest: 200, pools: 10, checkpoints: 4 };
    const r = runSeed(cfg, 5);
    expectWellFormed(r);
    expect(runSeed(cfg, 5)).toEqual(r);
    expect(r.metrics['oracle/acc']).toBe(1);
    for (const eta of cfg.noiseRates)
      for (const m of METHODS) {
        const acc = r.metrics[`${key(m, eta)}/acc`];
        expect(acc).toBeGreaterThanOrEqual(0);
        expect(acc).toBeLessThanOrEqual(1);
        expect(r.metrics[`${key(m, eta)}/bon`]).toBeLessThanOrEqual(r.metrics['oracle/bon'] + 1e-12);
      }
    for (const eta of cfg.noiseRates)
      for (const m of ['self', 'coteach', 'crm', 'crm-sorted']) {
        const kf = r.metrics[`${key(m, eta)}/keptFlip`];
        expect(kf).toBeGreaterThanOrEqual(0);
        expect(kf).toBeLessThanOrEqual(1);
      }
    // the clean oracle does not depend on the noise rate
    expect(r.metrics[`${key('clean', 0.2)}/acc`]).toBe(r.metrics[`${key('clean', 0.4)}/acc`]);
  });
});
