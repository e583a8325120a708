import { describe, expect, it } from 'vitest';
import { DEFAULTS, METHODS, auroc, runSeed } from '../../../src/papers/causalrm/experiment';
import { expectWellFormed } from '../run-result';

describe('the CausalRM experiment', () => {
  it('AUROC equals the pairwise-ordering fraction', () => {
    const s = Float64Array.from([0.1, 0.4, 0.35, 0.8, 0.4]);
    const l = Uint8Array.from([0, 0, 1, 1, 1]);
    let ok = 0,
      tot = 0;
    for (let i = 0; i < 5; i++)
      for (let j = 0; j < 5; j++)
        if (l[i] === 1 && l[j] === 0) {
          tot++;
          ok += s[i] > s[j] ? 1 : s[i] === s[j] ? 0.5 : 0;
        }
    expect(auroc(s, l)).toBeCloseTo(ok / tot, 12);
  });

  it('a small seed is well formed; with no noise and no selection every observational fit is the naive fit', () => {
    const cfg = { ...DEFAULTS, poolSize: 3000, testSize: 2000, nX: 20 };
    const r = runSeed(cfg, 0);
    expectWellFormed(r);
    for (const m of METHODS) expect(Number.isFinite(r.metrics[`${m}/testCE`]), m).toBe(true);
    expect(r.metrics['identity/noiseAwareMaxDev']).toBeLessThan(1e-9);
    const clean = runSeed({ ...cfg, alpha: 1, observationRate: 1, rho10: 0, rho01: 0 }, 0);
    // every response observed with p = 1, no flips: naive = IPS = oracle fit exactly
    expect(clean.metrics['ips/testCE']).toBeCloseTo(clean.metrics['naive/testCE'], 6);
    expect(clean.metrics['oracle/testCE']).toBeCloseTo(clean.metrics['naive/testCE'], 10);
    expect(clean.metrics['causalrm-true/testCE']).toBeCloseTo(clean.metrics['naive/testCE'], 10);
  });
});
