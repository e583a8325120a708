import { describe, expect, it } from 'vitest';
import {
  meanPassAtK,
  meanPassAtKExact,
  meanPassAtKPow,
  passAtK,
  passAtKCurve,
  passAtKExact,
} from '../../../src/testbeds/rlvr/passk';

/** Fraction of all k-subsets of n samples (the first c correct) that contain a correct one, by enumeration. */
function bruteForcePassAtK(n: number, c: number, k: number): number {
  let hit = 0;
  let total = 0;
  const rec = (start: number, left: number, anyCorrect: boolean) => {
    if (left === 0) {
      total++;
      if (anyCorrect) hit++;
      return;
    }
    for (let i = start; i <= n - left; i++) rec(i + 1, left - 1, anyCorrect || i < c);
  };
  rec(0, k, false);
  return hit / total;
}

describe('rlvr pass@k (Chen et al. 2021 unbiased estimator)', () => {
  it('equals the fraction of k-subsets containing a correct sample, for every (n ≤ 10, c, k)', () => {
    for (let n = 1; n <= 10; n++)
      for (let c = 0; c <= n; c++)
        for (let k = 1; k <= n; k++) expect(passAtK(n, c, k)).toBeCloseTo(bruteForcePassAtK(n, c, k), 12);
  });

  it('has the closed-form edge cases: c = 0 → 0, n − c < k → 1, k = 1 → c/n', () => {
    expect(passAtK(200, 0, 50)).toBe(0);
    expect(passAtK(10, 8, 3)).toBe(1);
    expect(passAtK(256, 37, 1)).toBeCloseTo(37 / 256, 14);
  });

  it('is stable for large n (no overflowing binomials) and matches the log-gamma form', () => {
    const n = 1000,
      c = 3,
      k = 500;
    // 1 − C(n−c, k)/C(n, k) = 1 − Π_{i=0}^{c−1} (n−k−i)/(n−i)
    let prod = 1;
    for (let i = 0; i < c; i++) prod *= (n - k - i) / (n - i);
    expect(passAtK(n, c, k)).toBeCloseTo(1 - prod, 13);
    expect(Number.isFinite(passAtK(5000, 1, 2500))).toBe(true);
  });

  it('is unbiased: its mean over binomial sample counts equals 1 − (1 − p)^k', () => {
    const n = 12,
      k = 4,
      p = 0.15;
    let e = 0;
    let binom = 1; // C(n, c)
    for (let c = 0; c <= n; c++) {
      if (c > 0) binom = (binom * (n - c + 1)) / c;
      e += binom * p ** c * (1 - p) ** (n - c) * passAtK(n, c, k);
    }
    expect(e).toBeCloseTo(passAtKExact(p, k), 12);
  });

  it('curves are monotone in k and the mean averages problems', () => {
    const curve = passAtKCurve(64, 5, [1, 2, 4, 8, 16, 32, 64]);
    for (let i = 1; i < curve.length; i++) expect(curve[i]).toBeGreaterThan(curve[i - 1]);
    expect(meanPassAtK([10, 10], [0, 10], 3)).toBeCloseTo(0.5, 14);
  });

  it('rejects impossible counts with a message naming the argument', () => {
    expect(() => passAtK(5, 6, 1)).toThrow(/c \(correct samples\)/);
    expect(() => passAtK(5, 2, 6)).toThrow(/k must be an integer in \[1, n = 5\]/);
    expect(() => passAtK(0, 0, 1)).toThrow(/n \(samples\)/);
  });

  it('exact pass@k of a per-attempt probability is accurate for tiny p', () => {
    const p = 1e-12,
      k = 256;
    expect(Math.abs(passAtKExact(p, k) / (k * p - ((k * (k - 1)) / 2) * p * p) - 1)).toBeLessThan(1e-12);
    expect(passAtKExact(0.5, 3)).toBeCloseTo(0.875, 15);
    expect(passAtKExact(1, 7)).toBe(1);
  });
});

describe('rlvr exact pass@k from a success probability (meanPassAtKExact, meanPassAtKPow)', () => {
  it('is 1 − (1 − p)^k, 2p − p² at k = 2, p at k = 1, and monotone in k', () => {
    const p = [0.001, 0.05, 0.3, 0.9];
    for (const x of p) {
      expect(meanPassAtKExact([x], 1)).toBeCloseTo(x, 14);
      expect(meanPassAtKExact([x], 2)).toBeCloseTo(2 * x - x * x, 14);
      expect(meanPassAtKExact([x], 256)).toBeCloseTo(1 - (1 - x) ** 256, 12);
    }
    expect(meanPassAtKExact(p, 3)).toBeCloseTo(p.reduce((s, x) => s + 1 - (1 - x) ** 3, 0) / 4, 14);
    expect(meanPassAtKExact([0.2, 0.9], 4, [1, 0])).toBeCloseTo(1 - 0.8 ** 4, 14);
    let prev = 0;
    for (let k = 1; k <= 256; k++) {
      const v = meanPassAtKExact(p, k);
      expect(v).toBeGreaterThanOrEqual(prev);
      prev = v;
    }
  });

  it("is the expectation of Chen et al.'s unbiased estimator over Binomial(n, p) correct counts", () => {
    const n = 20;
    const p = 0.07;
    const lchoose = (a: number, b: number) => {
      let s = 0;
      for (let i = 1; i <= b; i++) s += Math.log(a - b + i) - Math.log(i);
      return s;
    };
    for (const k of [1, 3, 10, 20]) {
      let e = 0;
      for (let c = 0; c <= n; c++)
        e += Math.exp(lchoose(n, c) + c * Math.log(p) + (n - c) * Math.log(1 - p)) * passAtK(n, c, k);
      expect(e).toBeCloseTo(meanPassAtKExact([p], k), 12);
    }
  });

  it('meanPassAtKPow is 1 − (1 − p)^k averaged over problems', () => {
    expect(meanPassAtKPow([0, 1, 0.5], 1)).toBeCloseTo(0.5, 12);
    expect(meanPassAtKPow([0.5, 0.1], 3)).toBeCloseTo((1 - 0.125 + 1 - 0.729) / 2, 12);
  });
});
