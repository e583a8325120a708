import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  bootstrapCountsCI,
  correlationCI,
  correlationDifferenceCI,
  kendall,
  pearson,
  ranks,
  spearman,
  spearmanDifferenceCI,
} from '../../src/stats';

/** Brute-force tau-b from its definition. */
function kendallBrute(x: number[], y: number[]): number {
  let c = 0,
    d = 0,
    tx = 0,
    ty = 0;
  for (let i = 0; i < x.length; i++) {
    for (let j = i + 1; j < x.length; j++) {
      const sx = Math.sign(x[i] - x[j]);
      const sy = Math.sign(y[i] - y[j]);
      if (sx === 0 && sy === 0) continue;
      if (sx === 0) tx++;
      else if (sy === 0) ty++;
      else if (sx === sy) c++;
      else d++;
    }
  }
  return (c - d) / Math.sqrt((c + d + tx) * (c + d + ty));
}

describe('rank correlations', () => {
  it('average ranks for ties (scipy.stats.rankdata)', () => {
    expect(Array.from(ranks([10, 20, 20, 5, 30, 20]))).toEqual([2, 4, 4, 1, 6, 4]);
  });

  it('Spearman: monotone transform → 1, reversed → −1, known value with ties', () => {
    const x = [0.3, 1.2, -0.5, 2.2, 0.9, 4.1];
    expect(
      spearman(
        x,
        x.map((v) => Math.exp(3 * v)),
      ),
    ).toBeCloseTo(1, 14);
    expect(
      spearman(
        x,
        x.map((v) => -(v ** 3)),
      ),
    ).toBeCloseTo(-1, 14);
    // ranks x = [1, 2.5, 2.5, 4, 5], y = [2, 1, 3.5, 3.5, 5]; deviations from 3: Σdxdy = 7.25, Σdx² = Σdy² = 9.5
    // → 7.25 / 9.5 = 0.7631578947368421 (scipy.stats.spearmanr agrees)
    expect(spearman([1, 2, 2, 3, 4], [2, 1, 3, 3, 5])).toBeCloseTo(0.7631578947368421, 14);
    expect(Number.isNaN(spearman([1, 1, 1], [1, 2, 3]))).toBe(true);
  });

  it('Kendall tau-b: scipy example and brute force with ties', () => {
    // scipy.stats.kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]).statistic
    expect(kendall([12, 2, 1, 12, 2], [1, 4, 7, 1, 0])).toBeCloseTo(-0.47140452079103173, 14);
    expect(kendall([1, 2, 3, 4], [1, 2, 3, 4])).toBe(1);
    expect(kendall([1, 2, 3, 4], [4, 3, 2, 1])).toBe(-1);
    const r = new Rng(1);
    for (let t = 0; t < 20; t++) {
      const x = Array.from({ length: 30 }, () => r.int(7));
      const y = x.map((v) => (r.bernoulli(0.3) ? r.int(7) : v));
      expect(kendall(x, y)).toBeCloseTo(kendallBrute(x, y), 12);
    }
  });

  it('bootstrap intervals resample pairs and contain the estimate', () => {
    const r = new Rng(2);
    const y = Array.from(r.normals(80));
    const x = y.map((v) => v + r.normal(0, 0.7));
    for (const correlation of ['spearman', 'kendall', 'pearson'] as const) {
      const ci = correlationCI(x, y, { correlation, reps: 1000, rng: 3 });
      const point =
        correlation === 'spearman' ? spearman(x, y) : correlation === 'kendall' ? kendall(x, y) : pearson(x, y);
      expect(ci.estimate).toBeCloseTo(point, 12);
      expect(ci.lo).toBeLessThan(ci.estimate);
      expect(ci.hi).toBeGreaterThan(ci.estimate);
      expect(ci.lo).toBeGreaterThan(0.3);
    }
    const bca = correlationCI(x, y, { reps: 1000, rng: 3, method: 'bca' });
    expect(bca.lo).toBeLessThan(bca.hi);
  });

  it('O(n) count-based Spearman replicates equal Spearman of the materialised resamples (with ties)', () => {
    const r = new Rng(7);
    const x = Array.from({ length: 40 }, () => r.int(8));
    const y = x.map((v) => v + r.int(5));
    const slow = (method: 'percentile' | 'bca') =>
      bootstrapCountsCI(
        x.length,
        (counts) => {
          const xs: number[] = [];
          const ys: number[] = [];
          counts.forEach((c, i) => {
            for (let k = 0; k < c; k++) {
              xs.push(x[i]);
              ys.push(y[i]);
            }
          });
          return spearman(xs, ys);
        },
        { reps: 300, rng: 8, method },
      );
    for (const method of ['percentile', 'bca'] as const) {
      const fast = correlationCI(x, y, { reps: 300, rng: 8, method });
      const ref = slow(method);
      expect(fast.estimate).toBeCloseTo(ref.estimate, 12);
      expect(fast.lo).toBeCloseTo(ref.lo, 12);
      expect(fast.hi).toBeCloseTo(ref.hi, 12);
    }
  });

  it('difference of correlations against the same y (paired bootstrap)', () => {
    const r = new Rng(4);
    const y = Array.from(r.normals(100));
    const good = y.map((v) => v + r.normal(0, 0.3));
    const bad = y.map((v) => v + r.normal(0, 2));
    const d = spearmanDifferenceCI(good, bad, y, { reps: 2000, rng: 5 });
    expect(d.estimate).toBeCloseTo(spearman(good, y) - spearman(bad, y), 12);
    expect(d.lo).toBeGreaterThan(0);
    const k = correlationDifferenceCI(good, bad, y, { correlation: 'kendall', reps: 500, rng: 5 });
    expect(k.estimate).toBeCloseTo(kendall(good, y) - kendall(bad, y), 12);
    // identical predictors: the difference is exactly 0 in every replicate
    const z = spearmanDifferenceCI(good, good, y, { reps: 200, rng: 6 });
    expect([z.estimate, z.lo, z.hi]).toEqual([0, 0, 0]);
  });
});
