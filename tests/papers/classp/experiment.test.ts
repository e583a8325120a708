import { describe, expect, it } from 'vitest';
import { DEFAULTS, METHODS, runSeed, tuneSeed, type Config } from '../../../src/papers/classp/experiment';
import { expectWellFormed } from '../run-result';

const small: Config = {
  ...DEFAULTS,
  stream: { ...DEFAULTS.stream, tasks: 3, trainPerTask: 64, testPerTask: 64 },
  epochs: 1,
};

describe('classp runSeed', () => {
  it('is deterministic per seed and well-formed; accuracies in [0, 1]; state sizes as constructed', () => {
    const r = runSeed(small, 1);
    expectWellFormed(r);
    expect(runSeed(small, 1)).toEqual(r);
    for (const m of METHODS) {
      const a = r.metrics[`${m}/avgAcc`];
      expect(a >= 0 && a <= 1).toBe(true);
    }
    const P = r.metrics['classp/stateFloats'];
    expect(r.metrics['adam/stateFloats']).toBe(2 * P);
    expect(r.metrics['ewc/stateFloats']).toBe(2 * P * (small.stream.tasks - 1));
    expect(r.metrics['classp/density']).toBeLessThan(r.metrics['decay-only/density']);
  });

  it('every method gets a tuning grid of the same size; the ablation is CLASSP with threshold 0', () => {
    const sizes = METHODS.map((m) => DEFAULTS.grid[m].length);
    expect(new Set(sizes).size).toBe(1);
    for (const h of DEFAULTS.grid['decay-only']) expect(h.threshold).toBe(0);
    expect(DEFAULTS.grid['decay-only'].some((h) => h.p === 2)).toBe(true); // AdaGrad is in the ablation's grid
    const g = { ...small, grid: Object.fromEntries(METHODS.map((m) => [m, small.grid[m].slice(0, 2)])) } as Config;
    const t = tuneSeed(g, 2);
    for (const m of METHODS) for (const i of [0, 1]) expect(t.metrics[`${m}@${i}/avgAcc`]).toBeGreaterThan(0);
  });
});
