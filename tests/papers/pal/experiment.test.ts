import { describe, expect, it } from 'vitest';
import { DEFAULTS, METHODS, runSeed } from '../../../src/papers/pal/experiment';
import { expectWellFormed } from '../run-result';

describe('the PAL experiment', () => {
  it('a small seed is well formed, the K = 1 identity holds and accuracies are in [0, 1]', () => {
    const cfg = { ...DEFAULTS, users: 12, newUsers: 6, steps: 150, fewShotSteps: 50, shots: [1, 5] };
    const r = runSeed(cfg, 0);
    expectWellFormed(r);
    for (const m of METHODS) {
      expect(r.metrics[`${m}/seenAcc`]).toBeGreaterThanOrEqual(0);
      expect(r.metrics[`${m}/seenAcc`]).toBeLessThanOrEqual(1);
      expect(Number.isFinite(r.metrics[`${m}/newAcc@shots=5`])).toBe(true);
    }
    expect(r.metrics['identity/k1MaxUserGap']).toBe(0);
    expect(r.metrics['identity/gradRelErr']).toBeLessThan(1e-3);
    // the homogeneous models have nothing per-user to fit: their new-user accuracy does not depend on the shots
    expect(r.metrics['single/newAcc@shots=1']).toBe(r.metrics['single/newAcc@shots=5']);
    // with one group there is no plurality: no pair on which groups disagree
    expect(runSeed({ ...cfg, K: 1 }, 0).metrics['data/disagree']).toBe(0);
  });
});
