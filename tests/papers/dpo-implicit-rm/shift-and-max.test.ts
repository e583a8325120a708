import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  bigramHistogram,
  promptHistogram,
  shiftDistance,
  totalVariation,
} from '../../../src/papers/dpo-implicit-rm/experiment';
import { claimMaxGapAbove, maxColumnMean } from '../../../src/papers/dpo-implicit-rm/verdicts';
import type { SequencePairs, SequenceSet } from '../../../src/testbeds/preference/data/token-sequences';

/** A pair set whose chosen and rejected sides share `prompts` and carry the given responses (n × L each). */
function pairs(P: number, L: number, prompts: number[], a: number[], b: number[]): SequencePairs {
  const n = prompts.length / P;
  const side = (r: number[]): SequenceSet => ({
    n,
    P,
    L,
    prompts: Int32Array.from(prompts),
    responses: Int32Array.from(r),
  });
  return { chosen: side(a), rejected: side(b) };
}

describe('totalVariation', () => {
  it('is 0 for proportional histograms, 1 for disjoint supports, ½·L1 otherwise', () => {
    expect(totalVariation(Float64Array.from([1, 2, 3]), Float64Array.from([2, 4, 6]))).toBeCloseTo(0, 15);
    expect(totalVariation(Float64Array.from([1, 0]), Float64Array.from([0, 5]))).toBeCloseTo(1, 15);
    // (0.5, 0.5) vs (0.8, 0.2): ½(0.3 + 0.3) = 0.3
    expect(totalVariation(Float64Array.from([1, 1]), Float64Array.from([4, 1]))).toBeCloseTo(0.3, 15);
  });
  it('rejects histograms of different sizes and empty ones', () => {
    expect(() => totalVariation(new Float64Array(2), new Float64Array(3))).toThrow(/bins/);
    expect(() => totalVariation(new Float64Array(2), Float64Array.from([1, 1]))).toThrow(/empty/);
  });
});

describe('the shift distance of an evaluation set from the training pairs', () => {
  const V = 3;
  // Two prompts of 2 tokens, responses of 2 tokens.
  const train = pairs(2, 2, [0, 1, 1, 2], [0, 1, 2, 2], [1, 1, 0, 2]);
  it('counts prompt tokens once per pair and every response bigram of both sides (start symbol V)', () => {
    expect(Array.from(promptHistogram(train, V))).toEqual([1, 2, 1]);
    const h = bigramHistogram(train, V);
    expect(h.reduce((s, x) => s + x, 0)).toBe(2 * 2 * 2); // 2 sides × 2 responses × 2 tokens
    // responses 0 1, 2 2 (chosen) and 1 1, 0 2 (rejected)
    expect(h[V * V + 0]).toBe(2); // start → 0
    expect(h[V * V + 1]).toBe(1); // start → 1
    expect(h[V * V + 2]).toBe(1); // start → 2
    expect(h[0 * V + 1]).toBe(1);
    expect(h[2 * V + 2]).toBe(1);
    expect(h[1 * V + 1]).toBe(1);
    expect(h[0 * V + 2]).toBe(1);
  });
  it('is 0 for a set with the same inputs in another order, and 1 for disjoint prompt tokens', () => {
    const same = pairs(2, 2, [1, 2, 0, 1], [2, 2, 0, 1], [0, 2, 1, 1]);
    expect(shiftDistance(train, same, V).shift).toBeCloseTo(0, 15);
    const other = pairs(2, 2, [2, 2, 2, 2], [0, 1, 2, 2], [1, 1, 0, 2]);
    const d = shiftDistance(train, other, V);
    expect(d.prompt).toBeCloseTo(0.75, 15); // (¼, ½, ¼) vs (0, 0, 1)
    expect(d.bigram).toBeCloseTo(0, 15);
    expect(d.shift).toBeCloseTo(0.75, 15);
  });
  it('counts response positions beyond the training length as shifted: (L − L_train)/L', () => {
    const longer = pairs(2, 4, [0, 1, 1, 2], [0, 1, 0, 1, 2, 2, 2, 2], [1, 1, 1, 1, 0, 2, 0, 2]);
    expect(shiftDistance(train, longer, V).length).toBeCloseTo(0.5, 15);
    expect(shiftDistance(longer, train, V).length).toBe(0);
  });
});

describe('the maximum-drop verdict', () => {
  it('maxColumnMean is the largest column mean over the listed rows (with repetition)', () => {
    const g = [
      [0.1, 0.0],
      [0.0, 0.3],
    ];
    expect(maxColumnMean(g, [0, 1])).toBeCloseTo(0.15, 15); // means 0.05, 0.15
    expect(maxColumnMean(g, [0, 0])).toBeCloseTo(0.1, 15);
    expect(maxColumnMean(g, [1, 1, 0])).toBeCloseTo(0.2, 15);
  });
  it('with identical seeds the interval collapses on the maximum and the threshold decides', () => {
    const gaps = Array.from({ length: 6 }, () => [0.01, 0.05, 0.02]);
    const o = { claimId: 'x', claim: 'x', profile: 'full' as const, gaps, settings: ['a', 'b', 'c'] };
    const above = claimMaxGapAbove({ ...o, threshold: 0.04, rng: new Rng(1) });
    expect(above.estimate).toBeCloseTo(0.05, 15);
    expect(above.lo).toBeCloseTo(0.05, 15);
    expect(above.hi).toBeCloseTo(0.05, 15);
    expect(above.status).toBe('reproduced');
    expect(above.details?.argmaxSetting).toBe('b');
    expect(claimMaxGapAbove({ ...o, threshold: 0.06, rng: new Rng(1) }).status).toBe('not reproduced');
  });
  it('an interval straddling the threshold is inconclusive; a smoke verdict is not evidence', () => {
    const gaps = [0.0, 0.02, 0.04, 0.06, 0.08, 0.1].map((x) => [x, 0]);
    const v = claimMaxGapAbove({
      claimId: 'x',
      claim: 'x',
      profile: 'smoke',
      gaps,
      settings: ['a', 'b'],
      threshold: 0.05,
      rng: new Rng(2),
    });
    expect(v.estimate).toBeCloseTo(0.05, 15);
    expect(v.lo).toBeLessThan(0.05);
    expect(v.hi).toBeGreaterThan(0.05);
    expect(v.status).toBe('inconclusive');
    expect(v.evidence).toBe(false);
  });
  it('rejects a ragged gap matrix', () => {
    expect(() =>
      claimMaxGapAbove({
        claimId: 'x',
        claim: 'x',
        profile: 'full',
        gaps: [[0.1, 0.2], [0.1]],
        settings: ['a', 'b'],
        threshold: 0,
        rng: new Rng(3),
      }),
    ).toThrow(/matrix/);
  });
});
