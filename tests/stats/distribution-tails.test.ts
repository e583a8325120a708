/**
 * Quantiles keep their relative precision in the extreme tails (issue: bisection stopped at an absolute
 * width, so studentTQuantile(1e-8, 1) was 14% off). Checked against closed forms: Cauchy (t with 1 df)
 * t_p = −cot(πp); t with 2 df t_p = (2p − 1)/√(2p(1 − p)); Beta(1, b) quantile 1 − (1 − p)^{1/b}.
 */
import { describe, expect, it } from 'vitest';
import { betaQuantile, studentTCdf, studentTQuantile } from '../../src/stats/distributions';
import { proportionCI } from '../../src/stats/proportion';

const rel = (a: number, b: number) => Math.abs(a / b - 1);

describe('extreme-tail quantiles', () => {
  it('Student t with 1 and 2 df matches the closed forms to ~1e-12 relative, down to p = 1e-14', () => {
    for (const p of [1e-4, 1e-8, 1e-10, 1e-12, 1e-14]) {
      expect(rel(studentTQuantile(p, 1), -1 / Math.tan(Math.PI * p))).toBeLessThan(1e-12);
      const q = 1 - p; // rounded; 1 − q is exact (Sterbenz), so compare with the upper tail of q itself
      expect(rel(studentTQuantile(q, 1), 1 / Math.tan(Math.PI * (1 - q)))).toBeLessThan(1e-9);
      expect(rel(studentTQuantile(p, 2), (2 * p - 1) / Math.sqrt(2 * p * (1 - p)))).toBeLessThan(1e-12);
    }
  });
  it('the quantile inverts the CDF in the tail (relative), for non-integer df too', () => {
    for (const df of [1, 1.7, 3, 12.5]) {
      for (const p of [1e-6, 1e-9, 1e-12]) expect(rel(studentTCdf(studentTQuantile(p, df), df), p)).toBeLessThan(1e-9);
    }
  });
  it('Beta(1, b) quantiles and Clopper–Pearson bounds for rare events are precise', () => {
    // (shapes ≥ 1e9 lose ~1e-6 in betaCdf itself: log Γ(a+b) − log Γ(b) cancels; a known limit)
    for (const b of [1, 5, 1e3, 1e6]) {
      for (const p of [1e-3, 1e-9, 1e-15]) {
        const exact = -Math.expm1(Math.log1p(-p) / b);
        // log-gamma differences of large shapes limit betaCdf itself to ~1e-10 relative
        expect(rel(betaQuantile(p, 1, b), exact)).toBeLessThan(1e-9);
      }
    }
    // 0 successes of 1e6: upper bound 1 − (α/2)^{1/n}; 1 success: lower bound = Beta(1, n) quantile at α/2.
    const n = 1e6;
    expect(rel(proportionCI(0, n).hi, -Math.expm1(Math.log(0.025) / n))).toBeLessThan(1e-8);
    expect(rel(proportionCI(1, n).lo, -Math.expm1(Math.log1p(-0.025) / n))).toBeLessThan(1e-8);
  });
  it('moderate quantiles are unchanged (the common path is the same bisection as before)', () => {
    expect(studentTQuantile(0.975, 9)).toBeCloseTo(2.262157162798, 11);
    expect(studentTQuantile(0.025, 4)).toBeCloseTo(-2.776445105198, 11);
  });
});
