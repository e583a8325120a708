import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { randomLinearMdp } from '../../../../src/testbeds/tabular/env/linear-mdp';
import {
  choleskyFactor,
  ellipticalNorm,
  greedyLinearPolicy,
  makePreferenceLinearProblem,
  perturbEstimate,
  preferenceMle,
  runPrLsvi,
  trueValue,
} from '../../../../src/testbeds/tabular/methods/pr-lsvi';

const sizes = { nS: 5, nA: 3, d: 4, H: 3, featureConcentration: 0.3, factorConcentration: 0.5, denseRewards: true };

function problem(seed: number) {
  const m = randomLinearMdp(new Rng(seed), sizes);
  return makePreferenceLinearProblem(m, Float64Array.from(m.theta.subarray(0, sizes.d)), 2);
}

/** V* by backward induction written out directly on the dense kernels: an independent check of the planner. */
function directOptimalValue(p: ReturnType<typeof problem>): number {
  const { nS, nA, H, init } = p.m;
  let V = new Float64Array(nS);
  for (let h = H - 1; h >= 0; h--) {
    const next = new Float64Array(nS);
    for (let s = 0; s < nS; s++) {
      let best = -Infinity;
      for (let a = 0; a < nA; a++) {
        let q = p.rTrue[h * nS * nA + s * nA + a];
        for (let sp = 0; sp < nS; sp++) q += p.kernels[h * nS * nA * nS + (s * nA + a) * nS + sp] * V[sp];
        best = Math.max(best, q);
      }
      next[s] = best;
    }
    V = next;
  }
  return init.reduce((s, w, i) => s + w * V[i], 0);
}

describe('PR-LSVI parts', () => {
  it('plans exactly: V* agrees with direct backward induction and the greedy plan of θ* has zero regret', () => {
    for (const seed of [1, 2, 3]) {
      const p = problem(seed);
      expect(p.vStar).toBeCloseTo(directOptimalValue(p), 12);
      expect(p.vStar - trueValue(p, greedyLinearPolicy(p.m, p.thetaStar))).toBeCloseTo(0, 12);
      // θ + c·1 adds c·H to every trajectory: same plan.
      const shifted = p.thetaStar.map((v) => v + 0.7);
      expect(Array.from(greedyLinearPolicy(p.m, shifted))).toEqual(Array.from(greedyLinearPolicy(p.m, p.thetaStar)));
    }
  });

  it('the ridge MLE solves its first-order condition and recovers w* = β·θ* (centred) from many labels', () => {
    const rng = new Rng(7);
    const d = 4,
      n = 20000,
      lambda = 1;
    const wStar = Float64Array.from([1, -0.5, 0.25, 2]);
    const X = new Float64Array(n * d),
      y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += wStar[k] * (X[i * d + k] = rng.normal());
      y[i] = rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    }
    const w = preferenceMle(X, y, n, d, lambda);
    // Gradient of Σ −log-lik + (λ/2)‖w‖² vanishes.
    const g = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let k = 0; k < d; k++) z += w[k] * X[i * d + k];
      const r = 1 / (1 + Math.exp(-z)) - y[i];
      for (let k = 0; k < d; k++) g[k] += r * X[i * d + k];
    }
    for (let k = 0; k < d; k++) expect(Math.abs(g[k] + lambda * w[k])).toBeLessThan(1e-6);
    for (let k = 0; k < d; k++) expect(w[k]).toBeCloseTo(wStar[k], 1);
  });

  it('the elliptical norm is sqrt(xᵀΣ⁻¹x) and the perturbation has covariance σ²Σ⁻¹', () => {
    const d = 3;
    const S = Float64Array.from([4, 1, 0.5, 1, 3, 0.2, 0.5, 0.2, 2]);
    const L = choleskyFactor(S, d);
    // Σ⁻¹ by the adjugate of a 3×3 matrix.
    const [a, b, c, , e, f, , , i] = S;
    const det = a * (e * i - f * f) - b * (b * i - f * c) + c * (b * f - e * c);
    const inv = [
      e * i - f * f,
      c * f - b * i,
      b * f - c * e,
      c * f - b * i,
      a * i - c * c,
      b * c - a * f,
      b * f - c * e,
      b * c - a * f,
      a * e - b * b,
    ].map((v) => v / det);
    const x = [0.3, -1.2, 2];
    let q = 0;
    for (let r = 0; r < d; r++) for (let s = 0; s < d; s++) q += x[r] * inv[r * d + s] * x[s];
    expect(ellipticalNorm(L, x, d)).toBeCloseTo(Math.sqrt(q), 12);
    const rng = new Rng(3);
    const N = 40000,
      sigma = 1.5;
    const C = new Float64Array(d * d);
    const mean = [1, 2, 3];
    for (let k = 0; k < N; k++) {
      const v = perturbEstimate(mean, L, sigma, rng);
      for (let r = 0; r < d; r++) for (let s = 0; s < d; s++) C[r * d + s] += ((v[r] - mean[r]) * (v[s] - mean[s])) / N;
    }
    for (let k = 0; k < d * d; k++) expect(Math.abs(C[k] - sigma * sigma * inv[k])).toBeLessThan(0.03);
    expect(Array.from(perturbEstimate(mean, L, 0, rng))).toEqual(mean);
  });

  it('the query rule: ε = 0 labels every informative pair, a huge ε none, and counts obey the elliptical bound', () => {
    const p = problem(5);
    const base = { episodes: 150, sigma: 1, lambda: 1 };
    const all = runPrLsvi(p, { ...base, query: { kind: 'uncertainty', epsilon: 0 } }, new Rng(1));
    const none = runPrLsvi(p, { ...base, query: { kind: 'uncertainty', epsilon: 1e9 } }, new Rng(1));
    const count = (q: Uint8Array) => q.reduce((s, v) => s + v, 0);
    expect(count(all.queried)).toBeGreaterThan(100); // identical trajectories (x = 0) are the only skips
    expect(count(none.queried)).toBe(0);
    expect(Array.from(none.wHat)).toEqual([0, 0, 0, 0]);
    for (const eps of [0.3, 0.6, 1.5]) {
      const r = runPrLsvi(p, { ...base, query: { kind: 'uncertainty', epsilon: eps } }, new Rng(2));
      expect(count(r.queried)).toBeLessThanOrEqual((2 * r.logDetRatio) / Math.min(1, eps * eps) + 1e-9);
    }
  });

  it('a constructed case: a pair with a known elliptical norm is queried exactly when the norm exceeds ε', () => {
    // Σ = λI with λ = 4: ‖x‖_{Σ⁻¹} = ‖x‖/2.
    const d = 2;
    const L = choleskyFactor(Float64Array.from([4, 0, 0, 4]), d);
    expect(ellipticalNorm(L, [0.6, 0.8], d)).toBeCloseTo(0.5, 14);
    expect(ellipticalNorm(L, [0, 0], d)).toBe(0);
  });

  it('regret is zero when θ is known: the plan of w* = β·θ* (any positive scale) is optimal', () => {
    const p = problem(9);
    const pi = greedyLinearPolicy(
      p.m,
      p.thetaStar.map((v) => v * p.beta),
    );
    expect(p.vStar - trueValue(p, pi)).toBeCloseTo(0, 12);
  });
});
