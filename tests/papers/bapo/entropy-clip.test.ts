/**
 * The Entropy-Clip Rule harness (src/papers/bapo/entropy-clip.ts): the exact PPO logit gradient is the central
 * difference of the expected clipped objective and equals Proposition 1's π(AX − E_π[AX]); the first-order entropy
 * change −Cov(log π, Δz) matches the exact change of a small step (Lemma 1); eq. 6 is exact to first order for the
 * natural-gradient step and not for the plain gradient step (a hand case where the π factor flips its sign); the
 * one-token rule holds for the own-logit step; bad configs fail.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  DEFAULTS,
  covariance,
  drawInstance,
  entropy,
  ppoLogitGradient,
  runSeed,
  softmax,
  unclippedIndicator,
} from '../../../src/papers/bapo/entropy-clip';

/** The expected PPO objective J(z) = Σ_y μ(y)·min(r A, clip(r, 1 − ε, 1 + ε) A). */
function ppoObjective(z: Float64Array, mu: Float64Array, A: Float64Array, eps: number): number {
  const pi = softmax(z);
  let J = 0;
  for (let y = 0; y < z.length; y++) {
    const r = pi[y] / mu[y];
    J += mu[y] * Math.min(r * A[y], Math.min(1 + eps, Math.max(1 - eps, r)) * A[y]);
  }
  return J;
}

describe('entropy-clip harness', () => {
  const c = { ...DEFAULTS, vocab: 12 };
  const { z, mu, A } = drawInstance(c, new Rng(5));
  const pi = softmax(z);

  it('E_π[A] = 0 (Lemma 3) and some tokens are clipped', () => {
    expect(pi.reduce((s, p, i) => s + p * A[i], 0)).toBeCloseTo(0, 14);
    const X = unclippedIndicator(
      A,
      Float64Array.from(pi, (p, i) => p / mu[i]),
      c.eps,
    );
    expect(X.some((x) => x === 0)).toBe(true);
    expect(X.some((x) => x === 1)).toBe(true);
  });

  it('the PPO logit gradient is the central difference of J and equals π(AX − E_π[AX]) (Proposition 1)', () => {
    const g = ppoLogitGradient(z, mu, A, c.eps);
    const h = 1e-6;
    for (let j = 0; j < z.length; j++) {
      const up = Float64Array.from(z),
        dn = Float64Array.from(z);
      up[j] += h;
      dn[j] -= h;
      expect(g[j]).toBeCloseTo((ppoObjective(up, mu, A, c.eps) - ppoObjective(dn, mu, A, c.eps)) / (2 * h), 7);
    }
    const X = unclippedIndicator(
      A,
      Float64Array.from(pi, (p, i) => p / mu[i]),
      c.eps,
    );
    const eAX = pi.reduce((s, p, i) => s + p * A[i] * X[i], 0);
    for (let j = 0; j < z.length; j++) expect(g[j]).toBeCloseTo(pi[j] * (A[j] * X[j] - eAX), 15);
  });

  it('Lemma 1: the entropy change of a small step is −Cov_π(log π, Δz) to first order', () => {
    const logp = Float64Array.from(pi, Math.log);
    const dz = Float64Array.from({ length: z.length }, (_, i) => 1e-5 * Math.sin(3 * i + 1));
    const dH = entropy(softmax(Float64Array.from(z, (x, i) => x + dz[i]))) - entropy(pi);
    expect(dH / -covariance(pi, logp, dz)).toBeCloseTo(1, 3);
  });

  it("eq. 6's π-free form fits the natural-gradient step, not the plain gradient step (a hand case)", () => {
    // Three tokens, one dominant: the plain step Δz = η·π·(AX − E_π[AX]) shrinks the rare tokens' moves by their
    // probability, which eq. 6 (no π factor) ignores.
    const zz = Float64Array.from([2, 0, 0]);
    const p = softmax(zz);
    const AX = Float64Array.from([0.1, 3, -2]);
    const lp = Float64Array.from(p, Math.log);
    const eta = 1e-5;
    const eAX = p.reduce((s, q, i) => s + q * AX[i], 0);
    const npg = entropy(softmax(Float64Array.from(zz, (x, i) => x + eta * (AX[i] - eAX)))) - entropy(p);
    const pg = entropy(softmax(Float64Array.from(zz, (x, i) => x + eta * p[i] * (AX[i] - eAX)))) - entropy(p);
    const eq6 = -eta * covariance(p, lp, AX);
    expect(npg / eq6).toBeCloseTo(1, 3);
    expect(Math.abs(pg / eq6 - 1)).toBeGreaterThan(0.1);
  });

  it('a seed: Proposition 1 exact, harness within 1%, eq. 6 exact for the natural step, own-logit rule always', () => {
    const r = runSeed({ ...DEFAULTS, instances: 60 }, 3);
    expect(r.metrics['all/prop1MaxErr']).toBeLessThan(1e-12);
    expect(r.metrics['all/lemmaMaxErr']).toBeLessThan(0.01);
    expect(r.metrics['all/eq6NpgWithin']).toBe(1);
    expect(r.metrics['all/eq6NpgSign']).toBe(1);
    expect(r.metrics['all/tokenOwnSign']).toBe(1);
    expect(r.series!['all/eq6Err']).toHaveLength(60);
    // deterministic
    expect(runSeed({ ...DEFAULTS, instances: 60 }, 3).metrics).toEqual(r.metrics);
  });

  it('bad configs fail', () => {
    expect(() => runSeed({ ...DEFAULTS, eps: 0 }, 1)).toThrow(/0 < ε < 1/);
    expect(() => runSeed({ ...DEFAULTS, vocab: 1 }, 1)).toThrow(/vocab ≥ 2/);
  });
});
