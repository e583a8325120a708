import { describe, expect, it } from 'vitest';
import { interquartileMean, mean, median, optimalityGap, quantile, std, trimmedMean } from '../../src/stats';
import { Rng } from '../../src/core/rng';

const oneToTen = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

describe('descriptive statistics', () => {
  it('mean, median, std and type-7 quantiles of 1..10', () => {
    expect(mean(oneToTen)).toBe(5.5);
    expect(median(oneToTen)).toBe(5.5);
    // type 7: h = (n − 1)p = 9 · 0.25 = 2.25 → x[2] + 0.25 (x[3] − x[2]) = 3 + 0.25 = 3.25 (numpy.quantile)
    expect(quantile(oneToTen, 0.25)).toBeCloseTo(3.25, 12);
    // h = 9 · 0.9 = 8.1 → 9 + 0.1 · 1 = 9.1
    expect(quantile(oneToTen, 0.9)).toBeCloseTo(9.1, 12);
    expect(quantile(oneToTen, 0)).toBe(1);
    expect(quantile(oneToTen, 1)).toBe(10);
    expect(median([5, 1, 3])).toBe(3);
    // sample std of 1..10: sqrt(Σ(x − 5.5)² / 9) = sqrt(82.5 / 9) = 3.0276503540974917
    expect(std(oneToTen)).toBeCloseTo(3.0276503540974917, 12);
    expect(std(oneToTen, 0)).toBeCloseTo(Math.sqrt(8.25), 12);
  });

  it('IQM follows scipy.stats.trim_mean(x, 0.25) for n not divisible by 4', () => {
    // n = 11 → cut = floor(11 · 0.25) = 2 from each end.
    // sorted: [1, 1, 2, 3, 3, 4, 5, 5, 5, 6, 9] → keep [2, 3, 3, 4, 5, 5, 5], sum 27 → 27/7 = 3.857142857142857
    const x = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    expect(interquartileMean(x)).toBeCloseTo(27 / 7, 14);
    // n = 3 → cut = 0: plain mean
    expect(interquartileMean([1, 2, 10])).toBeCloseTo(13 / 3, 14);
    // n = 6 → cut = 1: mean of the middle four of [1..6] = 3.5; an outlier at either end is ignored
    expect(interquartileMean([1, 2, 3, 4, 5, 600])).toBeCloseTo(3.5, 14);
  });

  it('IQM equals the 25%-trimmed mean (middle half) when n is divisible by 4', () => {
    // n = 8, sorted [-2, 0, 1, 3, 4, 7, 8, 10] → middle half [1, 3, 4, 7] → 3.75 (scipy: 3.75)
    expect(interquartileMean([7, -2, 3, 10, 0, 4, 8, 1])).toBeCloseTo(3.75, 14);
    const rng = new Rng(11);
    for (const n of [4, 12, 40, 100]) {
      const x = Array.from(rng.normals(n));
      const s = [...x].sort((a, b) => a - b).slice(n / 4, (3 * n) / 4);
      expect(interquartileMean(x)).toBeCloseTo(mean(s), 12);
      expect(trimmedMean(x, 0.25)).toBe(interquartileMean(x));
    }
  });

  it('optimality gap: gamma − mean(min(x, gamma))', () => {
    // min(x, 1) = [0.5, 1, 1, 0] → mean 0.625 → gap 0.375
    expect(optimalityGap([0.5, 1.5, 1, 0])).toBeCloseTo(0.375, 14);
    expect(optimalityGap([0.5, 1.5, 1, 0], 2)).toBeCloseTo(2 - 3 / 4, 14);
  });

  it('does not mutate its input and rejects empty or non-finite samples', () => {
    const x = [3, 1, 2];
    median(x);
    interquartileMean(x);
    expect(x).toEqual([3, 1, 2]);
    expect(() => mean([])).toThrow(/empty sample/);
    expect(() => median([1, NaN])).toThrow(/index 1 is NaN/);
    expect(() => quantile([1], 1.5)).toThrow(/p must be in/);
  });
});
