import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  METHODS,
  bestArm,
  fastArm,
  runSeed,
} from '../../../src/papers/reinforcement-learning-for-machine-learning/experiment';

describe('reinforcement-learning-for-machine-learning experiment', () => {
  const config = { ...DEFAULTS, horizon: 300, frozenHorizon: 3000, checkpoints: 5 };
  it('the optimum is slow and differs from the reward-per-time maximiser', () => {
    expect(bestArm(DEFAULTS)).not.toBe(fastArm(DEFAULTS));
    expect(DEFAULTS.durations[bestArm(DEFAULTS)]).toBeGreaterThan(DEFAULTS.durations[fastArm(DEFAULTS)]);
  });
  it('runSeed is deterministic, records every rule, and J lies in [min μ, max μ]', () => {
    const a = runSeed(config, 3),
      b = runSeed(config, 3);
    expect(a.metrics).toEqual(b.metrics);
    for (const m of METHODS) {
      const J = a.metrics[`${m}/J`];
      expect(J).toBeGreaterThanOrEqual(Math.min(...DEFAULTS.means) - 1e-12);
      expect(J).toBeLessThanOrEqual(Math.max(...DEFAULTS.means) + 1e-12);
      expect(a.series![`${m}/J`].length).toBe(6);
    }
    expect(a.metrics['frozen/cosGradJ:naive-stream']).toBeCloseTo(1, 12);
    expect(a.metrics['frozen/cosGradJ:naive-race']).toBeLessThan(0);
  });
});
