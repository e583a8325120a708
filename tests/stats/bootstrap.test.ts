import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  bootstrapCI,
  bootstrapReplicates,
  expandedTail,
  intervalFromReplicates,
  meanDifferenceCI,
  quantileSorted,
  std,
  strataExpansion,
  studentTQuantile,
  welchExpansion,
  interquartileMean,
  jackknifeAcceleration,
  mean,
  median,
  optimalityGap,
  strataFromRunMatrix,
} from '../../src/stats';
import { IndexDrawer, drawThreshold } from '../../src/stats/bootstrap';

function coverage(n: number, sims: number, seed: number): number {
  const data = new Rng(seed);
  const boot = new Rng(seed).split('bootstrap');
  let covered = 0;
  for (let s = 0; s < sims; s++) {
    const ci = bootstrapCI(data.normals(n, 0, 1), 'mean', { reps: 500, rng: boot });
    if (ci.lo <= 0 && 0 <= ci.hi) covered++;
  }
  return covered / sims;
}

describe('bootstrapCI', () => {
  it('95% percentile interval of the mean covers the true mean at the expected rate (n = 30)', () => {
    // The percentile interval is ≈ mean ± 1.96·σ̂/√n with the plug-in σ̂ (divisor n), so its coverage for
    // normal data is P(|t₂₉| < 1.96·√(29/30)) = 0.936, slightly below nominal. 4000 simulations: MC sd 0.004.
    const c = coverage(30, 4000, 1);
    expect(c).toBeGreaterThan(0.915);
    expect(c).toBeLessThan(0.955);
  });

  it('coverage is within 93–97% at n = 100 (theory 0.946)', () => {
    const c = coverage(100, 1500, 2);
    expect(c).toBeGreaterThan(0.93);
    expect(c).toBeLessThan(0.97);
  });

  it('BCa agrees with percentile on symmetric data', () => {
    const x = Array.from({ length: 41 }, (_, i) => (i - 20) / 10); // symmetric about 0
    const p = bootstrapCI(x, 'mean', { reps: 20000, rng: 3 });
    const b = bootstrapCI(x, 'mean', { reps: 20000, rng: 3, method: 'bca' });
    const width = p.hi - p.lo;
    expect(b.method).toBe('bca');
    expect(Math.abs(b.lo - p.lo)).toBeLessThan(0.03 * width);
    expect(Math.abs(b.hi - p.hi)).toBeLessThan(0.03 * width);
    expect(p.lo).toBeCloseTo(-p.hi, 1);
  });

  it('BCa matches scipy.stats.bootstrap(method="BCa") on skewed data and shifts right of percentile', () => {
    const x = [
      0.12, 0.35, 0.08, 1.9, 0.44, 0.27, 0.9, 0.05, 2.7, 0.33, 0.61, 0.15, 0.22, 1.3, 0.4, 0.09, 0.5, 0.72, 0.18, 3.4,
    ];
    // scipy 1.17, 50000 resamples, averaged over 5 seeds: percentile [0.3861, 1.1655], BCa [0.4348, 1.2799]
    const p = bootstrapCI(x, 'mean', { reps: 50000, rng: 4 });
    const b = bootstrapCI(x, 'mean', { reps: 50000, rng: 4, method: 'bca' });
    expect(p.estimate).toBeCloseTo(0.7355, 12);
    expect(Math.abs(p.lo - 0.3861)).toBeLessThan(0.01);
    expect(Math.abs(p.hi - 1.1655)).toBeLessThan(0.015);
    expect(Math.abs(b.lo - 0.4348)).toBeLessThan(0.015);
    expect(Math.abs(b.hi - 1.2799)).toBeLessThan(0.03);
  });

  it('jackknife acceleration of the mean equals Σd³ / (6 (Σd²)^1.5)', () => {
    // x = [1, 2, 3, 10], mean 4, deviations [-3, -2, -1, 6]: Σd³ = 180, Σd² = 50 → a = 180 / (6 · 50^1.5) = 0.0848528
    const x = [1, 2, 3, 10];
    const loo = Float64Array.from(x.map((_, i) => mean(x.filter((__, j) => j !== i))));
    expect(jackknifeAcceleration([loo])).toBeCloseTo(180 / (6 * Math.pow(50, 1.5)), 12);
  });

  it('named statistics (O(n) count walks) equal the plain functions on materialised replicates', () => {
    const x = Array.from(new Rng(5).normals(37));
    x.push(x[3], x[3], x[10], x[20]); // ties; n = 41 is not divisible by 4
    for (const [name, fn] of [
      ['iqm', interquartileMean],
      ['median', median],
      ['mean', mean],
      ['optimalityGap', (v: ArrayLike<number>) => optimalityGap(v)],
    ] as const) {
      for (const sample of [x, x.slice(0, 40)]) {
        // odd and even sizes (even: the median interpolates, IQM trims exactly a quarter)
        const fast = bootstrapReplicates(sample, name, { reps: 300, rng: 6 });
        const slow = bootstrapReplicates(sample, (b) => fn(b), { reps: 300, rng: 6 });
        for (let r = 0; r < 300; r++) expect(fast[r]).toBeCloseTo(slow[r], 12);
      }
    }
    // pooled over strata as well
    const strata = [x.slice(0, 13), x.slice(13, 20), x.slice(20)];
    const fast = bootstrapReplicates(strata, 'iqm', { reps: 300, rng: 7 });
    const slow = bootstrapReplicates(strata, (b) => interquartileMean(b), { reps: 300, rng: 7 });
    for (let r = 0; r < 300; r++) expect(fast[r]).toBeCloseTo(slow[r], 12);
  });

  it('stratified: runs are resampled within each task, so per-task sizes are kept', () => {
    // Each task is constant, so a stratified bootstrap of the pooled mean cannot move: [3, 3].
    const ci = bootstrapCI(
      [
        [1, 1, 1],
        [5, 5, 5],
      ],
      'mean',
      { reps: 500, rng: 8 },
    );
    expect([ci.estimate, ci.lo, ci.hi]).toEqual([3, 3, 3]);
    // whereas pooling them into one sample lets the mean vary
    const pooled = bootstrapCI([1, 1, 1, 5, 5, 5], 'mean', { reps: 500, rng: 8 });
    expect(pooled.hi - pooled.lo).toBeGreaterThan(1);
    // the custom statistic sees the strata layout, each segment sorted
    bootstrapReplicates(
      [
        [3, 1, 2],
        [9, 7],
      ],
      (b, offs) => {
        expect(Array.from(offs)).toEqual([0, 3, 5]);
        for (let i = 1; i < 3; i++) expect(b[i]).toBeGreaterThanOrEqual(b[i - 1]);
        expect(b[3]).toBeGreaterThanOrEqual(7);
        return 0;
      },
      { reps: 20, rng: 9 },
    );
    expect(
      strataFromRunMatrix([
        [1, 10],
        [2, 20],
        [3, 30],
      ]),
    ).toEqual([
      [1, 2, 3],
      [10, 20, 30],
    ]);
  });

  it('is deterministic given the seed and changes with it', () => {
    const x = Array.from(new Rng(10).normals(25));
    const a = bootstrapCI(x, 'iqm', { reps: 1000, rng: new Rng(42) });
    const b = bootstrapCI(x, 'iqm', { reps: 1000, rng: 42 });
    const c = bootstrapCI(x, 'iqm', { reps: 1000, rng: 43 });
    expect(b).toEqual(a);
    expect(c.lo === a.lo && c.hi === a.hi).toBe(false);
    expect(a.reps).toBe(1000);
    expect(a.level).toBe(0.95);
  });

  it('rejects bad options with a message that says what to pass', () => {
    expect(() => bootstrapCI([1, 2], 'mean', { reps: 0, rng: 1 })).toThrow(/reps must be a positive integer/);
    expect(() => bootstrapCI([1, 2], 'mean', { level: 95, rng: 1 })).toThrow(/level must be in \(0, 1\)/);
    expect(() => bootstrapCI([1, 2], 'mode' as never, { rng: 1 })).toThrow(/unknown statistic/);
    expect(() => bootstrapCI([], 'mean', { rng: 1 })).toThrow(/no data/);
    expect(() => bootstrapCI([[1], [2, NaN]], 'mean', { rng: 1 })).toThrow(/stratum 1/);
  });

  it('draws uniform indices (16-bit and 32-bit paths)', () => {
    for (const m of [100, 5000]) {
      const d = new IndexDrawer(new Rng(11));
      const t = drawThreshold(m);
      const draws = 200 * m;
      const counts = new Int32Array(m);
      for (let i = 0; i < draws; i++) counts[d.draw(m, t)]++;
      // chi-square with m − 1 dof: mean m − 1, sd sqrt(2(m − 1))
      let chi2 = 0;
      for (let i = 0; i < m; i++) chi2 += (counts[i] - 200) ** 2 / 200;
      expect(Math.abs(chi2 - (m - 1)) / Math.sqrt(2 * (m - 1))).toBeLessThan(4);
    }
  });
});

