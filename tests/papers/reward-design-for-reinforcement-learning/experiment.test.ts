import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  METHODS,
  runSeed,
  type Config,
} from '../../../src/papers/reward-design-for-reinforcement-learning/experiment';

const small: Config = {
  ...DEFAULTS,
  design: { ...DEFAULTS.design, budget: 2 },
  learner: { ...DEFAULTS.learner, episodes: 60, evalEvery: 10 },
};

describe('reward-design experiment: one seed', () => {
  it('is a pure function of the seed, gives every reward the same budget, and keys follow method/metric', async () => {
    const a = await runSeed(small, 7);
    const b = await runSeed(small, 7);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const m of METHODS) {
      expect(a.metrics[`${m}/episodes@rooms`]).toBe(60);
      expect(a.series?.[`${m}/curve@rooms`].length).toBe(7);
      expect(a.metrics[`${m}/invariant@rooms`]).toBe(1);
    }
    expect(a.metrics['orig/nonzeroStates@rooms']).toBe(1);
    expect(a.metrics['exprd/nonzeroStates@rooms']).toBeLessThanOrEqual(2);
    // potential shaping with V* makes every target action exactly as good as the state's best: I_H = 0
    expect(a.metrics['pbrs/informativeness@rooms']).toBeCloseTo(0, 9);
    expect(a.metrics['exprd/lpConsistency@rooms']).toBeLessThan(1e-6);
  }, 60000);
});
