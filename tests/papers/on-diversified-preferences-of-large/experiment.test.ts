import { describe, expect, it } from 'vitest';
import { DEFAULTS, METHODS, runSeed } from '../../../src/papers/on-diversified-preferences-of-large/experiment';
import { expectWellFormed } from '../run-result';

describe('the diversified-preferences experiment', () => {
  it('a small seed is well formed and deterministic; with ρ = 0 no dataset disagrees with the shared utility', () => {
    const cfg = { ...DEFAULTS, pairs: 200, steps: [20], rhos: [0, 1], nTest: 200, pools: 10 };
    const r = runSeed(cfg, 3);
    expectWellFormed(r);
    expect(runSeed(cfg, 3)).toEqual(r);
    expect(r.metrics['data/disagree@rho=0:steps=20']).toBe(0);
    expect(r.metrics['data/disagree@rho=1:steps=20']).toBeGreaterThan(0);
    for (const m of [...METHODS, 'single-0'])
      for (const k of ['ece', 'eceTrue', 'acc']) {
        const v = r.metrics[`${m}/${k}@rho=1:steps=20`];
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    // the KL-regularised regret is J* − J(π̂) ≥ 0 for every reward model
    for (const m of METHODS) expect(r.metrics[`${m}/klRegret@rho=0:steps=20`]).toBeGreaterThanOrEqual(-1e-12);
    expect(Math.abs(r.metrics['corr/eceKlRegret@rho=1:steps=20'])).toBeLessThanOrEqual(1);
  });
});
