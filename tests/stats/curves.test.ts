import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { aggregateCurves, bootstrapCI, interquartileMean, mean, median } from '../../src/stats';

describe('aggregateCurves', () => {
  const r = new Rng(1);
  // 13 seeds × 30 steps (13: IQM trims floor(13/4) = 3 per end): a rising curve plus seed noise, one outlier seed
  const series = Array.from({ length: 13 }, (_, s) =>
    Array.from({ length: 30 }, (_, t) => 1 - Math.exp(-t / 8) + r.normal(0, 0.1) + (s === 0 ? 5 : 0)),
  );

  it('per-step estimate is the mean / median / IQM across seeds', () => {
    for (const [statistic, fn] of [
      ['mean', mean],
      ['median', median],
      ['iqm', interquartileMean],
    ] as const) {
      const band = aggregateCurves(series, { statistic, reps: 200, rng: 2 });
      expect(band.nSeeds).toBe(13);
      for (const t of [0, 7, 29]) expect(band.estimate[t]).toBeCloseTo(fn(series.map((s) => s[t])), 12);
      const even = aggregateCurves(series.slice(0, 12), { statistic, reps: 10, rng: 2 });
      for (const t of [0, 7, 29]) expect(even.estimate[t]).toBeCloseTo(fn(series.slice(0, 12).map((s) => s[t])), 12);
    }
  });

  it('band contains the estimate, matches a pointwise bootstrap, and IQM ignores the outlier seed', () => {
    const band = aggregateCurves(series, { reps: 4000, rng: 3 });
    for (let t = 0; t < 30; t++) {
      expect(band.lo[t]).toBeLessThanOrEqual(band.estimate[t]);
      expect(band.hi[t]).toBeGreaterThanOrEqual(band.estimate[t]);
    }
    const col = series.map((s) => s[20]);
    const ci = bootstrapCI(col, 'iqm', { reps: 4000, rng: 4 });
    expect(Math.abs(band.lo[20] - ci.lo)).toBeLessThan(0.03);
    expect(Math.abs(band.hi[20] - ci.hi)).toBeLessThan(0.03);
    // IQM at the last step ≈ 1 − e^{−29/8} = 0.973 despite the +5 seed; the mean is pulled up by 5/13
    expect(Math.abs(band.estimate[29] - 0.973)).toBeLessThan(0.1);
    expect(aggregateCurves(series, { statistic: 'mean', reps: 10, rng: 1 }).estimate[29]).toBeGreaterThan(1.3);
  });

  it('is deterministic, degenerate for identical seeds, and checks shapes', () => {
    const a = aggregateCurves(series, { reps: 300, rng: 5 });
    const b = aggregateCurves(series, { reps: 300, rng: 5 });
    expect(Array.from(a.lo)).toEqual(Array.from(b.lo));
    const same = aggregateCurves(
      [
        [1, 2, 3],
        [1, 2, 3],
        [1, 2, 3],
      ],
      { reps: 100, rng: 6 },
    );
    expect(Array.from(same.lo)).toEqual([1, 2, 3]);
    expect(Array.from(same.hi)).toEqual([1, 2, 3]);
    expect(() => aggregateCurves([[1, 2], [1]], { rng: 1 })).toThrow(/series 1 has 1 steps/);
  });
});
