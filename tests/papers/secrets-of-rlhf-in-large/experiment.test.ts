import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { dotRow } from '../../../src/testbeds/preference/data/feature-preferences';
import { auroc, DEFAULTS, METHODS, noisyPairs, runSeed } from '../../../src/papers/secrets-of-rlhf-in-large/experiment';
import { expectWellFormed } from '../run-result';

describe('the preference-strength experiment', () => {
  it('AUROC: perfect, reversed and uninformative scores', () => {
    expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auroc([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0])).toBe(0);
    expect(auroc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
    // one of the four positive–negative orderings is wrong
    expect(auroc([0.1, 0.5, 0.4, 0.9], [0, 0, 1, 1])).toBe(0.75);
  });

  it('noisy pairs: without injected noise and with a huge gain every label is correct; all flips reverse it', () => {
    const u = [1, 0, 0];
    const util = (x: Float32Array, i: number) => 1e4 * dotRow(u, x, i, 3);
    const clean = noisyPairs(new Rng(1), 200, { d: 3, flipRate: 0, tieRate: 0, tieNoise: 0.1 }, util);
    expect(clean.correct.every((v) => v === 1)).toBe(true);
    const flipped = noisyPairs(new Rng(1), 200, { d: 3, flipRate: 1, tieRate: 0, tieNoise: 0.1 }, util);
    expect(flipped.correct.every((v) => v === 0)).toBe(true);
    expect(flipped.kind.every((v) => v === 1)).toBe(true);
    const ties = noisyPairs(new Rng(1), 200, { d: 3, flipRate: 0, tieRate: 1, tieNoise: 0.1 }, util);
    for (let i = 0; i < 200; i++)
      for (let j = 0; j < 3; j++) expect(Math.abs(ties.xc[i * 3 + j] - ties.xr[i * 3 + j])).toBeLessThan(1);
  });

  it('a small seed is well formed and deterministic', () => {
    const cfg = { ...DEFAULTS, pairs: 320, ensemble: 2, epochs: 1, nTest: 200, pools: 10, deciles: true };
    const r = runSeed(cfg, 5);
    expectWellFormed(r);
    expect(runSeed(cfg, 5)).toEqual(r);
    for (const m of [...METHODS, 'ensemble', 'oracle'])
      for (const k of ['acc', 'accClean', 'accLabels']) {
        const v = r.metrics[`${m}/${k}`];
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    expect(r.metrics['oracle/acc']).toBe(1);
    // the gold utility is the best possible best-of-n selector
    for (const m of METHODS) expect(r.metrics[`${m}/bon`]).toBeLessThanOrEqual(r.metrics['oracle/bon'] + 1e-12);
    for (let k = 0; k < 9; k++) expect(r.metrics[`bins/mu-${k}`]).toBeLessThanOrEqual(r.metrics[`bins/mu-${k + 1}`]);
  });
});
