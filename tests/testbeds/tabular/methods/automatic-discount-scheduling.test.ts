import { describe, expect, it } from 'vitest';
import {
  AutomaticDiscountScheduling,
  longestIncreasingSubsequence,
  percentile,
  prefixMatchScore,
  referenceScores,
} from '../../../../src/testbeds/tabular/methods/automatic-discount-scheduling';
import { euclideanCost, type ObsSeq } from '../../../../src/testbeds/tabular/methods/ot-proxy-reward';

const line = (xs: number[]): ObsSeq => ({ n: xs.length, d: 1, x: Float64Array.from(xs) });

function bruteLis(a: number[]): number {
  let best = 0;
  for (let mask = 1; mask < 1 << a.length; mask++) {
    const sub = a.filter((_, i) => mask & (1 << i));
    if (sub.every((x, i) => i === 0 || sub[i - 1] < x)) best = Math.max(best, sub.length);
  }
  return best;
}

describe('ADS progress recognizer and schedule (IL_ADS modules/ads.py)', () => {
  it('LIS is strict and agrees with brute force', () => {
    expect(longestIncreasingSubsequence([0, 0, 0])).toBe(1);
    expect(longestIncreasingSubsequence([3, 1, 2, 5, 4])).toBe(3);
    let x = 7;
    for (let t = 0; t < 30; t++) {
      const a = Array.from({ length: 9 }, () => ((x = (x * 1103515245 + 12345) % 2147483648), x % 6));
      expect(longestIncreasingSubsequence(a)).toBe(bruteLis(a));
    }
  });

  it('numpy percentile (linear)', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBeCloseTo(9.1, 12);
    expect(percentile([4], 90)).toBe(4);
  });

  it('match score on constructed trajectories: following scores k, standing still 1, reversing 1', () => {
    const expert = line([0, 1, 2, 3, 4, 5]);
    const k = 6;
    expect(prefixMatchScore(euclideanCost(expert, expert), 6, k)).toBe(6);
    expect(prefixMatchScore(euclideanCost(line([0, 0, 0, 0, 0, 0]), expert), 6, k)).toBe(1);
    expect(prefixMatchScore(euclideanCost(line([5, 4, 3, 2, 1, 0]), expert), 6, k)).toBe(1);
    // Follows for 3 steps then stalls: pos = 0,1,2,2,2,2 -> 3.
    expect(prefixMatchScore(euclideanCost(line([0, 1, 2, 2, 2, 2]), expert), 6, k)).toBe(3);
    // Only the first k columns are searched: agent at 5 with k = 3 is assigned column 2.
    expect(prefixMatchScore(euclideanCost(line([0, 1, 5, 5, 5, 5]), expert), 6, 3)).toBe(3);
  });

  it('reference scores of identical demonstrations are k; γ = α^{1/p}; progress advances only on a match', () => {
    const d = line([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(referenceScores([d, d, d]))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const ads = new AutomaticDiscountScheduling([d, d], { horizon: 10, maxProgressDelta: 5 });
    expect(ads.progress).toBe(2);
    expect(ads.discount()).toBeCloseTo(Math.pow(0.2, 1 / 2), 12);
    // An agent that stands still: score 1 < ⌊0.9·2⌋ = 1? No: 1 ≥ 1, so p = 2 → 3; then needs ⌊0.9·3⌋ = 2 > 1: stops.
    ads.update([line([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])]);
    expect(ads.progress).toBe(3);
    // The expert itself: up to 5 increments per update, capped at H.
    ads.update([d]);
    expect(ads.progress).toBe(8);
    const r = ads.update([d]);
    expect(ads.progress).toBe(10);
    expect(r.discount).toBeCloseTo(Math.pow(0.2, 1 / 10), 12);
    expect(() => new AutomaticDiscountScheduling([d], { horizon: 10 })).toThrow(/two demonstrations/);
  });
});
