import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { gameFromMatrices, randomGame, rockPaperScissors } from '../../../../src/testbeds/preference/data/game';
import {
  geometricMixture,
  kl,
  policyFromRows,
  randomSoftmaxPolicy,
  tabularPolicyFromLogits,
  uniformTabularPolicy,
} from '../../../../src/testbeds/preference/policies/tabular-policy';
import {
  bestResponse,
  dualityGap,
  exploitability,
  fixedPointResidual,
  preferenceAgainst,
  regularisedNash,
  regularisedWinRate,
  winRate,
} from '../../../../src/testbeds/preference/solvers/nash';

describe('win rates, exploitability and the regularised Nash equilibrium', () => {
  it('P(π ≻ π) = ½ and P(a ≻ b) + P(b ≻ a) = 1 on random games', () => {
    const rng = new Rng(5);
    const g = randomGame(rng.split('g'), { nX: 3, nY: 8, btScale: 1, cyclicScale: 2 });
    for (let k = 0; k < 5; k++) {
      const a = randomSoftmaxPolicy(rng.split(`a${k}`), 3, 8, 2);
      const b = randomSoftmaxPolicy(rng.split(`b${k}`), 3, 8, 2);
      expect(Math.abs(winRate(g, a, a) - 0.5)).toBeLessThan(1e-14);
      expect(Math.abs(winRate(g, a, b) + winRate(g, b, a) - 1)).toBeLessThan(1e-14);
      const mu = randomSoftmaxPolicy(rng.split(`m${k}`), 3, 8, 1);
      expect(Math.abs(regularisedWinRate(g, a, b, mu, 0.3) + regularisedWinRate(g, b, a, mu, 0.3) - 1)).toBeLessThan(
        1e-13,
      );
    }
  });

  it('hand-computed 2-response game: π*_β(0) = σ((p − ½)/β) and the exploitabilities', () => {
    // P(0 ≻ 1) = p. Fixed point: log π0/π1 = [P(0 ≻ π) − P(1 ≻ π)]/β = (p − ½)(π0 + π1)/β = (p − ½)/β (μ uniform).
    const p = 0.75,
      beta = 0.25;
    const g = gameFromMatrices([
      [
        [0.5, p],
        [1 - p, 0.5],
      ],
    ]);
    const mu = uniformTabularPolicy(1, 2);
    const sol = regularisedNash(g, mu, beta);
    expect(sol.policy.probs[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12); // σ(1) = 0.7310585786300049
    // Unregularised exploitability of the uniform policy: P(0 ≻ ½,½) − ½ = (½·½ + ¾·½) − ½ = 0.125.
    expect(exploitability(g, mu)).toBeCloseTo(0.125, 14);
    // Regularised, at π = μ: β·log(½e^{0.625/β} + ½e^{0.375/β}) − ½ = 0.25·log(½e^{2.5} + ½e^{1.5}) − ½.
    const byHand = 0.25 * Math.log(0.5 * Math.exp(2.5) + 0.5 * Math.exp(1.5)) - 0.5;
    expect(byHand).toBeCloseTo(0.0300287, 6); // e^{2.5} = 12.182494, e^{1.5} = 4.481689: ¼·ln 8.332092 − ½
    expect(exploitability(g, mu, { mu, beta })).toBeCloseTo(byHand, 14);
    expect(dualityGap(g, mu, { mu, beta })).toBeCloseTo(2 * byHand, 14);
    // A pure policy on the better response: P(y ≻ π) = (p, ½) → unregularised exploitability 0.
    expect(exploitability(g, policyFromRows([[1, 0]]))).toBe(0);
  });

  it(
    'rock–paper–scissors: the uniform policy is the equilibrium ' +
      'for every β with uniform μ; pure rock is exploitable by ½',
    () => {
      const g = rockPaperScissors(1);
      const u = uniformTabularPolicy(1, 3);
      const pref = preferenceAgainst(g, u);
      for (const v of pref) expect(v).toBeCloseTo(0.5, 15);
      expect(exploitability(g, u)).toBeLessThan(1e-15);
      expect(exploitability(g, policyFromRows([[1, 0, 0]]))).toBeCloseTo(0.5, 15);
      for (const beta of [0.05, 0.3, 2]) {
        const sol = regularisedNash(g, u, beta);
        for (const v of sol.policy.probs) expect(v).toBeCloseTo(1 / 3, 12);
      }
    },
  );

  it('the solver satisfies the fixed point π ∝ μ·exp(P(· ≻ π)/β) to 1e-10 (random games, several β)', () => {
    const rng = new Rng(6);
    for (const beta of [0.02, 0.1, 1, 5]) {
      const g = randomGame(rng.split(`g${beta}`), { nX: 5, nY: 9, btScale: 1, cyclicScale: 2 });
      const mu = randomSoftmaxPolicy(rng.split(`mu${beta}`), 5, 9, 1.5);
      const sol = regularisedNash(g, mu, beta);
      expect(sol.residual).toBeLessThan(1e-10);
      expect(fixedPointResidual(g, sol.policy, mu, beta)).toBeLessThan(1e-10);
      // the fixed point written out: π*(y) = μ(y)·exp(P(y ≻ π*)/β) / Z, compared entry by entry
      const pref = preferenceAgainst(g, sol.policy);
      const l = new Float64Array(pref.length);
      for (let i = 0; i < l.length; i++) l[i] = Math.log(mu.probs[i]) + pref[i] / beta;
      const again = tabularPolicyFromLogits(5, 9, l);
      for (let i = 0; i < l.length; i++) expect(Math.abs(again.probs[i] - sol.policy.probs[i])).toBeLessThan(1e-10);
      // equals its own regularised best response
      const br = bestResponse(g, sol.policy, { mu, beta });
      expect(kl(sol.policy, br)).toBeLessThan(1e-20 + 1e-12);
    }
  });

  it('small β (1e-3): the solver converges in log space to the analytic fixed point log π0/π1 = (p − ½)/β', () => {
    const beta = 1e-3;
    for (const p of [0.75, 0.95]) {
      const g = gameFromMatrices([
        [
          [0.5, p],
          [1 - p, 0.5],
        ],
      ]);
      const sol = regularisedNash(g, uniformTabularPolicy(1, 2), beta);
      const want = (p - 0.5) / beta; // 250 and 450: π1 = e^{−450} ≈ 6e-196
      expect(Math.abs(sol.logPolicy[0] - sol.logPolicy[1] - want) / want).toBeLessThan(1e-11);
      expect(sol.policy.probs[0]).toBeCloseTo(1, 15);
    }
  });

  it('small β (1e-3), random games: converges (log π ≪ −300) and satisfies the fixed point in log space', () => {
    const rng = new Rng(61);
    const beta = 1e-3;
    const g = randomGame(rng.split('g'), { nX: 3, nY: 8, btScale: 1, cyclicScale: 2 });
    const mu = randomSoftmaxPolicy(rng.split('mu'), 3, 8, 1.5);
    const sol = regularisedNash(g, mu, beta);
    // log π*_β reaches ≈ −1/β: probabilities below 1e-300 (or 0) where the log-policy is exact
    expect(Math.min(...sol.logPolicy)).toBeLessThan(-300);
    // relative tolerance: β·span(log π − log μ − P/β) (payoff units) at the float floor
    expect(beta * sol.residual).toBeLessThan(1e-10);
    const pref = preferenceAgainst(g, sol.policy);
    for (let x = 0; x < 3; x++) {
      let lo = Infinity,
        hi = -Infinity;
      for (let y = 0; y < 8; y++) {
        const i = x * 8 + y;
        const v = beta * (sol.logPolicy[i] - Math.log(mu.probs[i])) - pref[i];
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      expect(hi - lo).toBeLessThan(1e-10);
    }
  });

  it('exploitability is 0 at the regularised equilibrium and > 0 elsewhere; it is the best deviation gain', () => {
    const rng = new Rng(7);
    const g = randomGame(rng.split('g'), { nX: 3, nY: 6, btScale: 1, cyclicScale: 3 });
    const mu = randomSoftmaxPolicy(rng.split('mu'), 3, 6, 1);
    const beta = 0.2;
    const star = regularisedNash(g, mu, beta).policy;
    expect(exploitability(g, star, { mu, beta })).toBeLessThan(1e-12);
    for (let k = 0; k < 20; k++) {
      const pi = randomSoftmaxPolicy(rng.split(`p${k}`), 3, 6, 1);
      const e = exploitability(g, pi, { mu, beta });
      expect(e).toBeGreaterThan(1e-6);
      // the maximising deviation is the regularised best response, and no random deviation does better
      const br = bestResponse(g, pi, { mu, beta });
      expect(regularisedWinRate(g, br, pi, mu, beta) - 0.5).toBeCloseTo(e, 12);
      const other = randomSoftmaxPolicy(rng.split(`o${k}`), 3, 6, 2);
      expect(regularisedWinRate(g, other, pi, mu, beta) - 0.5).toBeLessThanOrEqual(e + 1e-12);
    }
    // a small perturbation of π* has a small positive exploitability (second order in the perturbation)
    const near = geometricMixture(star, mu, 1e-3);
    const e = exploitability(g, near, { mu, beta });
    expect(e).toBeGreaterThan(0);
    expect(e).toBeLessThan(1e-5);
  });
});
