import { describe, expect, it } from 'vitest';
import {
  betaCdf,
  betaQuantile,
  normalCdf,
  normalQuantile,
  proportionCI,
  studentTCdf,
  studentTQuantile,
} from '../../src/stats';

describe('distribution functions', () => {
  it('normal quantile and CDF match scipy.stats.norm', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 13);
    expect(normalQuantile(0.025)).toBeCloseTo(-1.959963984540054, 13);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080409, 13);
    expect(normalQuantile(1e-10) / -6.361340902404056).toBeCloseTo(1, 12);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 13);
    expect(normalCdf(-3)).toBeCloseTo(1.3498980316300933e-3, 14);
    expect(normalCdf(0.5)).toBeCloseTo(0.69146246127401312, 13);
    expect(normalCdf(-8) / 6.2209605742717405e-16).toBeCloseTo(1, 7); // far tail: relative error ~1e-8
    for (const p of [1e-6, 0.01, 0.2, 0.5, 0.77, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 12);
  });

  it('regularized incomplete beta and its inverse', () => {
    expect(betaCdf(0.4, 2.5, 3.5)).toBeCloseTo(0.4869041915261176, 12); // scipy.special.betainc(2.5, 3.5, 0.4)
    expect(betaCdf(0.3, 1, 1)).toBeCloseTo(0.3, 14); // uniform
    expect(betaQuantile(betaCdf(0.4, 2.5, 3.5), 2.5, 3.5)).toBeCloseTo(0.4, 12);
  });

  it('Clopper–Pearson and Wilson intervals match scipy.stats.binomtest', () => {
    const cp = proportionCI(5, 10);
    expect(cp.lo).toBeCloseTo(0.1870860284474045, 10);
    expect(cp.hi).toBeCloseTo(0.8129139715525955, 10);
    const cp0 = proportionCI(0, 10);
    expect(cp0.lo).toBe(0);
    expect(cp0.hi).toBeCloseTo(1 - Math.pow(0.025, 0.1), 10); // 0.30849710781876294
    const cp17 = proportionCI(17, 20);
    expect(cp17.lo).toBeCloseTo(0.6210731734547044, 10);
    expect(cp17.hi).toBeCloseTo(0.9679290628144552, 10);
    const w = proportionCI(17, 20, { method: 'wilson' });
    expect(w.lo).toBeCloseTo(0.6395811352592431, 10);
    expect(w.hi).toBeCloseTo(0.9476312541037835, 10);
  });

  it('Student t quantile and CDF match scipy.stats.t, including non-integer (Welch) df', () => {
    // scipy 1.17: t.ppf(p, df), t.cdf(-1.3, df)
    const cases: [number, number, number, number][] = [
      [0.975, 1, 12.706204736174694, 0.20871440016015272],
      [0.975, 4, 2.7764451051977934, 0.13172579823561206],
      [0.975, 9, 2.262157162798205, 0.11295318633652467],
      [0.975, 8.3, 2.2915762675950195, 0.11426965817034417],
      [0.025, 3.7, -2.8675207071911903, 0.13433336208631375],
      [0.999, 30, 3.3851848668293045, 0.10175047926905843],
      [0.6, 5, 0.2671808657041451, 0.12515031708533855],
      [0.975, 1000, 1.9623390808264083, 0.09695026420772866],
    ];
    for (const [p, df, q, c] of cases) {
      expect(studentTQuantile(p, df) / q).toBeCloseTo(1, 11);
      expect(studentTCdf(-1.3, df)).toBeCloseTo(c, 11);
      expect(studentTCdf(q, df)).toBeCloseTo(p, 11); // inverse of each other
    }
    expect(studentTQuantile(0.975, Infinity)).toBeCloseTo(1.959963984540054, 13);
    expect(studentTQuantile(0.5, 3)).toBe(0);
    expect(() => studentTQuantile(0.9, 0)).toThrow(/degrees of freedom must be positive/);
  });
});
