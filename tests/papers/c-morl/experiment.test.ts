import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  ENVS,
  METHODS,
  budgetOf,
  benchmark,
  runSeed,
  type Config,
} from '../../../src/papers/c-morl/experiment';

const small: Config = {
  ...DEFAULTS,
  pg: { ...DEFAULTS.pg, batch: 4 },
  dst: { ...DEFAULTS.dst, stage1Updates: 12, rounds: 1, numSelect: 2, branchUpdates: 6 },
  fruitTree: { ...DEFAULTS.fruitTree, depth: 4, stage1Updates: 7, rounds: 1, numSelect: 2, branchUpdates: 1 },
  checkpoints: 3,
};

describe('C-MORL experiment: one seed', () => {
  it('is a pure function of the seed, gives every method the same budget, and keys follow method/metric', () => {
    const a = runSeed(small, 3);
    const b = runSeed(small, 3);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const env of ENVS) {
      const { mdp, bench } = benchmark(small, env);
      const budget = budgetOf(bench, mdp.nObj);
      for (const m of METHODS) {
        expect(a.metrics[`${m}/budget@${env}`]).toBe(budget);
        const hvn = a.metrics[`${m}/hvNorm@${env}`];
        expect(hvn).toBeGreaterThan(0);
        expect(hvn).toBeLessThanOrEqual(1 + 1e-12); // no method beats the exact front
        expect(a.metrics[`${m}/coverage@${env}`]).toBeLessThanOrEqual(1);
        expect(a.metrics[`${m}/euNorm@${env}`]).toBeLessThanOrEqual(1 + 1e-12);
        expect(a.series![`${m}/coverageCurve@${env}`]).toHaveLength(small.checkpoints + 1);
      }
    }
    expect(a.metrics['exact/nFront@dst']).toBe(10);
  });
});
