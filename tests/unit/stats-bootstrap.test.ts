import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  bootstrapCI,
  bootstrapReplicates,
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
    const x = [0.12, 0.35, 0.08, 1.9, 0.44, 0.27, 0.9, 0.05, 2.7, 0.33, 0.61, 0.15, 0.22, 1.3, 0.4, 0.09, 0.5, 0.72, 0.18, 3.4];
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
    const ci = bootstrapCI([[1, 1, 1], [5, 5, 5]], 'mean', { reps: 500, rng: 8 });
    expect([ci.estimate, ci.lo, ci.hi]).toEqual([3, 3, 3]);
    // whereas pooling them into one sample lets the mean vary
    const pooled = bootstrapCI([1, 1, 1, 5, 5, 5], 'mean', { reps: 500, rng: 8 });
    expect(pooled.hi - pooled.lo).toBeGreaterThan(1);
    // the custom statistic sees the strata layout, each segment sorted
    bootstrapReplicates([[3, 1, 2], [9, 7]], (b, offs) => {
      expect(Array.from(offs)).toEqual([0, 3, 5]);
      for (let i = 1; i < 3; i++) expect(b[i]).toBeGreaterThanOrEqual(b[i - 1]);
      expect(b[3]).toBeGreaterThanOrEqual(7);
      return 0;
    }, { reps: 20, rng: 9 });
    expect(strataFromRunMatrix([[1, 10], [2, 20], [3, 30]])).toEqual([[1, 2, 3], [10, 20, 30]]);
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
