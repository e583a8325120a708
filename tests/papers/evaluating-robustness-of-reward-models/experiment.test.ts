import { describe, expect, it } from 'vitest';
import { DEFAULTS, runSeed } from '../../../src/papers/evaluating-robustness-of-reward-models/experiment';
import { bestOfNValue } from '../../../src/testbeds/preference/solvers/best-of-n';
import { correlationDifferenceCI, kendall, spearman } from '../../../src/stats/correlation';
import { Rng } from '../../../src/core/rng';
import { expectWellFormed } from '../run-result';

describe('the RewardMATH experiment', () => {
  it('a small seed is well formed: 15 RMs, scores in [0, 1], best-of-1 = the pool base rate for every RM', () => {
    const cfg = { ...DEFAULTS, benchProblems: 60, poolProblems: 20 };
    const r = runSeed(cfg, 0);
    expectWellFormed(r);
    expect(r.metrics['mech/population']).toBe(15);
    const base = r.metrics['rm0/bon@n=1'];
    for (let i = 0; i < 15; i++) {
      for (const k of ['accA', 'accB', 'mrrB', 'accMatched', 'bon']) {
        expect(r.metrics[`rm${i}/${k}`]).toBeGreaterThanOrEqual(0);
        expect(r.metrics[`rm${i}/${k}`]).toBeLessThanOrEqual(1);
      }
      // best-of-1 ignores the reward: it is the same (the pools' mean correctness) for every RM
      expect(r.metrics[`rm${i}/bon@n=1`]).toBeCloseTo(base, 12);
      expect(r.metrics[`rm${i}/overopt`]).toBeGreaterThanOrEqual(0);
      // a solved problem has reciprocal rank 1, so MRR ≥ one-vs-many accuracy
      expect(r.metrics[`rm${i}/mrrB`]).toBeGreaterThanOrEqual(r.metrics[`rm${i}/accB`]);
    }
  });
});

describe('exact best-of-n against enumeration', () => {
  it('equals the mean gold of the argmax over all m^n ordered draws (ties to the lower index)', () => {
    const rng = new Rng(7);
    const m = 5;
    const proxy = [0.3, 1.2, 1.2, -0.5, 0.9];
    const gold = Array.from({ length: m }, () => (rng.uniform() < 0.5 ? 1 : 0));
    for (const n of [1, 2, 3, 4]) {
      let total = 0,
        count = 0;
      const idx = new Array(n).fill(0);
      for (;;) {
        let best = idx[0];
        for (const j of idx) if (proxy[j] > proxy[best] || (proxy[j] === proxy[best] && j < best)) best = j;
        total += gold[best];
        count++;
        let p = 0;
        while (p < n && ++idx[p] === m) idx[p++] = 0;
        if (p === n) break;
      }
      expect(bestOfNValue(new Array(m).fill(1 / m), proxy, gold, n)).toBeCloseTo(total / count, 12);
    }
  });
});

describe('correlation machinery on a constructed population with known ranks', () => {
  it('recovers rank correlations ±1 and the difference between a perfect and a reversed benchmark', () => {
    const y = Array.from({ length: 12 }, (_, i) => i * i); // downstream, strictly increasing
    const good = y.map((_, i) => Math.exp(i / 3)); // same order as y
    const bad = y.map((_, i) => -i); // reversed order
    expect(spearman(good, y)).toBeCloseTo(1, 12);
    expect(kendall(good, y)).toBeCloseTo(1, 12);
    expect(spearman(bad, y)).toBeCloseTo(-1, 12);
    const ci = correlationDifferenceCI(good, bad, y, {
      reps: 500,
      level: 0.95,
      rng: new Rng(1),
      correlation: 'spearman',
    });
    expect(ci.estimate).toBeCloseTo(2, 12);
    expect(ci.lo).toBeGreaterThan(1.9);
    // one swapped adjacent pair: Spearman = 1 − 6·2/(n(n²−1)), Kendall = 1 − 2·2/(n(n−1))
    const swapped = good.slice();
    [swapped[3], swapped[4]] = [swapped[4], swapped[3]];
    const n = 12;
    expect(spearman(swapped, y)).toBeCloseTo(1 - 12 / (n * (n * n - 1)), 12);
    expect(kendall(swapped, y)).toBeCloseTo(1 - 4 / (n * (n - 1)), 12);
  });
});
