/**
 * The experiment: each method maps to the paper's setting of the shared round (K, baseline, PPO steps, clip), every
 * method spends the same reward queries per round, and a tiny run returns finite metrics and one point per round.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS, methodSettings, runSeed } from '../../../src/papers/a-simple-and-effective-reinforcement/experiment';

describe('a-simple-and-effective-reinforcement experiment', () => {
  it('methods: LOOP = LOO baseline with K samples and the clipped PPO steps; PPO K = 1; RLOO one step', () => {
    const c = { ...DEFAULTS, K: 4, epochs: 2, minibatches: 2, clip: 0.2 };
    expect(methodSettings('loop', c)).toEqual({
      K: 4,
      advantage: 'leave-one-out',
      epochs: 2,
      minibatches: 2,
      clip: 0.2,
    });
    expect(methodSettings('ppo', c)).toMatchObject({ K: 1, advantage: 'batch-normalised', epochs: 2, clip: 0.2 });
    expect(methodSettings('rloo', c)).toMatchObject({ K: 4, epochs: 1, minibatches: 1, clip: null });
    expect(methodSettings('reinforce', c)).toMatchObject({ K: 1, advantage: 'none', clip: null });
  });

  it('a tiny run gives finite metrics and one series point per round', () => {
    const r = runSeed({ ...DEFAULTS, method: 'loop', rounds: 2, queriesPerRound: 16, evalSamples: 200 }, 5);
    for (const k of ['base/klTilt', 'tuned/klTilt', 'tuned/reward', 'tuned/objectiveAuc'])
      expect(Number.isFinite(r.metrics[k])).toBe(true);
    expect(r.series?.['tuned/objective']).toHaveLength(2);
  });

  it('round 0 samples the pre-trained chain: zero path KL, objective = reward; unclipped methods never clip', () => {
    for (const method of ['loop', 'rloo', 'reinforce', 'ppo'] as const) {
      const r = runSeed({ ...DEFAULTS, method, rounds: 2, queriesPerRound: 16, evalSamples: 200 }, 5);
      const s = r.series!;
      expect(s['tuned/kl'][0]).toBe(0);
      expect(s['tuned/objective'][0]).toBe(s['tuned/reward'][0]);
      // after a step the policy has moved: the path KL estimate is no longer exactly 0
      expect(s['tuned/kl'][1]).not.toBe(0);
      if (method === 'rloo' || method === 'reinforce') expect(s['tuned/clipFraction']).toEqual([0, 0]);
    }
  });
});
