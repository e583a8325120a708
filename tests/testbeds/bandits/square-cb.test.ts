import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  argmaxAvailable,
  epsilonGreedyDistribution,
  inverseGapWeighting,
} from '../../../src/testbeds/bandits/methods/square-cb';
import { fitRidgeLogistic, ridgeLogisticObjective } from '../../../src/testbeds/bandits/solvers/logistic-regression';
import {
  sparseLogisticBandit,
  sparseLogisticMeans,
  sparseLogisticRound,
} from '../../../src/testbeds/bandits/env/sparse-logistic-contextual';

describe('inverse gap weighting (SquareCB)', () => {
  const yhat = [0.2, 0.9, 0.5, 0.7, 0.1];
  const avail = [1, 0, 1, 1, 1];
  it('follows p(a) = 1/(k + γ(ŷ_b − ŷ_a)) off the argmax, sums to one, skips unavailable actions', () => {
    const p = inverseGapWeighting(yhat, avail, 10, new Float64Array(5));
    expect(argmaxAvailable(yhat, avail)).toBe(3);
    expect(p[1]).toBe(0);
    for (const a of [0, 2, 4]) expect(p[a]).toBeCloseTo(1 / (4 + 10 * (0.7 - yhat[a])), 14);
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 14);
    for (const a of [0, 2, 4]) expect(p[3]).toBeGreaterThan(p[a]);
    for (const x of p) expect(x).toBeGreaterThanOrEqual(0);
  });
  it('is uniform at γ = 0 and tends to the argmax as γ → ∞; ε-greedy end points are uniform and greedy', () => {
    const u = inverseGapWeighting(yhat, avail, 0, new Float64Array(5));
    for (const a of [0, 2, 3, 4]) expect(u[a]).toBeCloseTo(0.25, 14);
    expect(inverseGapWeighting(yhat, avail, 1e9, new Float64Array(5))[3]).toBeGreaterThan(1 - 1e-7);
    const e1 = epsilonGreedyDistribution(yhat, avail, 1, new Float64Array(5));
    expect(Array.from(e1)).toEqual([0.25, 0, 0.25, 0.25, 0.25]);
    const e0 = epsilonGreedyDistribution(yhat, avail, 0, new Float64Array(5));
    expect(Array.from(e0)).toEqual([0, 0, 0, 1, 0]);
    const e = epsilonGreedyDistribution(yhat, avail, 0.2, new Float64Array(5));
    expect(e[3]).toBeCloseTo(0.85, 14);
    expect(e.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 14);
  });
});

describe('ridge logistic regression (Newton)', () => {
  const rng = new Rng(3);
  const n = 400,
    p = 3;
  const Z = new Float64Array(n * p),
    y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    Z[i * p] = 1;
    Z[i * p + 1] = rng.normal();
    Z[i * p + 2] = rng.normal();
    y[i] = rng.uniform() < 1 / (1 + Math.exp(-(-1 + 2 * Z[i * p + 1]))) ? 1 : 0;
  }
  const o = { lambda: 0.5, prior: [0.3, 0, 0] };
  it('reaches a stationary point of the penalised likelihood (finite differences) and a minimum', () => {
    const w = fitRidgeLogistic(Z, y, n, p, o);
    const f0 = ridgeLogisticObjective(Z, y, n, p, w, o);
    for (let j = 0; j < p; j++) {
      const h = 1e-5;
      const wp = Float64Array.from(w),
        wm = Float64Array.from(w);
      wp[j] += h;
      wm[j] -= h;
      const g = (ridgeLogisticObjective(Z, y, n, p, wp, o) - ridgeLogisticObjective(Z, y, n, p, wm, o)) / (2 * h);
      expect(Math.abs(g)).toBeLessThan(1e-5);
      wp[j] += 0.05;
      expect(ridgeLogisticObjective(Z, y, n, p, wp, o)).toBeGreaterThan(f0);
    }
    expect(w[1]).toBeGreaterThan(1.2); // recovers the sign and rough size of the true slope 2
  });
  it('returns the prior without data and solves the intercept-only case analytically', () => {
    expect(Array.from(fitRidgeLogistic(new Float64Array(0), [], 0, 2, { lambda: 1, prior: [0.7, -1] }))).toEqual([
      0.7, -1,
    ]);
    // all-ones design, k positives of m: σ(w)·m − k + λ w = 0
    const m = 50,
      k = 7,
      lambda = 2;
    const w = fitRidgeLogistic(
      new Float64Array(m).fill(1),
      Array.from({ length: m }, (_, i) => (i < k ? 1 : 0)),
      m,
      1,
      {
        lambda,
      },
    )[0];
    expect(m / (1 + Math.exp(-w)) - k + lambda * w).toBeCloseTo(0, 10);
  });
});

describe('sparse logistic contextual bandit', () => {
  it('has means in (0, 1), at least two available actions, and Bernoulli rates that match the means', () => {
    const env = sparseLogisticBandit(
      { d: 4, K: 6, baseLogit: -2, interceptSd: 0.5, weightSd: 1, interactionSd: 1, pAvail: 0.3 },
      new Rng(1),
    );
    const rng = new Rng(2);
    const x = new Float64Array(4),
      av = new Uint8Array(6),
      mu = new Float64Array(6);
    let sumMu = 0,
      sumR = 0,
      minAvail = Infinity,
      inside = true;
    const T = 20000;
    for (let t = 0; t < T; t++) {
      sparseLogisticRound(env, rng, x, av);
      minAvail = Math.min(
        minAvail,
        av.reduce((s, v) => s + v, 0),
      );
      sparseLogisticMeans(env, x, mu);
      for (const m of mu) inside &&= m > 0 && m < 1;
      sumMu += mu[0];
      sumR += rng.uniform() < mu[0] ? 1 : 0;
    }
    expect(minAvail).toBe(2);
    expect(inside).toBe(true);
    expect(Math.abs(sumR - sumMu) / T).toBeLessThan(4 * Math.sqrt(0.25 / T));
    // the interaction term: μ changes with x₀x₁ at fixed linear part
    const z = (v: number) => Math.log(v / (1 - v));
    const zpp = z(sparseLogisticMeans(env, [1, 1, 0, 0], new Float64Array(6))[0]);
    const zpm = z(sparseLogisticMeans(env, [1, -1, 0, 0], new Float64Array(6))[0]);
    const zmp = z(sparseLogisticMeans(env, [-1, 1, 0, 0], new Float64Array(6))[0]);
    const zmm = z(sparseLogisticMeans(env, [-1, -1, 0, 0], new Float64Array(6))[0]);
    expect((zpp - zpm - zmp + zmm) / 4).toBeCloseTo(env.c[0], 10); // the mixed second difference is c_a
  });
});
