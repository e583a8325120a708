/**
 * The experiment: a tiny run of each method gives finite metrics and one series point per round with the network
 * rows counted as documented; the cost to a reward level and the clamped log cost ratio.
 */
import { describe, expect, it } from 'vitest';
import {
  costToLevel,
  DEFAULTS,
  ddpoRoundRows,
  logCostRatio,
  runSeed,
  smoothSeries,
} from '../../../src/papers/rl-for-consistency-models/experiment';

describe('rl-for-consistency-models experiment', () => {
  it('tiny runs: finite metrics, one point per round, rows = sampling + 2·epochs·N·(stochastic steps)', () => {
    const c = { ...DEFAULTS, rounds: 2, queriesPerRound: 8, evalSamples: 100 };
    const a = runSeed({ ...c, method: 'rlcm' }, 3);
    const b = runSeed({ ...c, method: 'ddpo' }, 3);
    for (const r of [a, b])
      for (const k of ['base/reward', 'base/klRef', 'tuned/reward', 'tuned/klRef', 'tuned/rewardLate'])
        expect(Number.isFinite(r.metrics[k])).toBe(true);
    expect(a.series?.['tuned/reward']).toHaveLength(2);
    const perRoundCm = 8 * c.S + 2 * c.epochs * 8 * (c.S - 1);
    expect(a.series?.['tuned/rows']).toEqual([perRoundCm, 2 * perRoundCm]);
    expect(b.metrics['tuned/rows']).toBe(2 * ddpoRoundRows(8, 20, c.epochs));
    expect(a.metrics['tuned/nfe']).toBe(c.S);
    expect(b.metrics['tuned/nfe']).toBe(20);
  });

  it('cost to a level: first crossing of the smoothed series; Infinity when never; clamped log ratio', () => {
    expect(smoothSeries([0, 3, 6, 9], 3)).toEqual([1.5, 3, 6, 7.5]);
    expect(costToLevel([0, 1, 2, 3], [10, 20, 30, 40], 2, 1)).toBe(30);
    expect(costToLevel([0, 1], [10, 20], 5, 1)).toBe(Infinity);
    expect(logCostRatio(100, 10)).toBeCloseTo(1, 12);
    expect(logCostRatio(Infinity, 10, 3)).toBe(3);
    expect(logCostRatio(10, Infinity, 3)).toBe(-3);
    expect(logCostRatio(Infinity, Infinity)).toBe(0);
  });
});
