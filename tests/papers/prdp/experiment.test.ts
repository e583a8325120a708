/**
 * The experiment: the prompt offsets enter the reward per chain; every method spends the same reward queries per
 * round; a tiny run of each method returns finite metrics and one point per round.
 */
import { describe, expect, it } from 'vitest';
import { quadraticReward2d } from '../../../src/testbeds/diffusion2d/env/rewards';
import { DEFAULTS, groupSd, METHOD_NAMES, promptOffsetReward, runSeed } from '../../../src/papers/prdp/experiment';

describe('prdp experiment', () => {
  it('promptOffsetReward adds b_c of each chain’s prompt', () => {
    const base = quadraticReward2d([0, 0], 1);
    const x = Float64Array.from([0, 0, 1, 0, 0, 2]);
    const r = promptOffsetReward(base, [10, 20, 30], Int32Array.from([2, 0, 1])).value(x, 3);
    expect(Array.from(r)).toEqual([30, 10 - 0.5, 20 - 2]);
  });

  it('groupSd is the mean within-group population sd', () => {
    expect(groupSd(Float64Array.from([0, 2, 5, 5]), 2)).toBeCloseTo(0.5, 12);
  });

  for (const m of METHOD_NAMES)
    it(`a tiny ${m} run gives finite metrics and one series point per round`, () => {
      const r = runSeed({ ...DEFAULTS, method: m, rounds: 2, queriesPerRound: 16, evalSamples: 200 }, 5);
      for (const k of ['base/klTilt', 'tuned/klTilt', 'tuned/reward', 'tuned/objectiveAuc', 'tuned/outside'])
        expect(Number.isFinite(r.metrics[k])).toBe(true);
      expect(r.series?.['tuned/objective']).toHaveLength(2);
    });
});
