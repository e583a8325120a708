/**
 * The experiment: the spread statistic against hand values; the grid's exact success probability of p_ref against
 * the closed form Σ_prompts Σ_{j ∈ S} w_{c,j}·(1 − exp(−r²/(2σ²)))/P (a Rayleigh tail; the other modes are ≥ 2.3
 * away and add < 10⁻⁹); each method's interval per round (DDPO the whole chain, B²-DiffuRL the backward schedule,
 * branches-only k = T) and the reward queries it spends; a tiny run gives finite metrics.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS, normalisedEntropy, runSeed } from '../../../src/papers/towards-better-alignment/experiment';
import { backwardInterval } from '../../../src/testbeds/diffusion2d/methods';
import { RING8 } from '../../../src/testbeds/diffusion2d/env';

describe('towards-better-alignment experiment', () => {
  it('normalised entropy: 1 for an even split, 0 for one mode or no hits, closed form otherwise', () => {
    expect(normalisedEntropy([5, 5])).toBeCloseTo(1, 12);
    expect(normalisedEntropy([3, 0])).toBe(0);
    expect(normalisedEntropy([0, 0])).toBe(0);
    const p = 0.25;
    expect(normalisedEntropy([1, 3])).toBeCloseTo(-(p * Math.log(p) + (1 - p) * Math.log(1 - p)) / Math.log(2), 12);
  });

  const tiny = { ...DEFAULTS, rounds: 3, queriesPerRound: 16, evalSamples: 100, gridN: 400 };
  const runs = Object.fromEntries(
    (['ddpo', 'b2', 'interval', 'branch'] as const).map((m) => [m, runSeed({ ...tiny, method: m }, 3)]),
  );

  it('exact success of p_ref on the grid matches the Rayleigh closed form', () => {
    const sigma = RING8.components[0].std ?? NaN,
      r = DEFAULTS.radius;
    const inDisc = 1 - Math.exp(-(r * r) / (2 * sigma * sigma));
    let want = 0;
    for (const pr of RING8.prompts) {
      const tot = pr.weights.reduce((a, b) => a + b, 0);
      for (const j of DEFAULTS.targetModes) want += ((pr.weights[j] / tot) * inDisc) / RING8.prompts.length;
    }
    expect(Math.abs(runs.ddpo.metrics['base/successExact'] - want)).toBeLessThan(3e-3);
  });

  it('intervals per round and samples in the loss respect each method and the equal query budget', () => {
    const T = DEFAULTS.base.schedule.T;
    expect(runs.ddpo.series?.['tuned/k']).toEqual([T, T, T]);
    expect(runs.branch.series?.['tuned/k']).toEqual([DEFAULTS.kMax, DEFAULTS.kMax, DEFAULTS.kMax]);
    const sched = [0, 1, 2].map((i) => backwardInterval(i, 3, DEFAULTS.kMin, DEFAULTS.kMax));
    expect(runs.b2.series?.['tuned/k']).toEqual(sched);
    expect(runs.interval.series?.['tuned/k']).toEqual(sched);
    expect(runs.interval.series?.['tuned/kept']).toEqual([16, 16, 16]);
    // B²: at most 2 of each group of B = 4 branches (best and worst)
    for (const v of runs.b2.series!['tuned/kept']) expect(v).toBeLessThanOrEqual((2 * 16) / DEFAULTS.branches);
    for (const m of Object.keys(runs))
      for (const k of ['base/success', 'tuned/success', 'tuned/spread', 'tuned/successAuc'])
        expect(Number.isFinite(runs[m].metrics[k])).toBe(true);
  });
});
