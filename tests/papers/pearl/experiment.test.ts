import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  goldScore,
  labelAccuracy,
  makeTask,
  planLinear,
  runSeed,
} from '../../../src/papers/pearl/experiment';

const small = { ...DEFAULTS, nSegments: 30, targetPairs: 40, fewLabels: [5], noise: [0.3] };

describe('PEARL experiment: one seed', () => {
  it('is a pure function of the seed, with method/metric keys and accuracies in [0, 1]', () => {
    const a = runSeed(small, 4);
    expect(runSeed(small, 4)).toEqual(a);
    for (const k of Object.keys(a.metrics)) expect(() => parseMetricKey(k)).not.toThrow();
    for (const m of ['pearl', 'cpa-bt', 'oracle', 'oracle-rrl', 'few-5', 'naive-ot', 'random', 'pearl-n0.3'])
      expect(a.metrics[`${m}/final`]).toBeLessThanOrEqual(1 + 1e-9);
    expect(a.metrics['cpa/acc']).toBeGreaterThanOrEqual(0);
    expect(a.metrics['cpa/acc']).toBeLessThanOrEqual(1);
  });

  it('normalises the uniform policy to 0 and the gold-optimal policy to 1', () => {
    const w = makeTask(DEFAULTS, 0.3, new Rng(2));
    const { norm } = goldScore(w, DEFAULTS.gold);
    expect(norm(planLinear(w, DEFAULTS.gold))).toBeCloseTo(1, 8);
  });

  it('label accuracy: the gold order scores 1, its reverse 0, ties in the gold return are skipped', () => {
    const g = Float64Array.of(3, 1, 2, 2);
    const pairs = { i: Int32Array.of(0, 1, 2), j: Int32Array.of(1, 2, 3) };
    expect(labelAccuracy([1, 0, 0.5], g, pairs).acc).toBe(1);
    expect(labelAccuracy([0, 1, 1], g, pairs).acc).toBe(0);
  });
});
