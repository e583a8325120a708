import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { DEFAULTS, equivalenceCheck, methodNames, runSeed } from '../../../src/papers/rpo/experiment';
import { expectWellFormed } from '../run-result';

describe('the RPO experiment', () => {
  it('RPO (Algorithm 2) equals the maximin policy of Algorithm 1 computed through the adversarial reward', () => {
    const r = equivalenceCheck({ nX: 2, nY: 4, eta: 0.7, beta: 0.5, steps: 20000, lr: 1 }, new Rng(23));
    expect(r.gradRpo).toBeLessThan(1e-10);
    expect(r.gradAdv).toBeLessThan(1e-10);
    expect(r.maxAbsDiff).toBeLessThan(1e-9);
  });

  it('a seed of a tiny configuration returns finite metrics for every method', () => {
    const cfg = { ...DEFAULTS, nX: 6, steps: 40, every: 10, equivalence: { ...DEFAULTS.equivalence, steps: 100 } };
    const r = runSeed(cfg, 0);
    expectWellFormed(r);
    for (const m of methodNames(cfg)) expect(Number.isFinite(r.metrics[`${m}/reward`]), m).toBe(true);
    expect(() => runSeed({ ...cfg, primaryEta: 3 }, 0)).toThrow(/primaryEta 3 is not one of etas/);
  });
});
