import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { randomGame, rockPaperScissors } from '../../../../src/testbeds/preference/data/game';
import { nashMDStep, stepSize } from '../../../../src/testbeds/preference/methods/nash-md';
import {
  geometricMixture,
  kl,
  policyFromRows,
  randomSoftmaxPolicy,
  tabularPolicyFromLogits,
  type TabularPolicy,
} from '../../../../src/testbeds/preference/policies/tabular-policy';
import { preferenceAgainst, regularisedNash, winRate } from '../../../../src/testbeds/preference/solvers/nash';

function logOf(p: TabularPolicy): Float64Array {
  return Float64Array.from(p.probs, Math.log);
}

describe('Nash-MD', () => {
  it('one step is the argmax of η·P(π ≻ π^μ) − KL(π ‖ π^μ) (no perturbation does better)', () => {
    const rng = new Rng(11);
    const g = randomGame(rng.split('g'), { nX: 2, nY: 5, btScale: 1, cyclicScale: 2 });
    const mu = randomSoftmaxPolicy(rng.split('mu'), 2, 5, 1);
    const pi = randomSoftmaxPolicy(rng.split('pi'), 2, 5, 1);
    const eta = 0.7,
      beta = 0.5;
    const next = nashMDStep(g, pi, mu, eta, beta);
    const mix = geometricMixture(pi, mu, eta * beta);
    const obj = (p: TabularPolicy) => eta * winRate(g, p, mix) - kl(p, mix);
    const best = obj(next);
    for (let k = 0; k < 30; k++) {
      const d = rng.split(`d${k}`).normals(10, 0, 0.05);
      const l = logOf(next).map((v, i) => v + d[i]);
      expect(obj(tabularPolicyFromLogits(2, 5, l))).toBeLessThan(best);
    }
    // and the closed form π_{t+1} ∝ π^{1−ηβ} μ^{ηβ} exp(η P(y ≻ π^μ)) written out
    const pref = preferenceAgainst(g, mix);
    const l = new Float64Array(10);
    for (let i = 0; i < 10; i++)
      l[i] = (1 - eta * beta) * Math.log(pi.probs[i]) + eta * beta * Math.log(mu.probs[i]) + eta * pref[i];
    const byHand = tabularPolicyFromLogits(2, 5, l);
    for (let i = 0; i < 10; i++) expect(next.probs[i]).toBeCloseTo(byHand.probs[i], 14);
  });

  it("Theorem 1's per-step inequality KL(π*, π_{t+1}) ≤ (1 − ηβ)·KL(π*, π_t) + 2η² holds on random games", () => {
    const rng = new Rng(12);
    for (let k = 0; k < 6; k++) {
      const beta = [0.05, 0.3, 1][k % 3];
      const g = randomGame(rng.split(`g${k}`), { nX: 2, nY: 6, btScale: 1, cyclicScale: 3 });
      const mu = randomSoftmaxPolicy(rng.split(`mu${k}`), 2, 6, 1);
      const star = regularisedNash(g, mu, beta).policy;
      for (const eta of [0.05, 0.5, 1 / beta]) {
        let p = randomSoftmaxPolicy(rng.split(`p${k}`), 2, 6, 2);
        for (let t = 0; t < 50; t++) {
          const q = nashMDStep(g, p, mu, eta, beta);
          expect(kl(star, q)).toBeLessThanOrEqual((1 - eta * beta) * kl(star, p) + 2 * eta * eta + 1e-12);
          p = q;
        }
      }
    }
  });

  it('step-size schedules: horizon η = log T/(βT), decreasing 2/(β(t+2)), and the mixture weight is checked', () => {
    expect(stepSize({ kind: 'horizon', T: 1000 }, 5, 0.1)).toBeCloseTo(Math.log(1000) / 100, 15);
    expect(stepSize({ kind: 'decreasing' }, 0, 0.1)).toBeCloseTo(10, 15);
    expect(stepSize({ kind: 'decreasing' }, 8, 0.1)).toBeCloseTo(2, 15);
    const g = rockPaperScissors(1);
    const u = policyFromRows([[0.2, 0.3, 0.5]]);
    expect(() => nashMDStep(g, u, u, 20, 0.1)).toThrow(/η·β/);
  });
});