describe('expanded percentile interval (Hesterberg 2015)', () => {
  it("reads the bootstrap quantiles at α'/2 = Φ(−√(n/(n−1))·t_{1−α/2, n−1})", () => {
    // scipy: norm.cdf(-sqrt(n/(n-1)) * t.ppf(0.975, n-1))
    expect(expandedTail(0.95, strataExpansion([5]))).toBeCloseTo(0.0009541005518824907, 12);
    expect(expandedTail(0.95, strataExpansion([10]))).toBeCloseTo(0.008550639024406366, 12);
    expect(expandedTail(0.95, strataExpansion([20]))).toBeCloseTo(0.015880829920347974, 12);
    // N units in K strata: df N − K, factor √(N/(N−K)); two groups of 5 → df 8
    expect(strataExpansion([5, 5])).toEqual({ factor: Math.sqrt(10 / 8), df: 8 });
    expect(expandedTail(0.95, strataExpansion([5, 5]))).toBeCloseTo(0.004965954149371982, 12);
    // it widens less as n grows and tends to the percentile interval's α/2
    expect(expandedTail(0.95, strataExpansion([100000]))).toBeCloseTo(0.025, 4);
    // one unit: no interval
    expect(expandedTail(0.95, strataExpansion([1]))).toBeNaN();
  });

  it('is the percentile interval of the same replicates read further out, so it contains it', () => {
    const x = Array.from(new Rng(20).normals(8, 3, 2));
    const reps = bootstrapReplicates(x, 'mean', { reps: 4000, rng: 21 }).sort();
    const e = bootstrapCI(x, 'mean', { reps: 4000, rng: 21, method: 'expanded' });
    const p = bootstrapCI(x, 'mean', { reps: 4000, rng: 21 });
    const tail = expandedTail(0.95, { factor: Math.sqrt(8 / 7), df: 7 });
    expect(e.method).toBe('expanded');
    expect(e.expansion).toEqual({ factor: Math.sqrt(8 / 7), df: 7, tail });
    expect(e.lo).toBe(quantileSorted(reps, tail));
    expect(e.hi).toBe(quantileSorted(reps, 1 - tail));
    expect(p.lo).toBe(quantileSorted(reps, (1 - 0.95) / 2));
    expect(e.lo).toBeLessThan(p.lo);
    expect(e.hi).toBeGreaterThan(p.hi);
    expect(e.estimate).toBe(p.estimate);
  });

  it('matches the Student t interval x̄ ± t_{n−1}·s/√n on symmetric data (where percentile is too narrow)', () => {
    const x = Array.from({ length: 12 }, (_, i) => i - 5.5); // symmetric about 0, s = 3.606
    const n = x.length;
    const half = (studentTQuantile(0.975, n - 1) * std(x)) / Math.sqrt(n); // 2.291
    const e = bootstrapCI(x, 'mean', { reps: 40000, rng: 22, method: 'expanded' });
    const p = bootstrapCI(x, 'mean', { reps: 40000, rng: 22 });
    expect(Math.abs(e.hi - half) / half).toBeLessThan(0.04);
    expect(Math.abs(-e.lo - half) / half).toBeLessThan(0.04);
    // the percentile interval is ≈ 1.96·σ̂/√n with σ̂ = s·√((n−1)/n): 1.96·0.957/2.201 = 15% narrower
    expect((p.hi - p.lo) / (2 * half)).toBeLessThan(0.9);
  });

  it('two independent groups: Welch standard-error ratio and degrees of freedom', () => {
    // a = [1,2,3,4] (s² = 5/3), b = [2,4,6] (s² = 4): s²/n = 0.41667, 1.33333; plug-in 0.3125 + 0.88889
    // factor √(1.75 / 1.20139) = 1.206916, Welch df = 1.75² / (0.41667²/3 + 1.33333²/2) = 3.234719
    // (scipy ttest_ind(equal_var=False).df)
    const w = welchExpansion([1, 2, 3, 4], [2, 4, 6]);
    expect(w.factor).toBeCloseTo(1.2069164837899642, 12);
    expect(w.df).toBeCloseTo(3.234718826405868, 12);
    // equal sizes: factor √(n/(n−1)) whatever the variances
    expect(welchExpansion([1, 5, 2, 8, 3], [0, 0.1, 0.3, 0.2, 0.4]).factor).toBeCloseTo(Math.sqrt(5 / 4), 12);
    const ci = meanDifferenceCI([1, 2, 3, 4], [2, 4, 6], { rng: 23, method: 'expanded' });
    expect(ci.expansion?.df).toBeCloseTo(3.234718826405868, 12);
    expect(ci.expansion?.tail).toBeCloseTo(expandedTail(0.95, w), 14);
    // a group of one value has no variance: no interval
    const one = meanDifferenceCI([3], [2, 4, 6], { rng: 23, method: 'expanded' });
    expect(one.lo).toBeNaN();
    expect(one.estimate).toBe(-1);
  });

  it('says what it needs', () => {
    expect(() => intervalFromReplicates(0, new Float64Array([1, 2]), 0.95, 'expanded')).toThrow(/needs `expansion`/);
    expect(() => bootstrapCI([1, 2], 'mean', { rng: 1, method: 'student' as never })).toThrow(
      /'percentile', 'expanded' or 'bca'/,
    );
    expect(() =>
      bootstrapCI([1, 2, 3], 'mean', { rng: 1, method: 'expanded', expansion: { factor: 1, df: 0 } }),
    ).toThrow(/df > 0/);
  });
});
