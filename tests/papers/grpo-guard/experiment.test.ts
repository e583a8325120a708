/**
 * The experiment: each method maps to its ratio variant, clip range and KL weight; a tiny run gives finite metrics,
 * the base model is the same for every method (same seed), and one series point per round.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  methodSettings,
  movingAverage,
  qualityAtProxy,
  runSeed,
} from '../../../src/papers/grpo-guard/experiment';

describe('grpo-guard experiment', () => {
  it('methods: Flow-GRPO (ε, no KL), + strong KL, GRPO-Guard (ε̂ on the normalised ratio, no KL)', () => {
    expect(methodSettings('flow-grpo', DEFAULTS)).toEqual({ kind: 'flow-grpo', clip: DEFAULTS.clip, beta: 0 });
    expect(methodSettings('flow-grpo-kl', DEFAULTS)).toEqual({
      kind: 'flow-grpo',
      clip: DEFAULTS.clip,
      beta: DEFAULTS.betaStrong,
    });
    expect(methodSettings('grpo-guard', DEFAULTS)).toEqual({ kind: 'grpo-guard', clip: DEFAULTS.clipGuard, beta: 0 });
  });

  it('a tiny run gives finite metrics and one series point per round', () => {
    const c = { ...DEFAULTS, rounds: 3, groups: 2, G: 4, evalSamples: 100 };
    const a = runSeed({ ...c, method: 'flow-grpo' }, 5);
    const b = runSeed({ ...c, method: 'grpo-guard' }, 5);
    for (const k of ['base/proxy', 'base/quality', 'tuned/proxy', 'tuned/quality', 'tuned/ratioMean', 'tuned/posClip'])
      expect(Number.isFinite(a.metrics[k])).toBe(true);
    expect(a.metrics['base/quality']).toBe(b.metrics['base/quality']);
    expect(a.series?.['tuned/proxy']).toHaveLength(3);
  });

  it('quality at a proxy level: interpolated at the first crossing of the smoothed series; NaN if never', () => {
    expect(movingAverage([0, 3, 6, 9])).toEqual([1.5, 3, 6, 7.5]);
    // window 1 (no smoothing): proxy crosses 2.5 halfway between rounds 1 and 2
    expect(qualityAtProxy([0, 2, 3, 1], [-1, -2, -4, -9], 2.5, 1)).toBeCloseTo(-3, 12);
    expect(qualityAtProxy([0, 1], [-1, -2], 5, 1)).toBeNaN();
    expect(qualityAtProxy([7, 8], [-1, -2], 5, 1)).toBe(-1);
  });
});
