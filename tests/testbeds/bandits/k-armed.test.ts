import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { bernoulliBandit, gaps, gaussianBandit } from '../../../src/testbeds/bandits/env/k-armed';
import { ucb1, ucb1RegretBound } from '../../../src/testbeds/bandits/methods/ucb1';
import { betaBernoulliTs, gaussianTs } from '../../../src/testbeds/bandits/methods/thompson-sampling';
import { fitSlope, logCheckpoints, runKArmed } from '../../../src/testbeds/bandits/loops/run';

describe('UCB1 (Auer et al. 2002)', () => {
  it('has mean regret on a fixed 2-arm Bernoulli instance below the Theorem 1 bound', () => {
    const env = bernoulliBandit([0.7, 0.4]);
    const T = 5000,
      seeds = 20;
    let total = 0;
    for (let s = 0; s < seeds; s++) total += runKArmed(env, ucb1(2), T, [T], new Rng(s)).regret[0];
    const mean = total / seeds;
    const bound = ucb1RegretBound(gaps(env), T); // 8 ln T / 0.3 + (1 + π²/3)·0.3 ≈ 228
    expect(bound).toBeCloseTo((8 * Math.log(T)) / 0.3 + (1 + Math.PI ** 2 / 3) * 0.3, 10);
    expect(mean).toBeLessThan(bound);
    expect(mean).toBeGreaterThan(5); // it does explore: the bound is not met by never pulling arm 2
  });

  it('pulls every arm once first and is deterministic given the seed', () => {
    const env = gaussianBandit([0.1, 0.5, 0.3], 1);
    const a = runKArmed(env, ucb1(3), 400, [400], new Rng(7), true);
    const b = runKArmed(env, ucb1(3), 400, [400], new Rng(7), true);
    expect(Array.from(a.arms!.slice(0, 3)).sort()).toEqual([0, 1, 2]);
    expect(b.arms).toEqual(a.arms);
    expect(b.regret).toEqual(a.regret);
    const c = runKArmed(env, ucb1(3), 400, [400], new Rng(8), true);
    expect(c.arms).not.toEqual(a.arms);
  });
});

describe('Thompson sampling', () => {
  it('Beta–Bernoulli regret grows logarithmically: slope of mean regret vs ln T is stable and far below linear', () => {
    const env = bernoulliBandit([0.6, 0.5, 0.4]);
    const T = 8000,
      seeds = 12;
    const cps = logCheckpoints(T, 14).filter((c) => c >= 250);
    const mean = new Float64Array(cps.length);
    for (let s = 0; s < seeds; s++) {
      const r = runKArmed(env, betaBernoulliTs(3), T, cps, new Rng(100 + s)).regret;
      for (let i = 0; i < cps.length; i++) mean[i] += r[i] / seeds;
    }
    const lnT = cps.map(Math.log);
    // regret ≈ a + b ln T: fitted on the first and second half of the checkpoints, the slopes agree within 2x,
    // while linear regret would make the ln T-slope grow ~ T. Lai–Robbins: b → Σ Δ_i / KL(μ_i, μ*) ≈ 7.4.
    const h = Math.floor(cps.length / 2);
    const b1 = fitSlope(lnT.slice(0, h), mean.slice(0, h)),
      b2 = fitSlope(lnT.slice(h), mean.slice(h));
    expect(b1).toBeGreaterThan(0);
    expect(b2 / b1).toBeLessThan(2);
    expect(b2).toBeLessThan(80);
    // and the log-log slope (regret vs T) is well below 1
    expect(fitSlope(lnT, Array.from(mean, Math.log))).toBeLessThan(0.5);
  });

  it('Gaussian TS concentrates on the best arm', () => {
    const env = gaussianBandit([0, 0.5, 1], 1);
    const r = runKArmed(env, gaussianTs(3, 1), 4000, [4000], new Rng(3));
    expect(r.pulls[2] / 4000).toBeGreaterThan(0.9);
  });
});
