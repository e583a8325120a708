import { describe, expect, it } from 'vitest';
import { DEFAULTS, METHODS, runSeed } from '../../../src/papers/rlbff/experiment';
import { expectWellFormed } from '../run-result';

describe('the RLBFF experiment', () => {
  it('a small seed is well formed and deterministic; no reward model beats the best response of a pool', () => {
    const cfg = { ...DEFAULTS, budgets: [64], epochs: 2, nTest: 200, pools: 20 };
    const r = runSeed(cfg, 3);
    expectWellFormed(r);
    expect(runSeed(cfg, 3)).toEqual(r);
    for (const m of METHODS) {
      for (const k of ['acc', 'accNew', 'accSingle']) {
        const v = r.metrics[`${m}/${k}@n=64`];
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
      expect(r.metrics[`${m}/bon@n=64`]).toBeLessThanOrEqual(r.metrics['exact/bonMax'] + 1e-9);
      expect(r.metrics[`${m}/bonNew@n=64`]).toBeLessThanOrEqual(r.metrics['exact/bonMaxNew'] + 1e-9);
    }
    expect(r.metrics['exact/bonMax']).toBeGreaterThan(r.metrics['exact/bonMean']);
    expect(r.metrics['data/flip']).toBeGreaterThan(0);
  });
});
