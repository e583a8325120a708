import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  METHODS,
  curveEpisodes,
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
    expect(curveEpisodes(small.learner)).toEqual([0, 10, 20, 30, 40, 50, 60]);
    for (const st of small.settings)
      for (const m of METHODS) {
        expect(a.metrics[`${m}/episodes@${st.name}`]).toBe(60);
        expect(a.series?.[`${m}/curve@${st.name}`].length).toBe(7);
      }
    for (const m of METHODS) expect(a.metrics[`${m}/invariant@design`]).toBe(1);
    expect(a.metrics['orig/nonzeroStates@design']).toBe(1);
    expect(a.metrics['exprd/nonzeroStates@design']).toBeLessThanOrEqual(2);
    // potential shaping with V* makes every target action exactly as good as the state's best: I_H = 0
    expect(a.metrics['pbrs/informativeness@design']).toBeCloseTo(0, 9);
    expect(a.metrics['exprd/lpConsistency@design']).toBeLessThan(1e-6);
    // the first-action rule is deterministic apart from ε: with ε = 0 and no reward seen, the greedy walk repeats
    const greedy = await runSeed({ ...small, learner: { ...small.learner, epsilon: 0 } }, 1);
    const greedy2 = await runSeed({ ...small, learner: { ...small.learner, epsilon: 0 } }, 2);
    expect(greedy2.series?.['orig/curve@rooms']).toEqual(greedy.series?.['orig/curve@rooms']);
  }, 60000);
});
