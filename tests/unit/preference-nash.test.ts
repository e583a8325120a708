import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  checkGame,
  cyclicShare,
  gameFromMatrices,
  pIndex,
  randomGame,
  rockPaperScissors,
  samplePreferencePairs,
  transitivePart,
  withoutLengthBias,
} from '../../src/testbeds/preference/game';
import {
  bestResponse,
  dualityGap,
  exploitability,
  fixedPointResidual,
  preferenceAgainst,
  regularisedNash,
  regularisedWinRate,
  winRate,
} from '../../src/testbeds/preference/nash';
import {
  geometricMixture,
  kl,
  klRegularisedOptimum,
  policyFromRows,
  randomSoftmaxPolicy,
  softmaxPolicy,
  uniformPolicy,
} from '../../src/testbeds/preference/policies';

const sig = (z: number) => 1 / (1 + Math.exp(-z));

describe('preference games', () => {
  it('random games are valid preferences: P + Pᵀ = 1, P(y ≻ y) = ½, and the cyclic part is divergence-free', () => {
    for (const cyclic of ['curl', 'rps-blocks'] as const) {
      const g = randomGame(new Rng(1), { nX: 4, nY: 7, btScale: 1, cyclicScale: 2, cyclic });
      checkGame(g);
      for (let x = 0; x < 4; x++)
        for (let y = 0; y < 7; y++) {
          expect(g.P[pIndex(7, x, y, y)]).toBe(0.5);
          let row = 0;
          for (let z = 0; z < 7; z++) {
            row += (g.cyclic as Float64Array)[pIndex(7, x, y, z)];
            expect((g.cyclic as Float64Array)[pIndex(7, x, y, z)]).toBeCloseTo(
              -(g.cyclic as Float64Array)[pIndex(7, x, z, y)],
              12,
            );
          }
          expect(Math.abs(row)).toBeLessThan(1e-12);
        }
      const share = cyclicShare(g);
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(1);
    }
  });

  it('curl RMS equals cyclicScale and the logit decomposes as Δr + C', () => {
    const g = randomGame(new Rng(2), { nX: 1, nY: 6, btScale: 0.7, cyclicScale: 1.5 });
    const C = g.cyclic as Float64Array,
      r = g.reward as Float64Array;
    let ss = 0;
    for (let y = 0; y < 6; y++)
      for (let z = 0; z < 6; z++) {
        if (y === z) continue;
        ss += C[y * 6 + z] ** 2;
        expect(g.P[y * 6 + z]).toBeCloseTo(sig(r[y] - r[z] + C[y * 6 + z]), 14);
      }
    expect(Math.sqrt(ss / 30)).toBeCloseTo(1.5, 12);
  });

  it('without cycles the game is Bradley–Terry; the length bias can be removed', () => {
    const g = randomGame(new Rng(3), { nX: 2, nY: 5, btScale: 1, cyclicScale: 0, lengthBias: 2 });
    const lc = withoutLengthBias(g);
    const t = transitivePart(g);
    const r = g.reward as Float64Array,
      l = g.length as Float64Array;
    for (let x = 0; x < 2; x++)
      for (let y = 0; y < 5; y++)
        for (let z = 0; z < 5; z++) {
          if (y === z) continue;
          const d = r[x * 5 + y] - r[x * 5 + z];
          expect(lc.P[pIndex(5, x, y, z)]).toBeCloseTo(sig(d), 14);
          expect(t.P[pIndex(5, x, y, z)]).toBeCloseTo(sig(d), 14);
          expect(g.P[pIndex(5, x, y, z)]).toBeCloseTo(sig(d + 2 * (l[x * 5 + y] - l[x * 5 + z])), 14);
        }
    expect(cyclicShare(g)).toBe(0);
  });

  it('rejects an invalid preference matrix with a message naming the entry', () => {
    expect(() =>
      gameFromMatrices([
        [
          [0.5, 0.7],
          [0.7, 0.5],
        ],
      ]),
    ).toThrow(/must be 1/);
    expect(() =>
      gameFromMatrices([
        [
          [0.5, 1.2],
          [-0.2, 0.5],
        ],
      ]),
    ).toThrow(/not in \[0, 1\]/);
  });

  it('sampled labels follow P and label noise flips them', () => {
    const g = gameFromMatrices([
      [
        [0.5, 0.8],
        [0.2, 0.5],
      ],
    ]);
    const s = policyFromRows([[0.5, 0.5]]);
    const n = 40000;
    const count = (noise: number) => {
      const d = samplePreferencePairs(g, s, n, new Rng(4), { labelNoise: noise, distinct: true });
      let w0 = 0;
      for (let k = 0; k < d.n; k++) {
        expect(d.yw[k]).not.toBe(d.yl[k]);
        if (d.yw[k] === 0) w0++;
      }
      return w0 / n;
    };
    const sd = Math.sqrt((0.8 * 0.2) / n);
    expect(Math.abs(count(0) - 0.8)).toBeLessThan(5 * sd);
    expect(Math.abs(count(0.25) - (0.8 * 0.75 + 0.2 * 0.25))).toBeLessThan(5 * sd);
  });
});

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
    const mu = uniformPolicy(1, 2);
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

  it('rock–paper–scissors: the uniform policy is the equilibrium for every β with uniform μ; pure rock is exploitable by ½', () => {
    const g = rockPaperScissors(1);
    const u = uniformPolicy(1, 3);
    const pref = preferenceAgainst(g, u);
    for (const v of pref) expect(v).toBeCloseTo(0.5, 15);
    expect(exploitability(g, u)).toBeLessThan(1e-15);
    expect(exploitability(g, policyFromRows([[1, 0, 0]]))).toBeCloseTo(0.5, 15);
    for (const beta of [0.05, 0.3, 2]) {
      const sol = regularisedNash(g, u, beta);
      for (const v of sol.policy.probs) expect(v).toBeCloseTo(1 / 3, 12);
    }
  });

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
      const again = softmaxPolicy(5, 9, l);
      for (let i = 0; i < l.length; i++) expect(Math.abs(again.probs[i] - sol.policy.probs[i])).toBeLessThan(1e-10);
      // equals its own regularised best response
      const br = bestResponse(g, sol.policy, { mu, beta });
      expect(kl(sol.policy, br)).toBeLessThan(1e-20 + 1e-12);
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

  it('the KL-regularised optimum maximises E_π r − β·KL(π‖π_ref)', () => {
    const rng = new Rng(8);
    const ref = randomSoftmaxPolicy(rng.split('ref'), 2, 5, 1);
    const r = rng.split('r').normals(10);
    const beta = 0.4;
    const star = klRegularisedOptimum(ref, r, beta);
    const obj = (p: typeof ref) => {
      let s = 0;
      for (let i = 0; i < 10; i++) s += p.probs[i] * r[i];
      return s / 2 - beta * kl(p, ref);
    };
    const best = obj(star);
    // closed-form value: β·E_x log Σ_y π_ref(y|x)·exp(r(x,y)/β)
    let v = 0;
    for (let x = 0; x < 2; x++) {
      let z = 0;
      for (let y = 0; y < 5; y++) z += ref.probs[x * 5 + y] * Math.exp(r[x * 5 + y] / beta);
      v += beta * Math.log(z);
    }
    expect(best).toBeCloseTo(v / 2, 12);
    for (let k = 0; k < 20; k++) expect(obj(randomSoftmaxPolicy(rng.split(`q${k}`), 2, 5, 2))).toBeLessThan(best);
  });
});
