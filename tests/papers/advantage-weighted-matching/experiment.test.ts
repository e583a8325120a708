/**
 * The experiment: a tiny run of each method gives finite metrics and one series point per round, the base model
 * and round-0 rollouts are the same for both methods (same seed), the probe gives finite gradient and target
 * statistics, and the rounds-to-level / value-at-level readers interpolate at the first crossing.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  roundsToLevel,
  runSeed,
  smoothSeries,
  valueAtLevel,
} from '../../../src/papers/advantage-weighted-matching/experiment';

describe('advantage-weighted-matching experiment', () => {
  it('a tiny run gives finite metrics; same base and first rollouts for both methods', () => {
    const c = { ...DEFAULTS, rounds: 3, groups: 2, G: 4, evalSamples: 100 };
    const a = runSeed({ ...c, method: 'flow-grpo' }, 5);
    const b = runSeed({ ...c, method: 'awm' }, 5);
    for (const r of [a, b])
      for (const k of ['base/reward', 'base/quality', 'tuned/reward', 'tuned/quality', 'ref/quality'])
        expect(Number.isFinite(r.metrics[k])).toBe(true);
    expect(a.metrics['base/quality']).toBe(b.metrics['base/quality']);
    expect(a.series?.['tuned/reward']).toHaveLength(3);
    expect(a.series?.['tuned/reward'][0]).toBe(b.series?.['tuned/reward'][0]);
  });

  it('the probe gives finite gradient and target statistics', () => {
    const p = runSeed({ ...DEFAULTS, method: 'probe', probeBatches: 4, targetSamples: 200 }, 3);
    for (const k of ['flow-grpo/nsr', 'awm/nsr', 'awm/cosine', 'probe/noisyTargetMse', 'probe/noisyTargetMse_1'])
      expect(Number.isFinite(p.metrics[k])).toBe(true);
    expect(p.metrics['probe/noisyTargetMse']).toBeGreaterThan(p.metrics['probe/cleanTargetMse']);
  });

  it('rounds to a level and value at a level: interpolated at the first crossing; censored / NaN if never', () => {
    expect(smoothSeries([0, 3, 6, 9])).toEqual([1.5, 3, 6, 7.5]);
    expect(roundsToLevel([0, 2, 3, 1], 2.5, 99, 1)).toBeCloseTo(2.5, 12);
    expect(roundsToLevel([5, 6], 2.5, 99, 1)).toBe(1);
    expect(roundsToLevel([0, 1], 5, 99, 1)).toBe(99);
    expect(valueAtLevel([0, 2, 3, 1], [-1, -2, -4, -9], 2.5, 1)).toBeCloseTo(-3, 12);
    expect(valueAtLevel([0, 1], [-1, -2], 5, 1)).toBeNaN();
  });
});
