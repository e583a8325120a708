import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  meanDifferenceCI,
  pairedDifferenceCI,
  performanceProfile,
  probabilityOfImprovement,
  probabilityOfImprovementCI,
} from '../../src/stats';

/** Brute force P(X > Y) + ½ P(X = Y). */
function poiBrute(x: number[], y: number[]): number {
  let s = 0;
  for (const a of x) for (const b of y) s += a > b ? 1 : a === b ? 0.5 : 0;
  return s / (x.length * y.length);
}

describe('probability of improvement', () => {
  it('is U / (n·m) with ties counted ½', () => {
    // x = [1,2,3,4], y = [2,2,5]: x=1 wins 0; x=2 ties twice → 1; x=3 beats both 2s → 2; x=4 → 2; total 5/12
    // (scipy.stats.mannwhitneyu([1,2,3,4],[2,2,5]).statistic / 12 = 0.41666…)
    expect(probabilityOfImprovement([1, 2, 3, 4], [2, 2, 5])).toBeCloseTo(5 / 12, 14);
    expect(probabilityOfImprovement([4, 3, 2, 1], [5, 2, 2])).toBeCloseTo(5 / 12, 14); // order-free
    expect(probabilityOfImprovement([5, 6], [1, 2])).toBe(1);
    expect(probabilityOfImprovement([1, 1], [1, 1])).toBe(0.5);
    const r = new Rng(1);
    const x = Array.from({ length: 23 }, () => r.int(6));
    const y = Array.from({ length: 17 }, () => r.int(6));
    expect(probabilityOfImprovement(x, y)).toBeCloseTo(poiBrute(x, y), 14);
    expect(probabilityOfImprovement(x, y) + probabilityOfImprovement(y, x)).toBeCloseTo(1, 14);
  });

  it('averages per-task values over tasks and gives a stratified interval', () => {
    const x = [
      [1, 2, 3, 4],
      [10, 11],
    ];
    const y = [
      [2, 2, 5],
      [0, 20],
    ];
    // task 0: 5/12, task 1: x=10 beats 0 → 1, x=11 → 1: 2/4 = 0.5 → average (5/12 + 1/2) / 2
    expect(probabilityOfImprovement(x, y)).toBeCloseTo((5 / 12 + 0.5) / 2, 14);
    const r = new Rng(2);
    const a = Array.from(r.normals(40, 0.5, 1));
    const b = Array.from(r.normals(40, 0, 1));
    const ci = probabilityOfImprovementCI(a, b, { reps: 2000, rng: 3 });
    expect(ci.estimate).toBeCloseTo(poiBrute(a, b), 14);
    expect(ci.lo).toBeLessThan(ci.estimate);
    expect(ci.hi).toBeGreaterThan(ci.estimate);
    expect(ci.lo).toBeGreaterThan(0.45); // true value Φ(0.5/√2) = 0.638
    expect(ci.hi).toBeLessThan(0.85);
    expect(() => probabilityOfImprovement([[1], [2]], [[1]])).toThrow(/same tasks/);
  });
});

describe('differences over seeds', () => {
  it('paired difference removes shared seed noise that the unpaired difference keeps', () => {
    const r = new Rng(4);
    const shared = Array.from(r.normals(20, 0, 5)); // seed-level noise common to both methods
    const a = shared.map((s) => s + 1 + r.normal(0, 0.1));
    const b = shared.map((s) => s + r.normal(0, 0.1));
    const paired = pairedDifferenceCI(a, b, { reps: 2000, rng: 5 });
    const unpaired = meanDifferenceCI(a, b, { reps: 2000, rng: 5 });
    expect(paired.estimate).toBeCloseTo(unpaired.estimate, 12); // same mean difference
    // sd of a − b is 0.1·√2, so the paired interval is about ±0.06 wide around ≈ 1
    expect(paired.lo).toBeGreaterThan(0.85);
    expect(paired.hi).toBeLessThan(1.15);
    expect(paired.hi - paired.lo).toBeLessThan(0.2);
    expect(unpaired.lo).toBeLessThan(0); // the common noise (sd 5) swamps an unpaired comparison
    expect(unpaired.hi - unpaired.lo).toBeGreaterThan(2);
    expect(() => pairedDifferenceCI([1, 2], [1], { rng: 1 })).toThrow(/one value per seed/);
  });
});

describe('performance profile', () => {
  it('is the fraction of runs strictly above each tau, pooled over tasks', () => {
    const scores = [
      [0.1, 0.5, 0.9],
      [0.2, 0.5, 1.0, 1.2],
    ];
    const p = performanceProfile(scores, [0, 0.5, 0.95, 2]);
    // 7 runs; > 0.5: {0.9, 1.0, 1.2}; > 0.95: {1.0, 1.2}
    expect(Array.from(p.fraction)).toEqual([1, 3 / 7, 2 / 7, 0]);
    expect(p.lo).toBeUndefined();
  });

  it('band contains the point estimate and is degenerate where every run agrees', () => {
    const r = new Rng(6);
    const scores = [Array.from(r.normals(30, 0.5, 0.2)), Array.from(r.normals(30, 0.6, 0.2))];
    const taus = [-10, 0.3, 0.5, 0.7, 10];
    const p = performanceProfile(scores, taus, { reps: 1000, rng: 7 });
    for (let i = 0; i < taus.length; i++) {
      expect(p.lo![i]).toBeLessThanOrEqual(p.fraction[i]);
      expect(p.hi![i]).toBeGreaterThanOrEqual(p.fraction[i]);
    }
    expect([p.lo![0], p.hi![0], p.lo![4], p.hi![4]]).toEqual([1, 1, 0, 0]);
    expect(p.hi![2] - p.lo![2]).toBeGreaterThan(0.1);
    const again = performanceProfile(scores, taus, { reps: 1000, rng: 7 });
    expect(Array.from(again.lo!)).toEqual(Array.from(p.lo!));
  });
});
