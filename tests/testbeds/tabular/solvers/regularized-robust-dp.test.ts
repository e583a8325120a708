import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { linearRewards, randomLinearMdp } from '../../../../src/testbeds/tabular/env/linear-mdp';
import {
  klToReferenceRow,
  robustRegularizedDRectangular,
  uniformReference,
} from '../../../../src/testbeds/tabular/solvers/regularized-robust-dp';
import { robustDRectangular } from '../../../../src/testbeds/tabular/solvers/robust-value-iteration';

const instance = (seed: number) =>
  randomLinearMdp(new Rng(seed), {
    nS: 6,
    nA: 3,
    d: 4,
    H: 4,
    featureConcentration: 0.5,
    factorConcentration: 0.7,
    denseRewards: true,
  });

/** A random time-indexed stochastic policy (softmax of normal logits). */
function randomPolicy(rng: Rng, H: number, nS: number, nA: number, scale: number): Float64Array {
  const pi = new Float64Array(H * nS * nA);
  for (let row = 0; row < H * nS; row++) {
    const l = rng.normals(nA, 0, scale);
    let z = 0;
    for (let a = 0; a < nA; a++) z += pi[row * nA + a] = Math.exp(l[a]);
    for (let a = 0; a < nA; a++) pi[row * nA + a] /= z;
  }
  return pi;
}

describe('regularised d-rectangular robust DP', () => {
  it('β = 0 reproduces robustDRectangular (optimum and fixed policies)', () => {
    const m = instance(1);
    const ref = uniformReference(m.nS, m.nA);
    for (const rho of [0, 0.2, 0.6]) {
      const a = robustRegularizedDRectangular(m, rho, 0, ref);
      const b = robustDRectangular(m, rho);
      expect(a.value).toBeCloseTo(b.value, 12);
      for (let k = 0; k < a.Q.length; k++) expect(a.Q[k]).toBeCloseTo(b.Q[k], 12);
      const pi = randomPolicy(new Rng(2), m.H, m.nS, m.nA, 1);
      expect(robustRegularizedDRectangular(m, rho, 0, ref, pi).value).toBeCloseTo(
        robustDRectangular(m, rho, pi).value,
        12,
      );
    }
  });

  it('H = 1: the optimum is the log-sum-exp β log Σ π_ref exp(r/β) and π⋆ ∝ π_ref exp(r/β)', () => {
    const m = { ...instance(3), H: 1 };
    const mm = { ...m, mu: m.mu.slice(0, m.d * m.nS), theta: m.theta.slice(0, m.d) };
    const r = linearRewards(mm);
    const ref = new Float64Array(mm.nS * mm.nA);
    const rng = new Rng(4);
    for (let s = 0; s < mm.nS; s++) ref.set(rng.dirichlet(mm.nA, 1), s * mm.nA);
    const beta = 0.3;
    const sol = robustRegularizedDRectangular(mm, 0.4, beta, ref);
    let value = 0;
    for (let s = 0; s < mm.nS; s++) {
      let z = 0;
      for (let a = 0; a < mm.nA; a++) z += ref[s * mm.nA + a] * Math.exp(r[s * mm.nA + a] / beta);
      value += mm.init[s] * beta * Math.log(z);
      for (let a = 0; a < mm.nA; a++)
        expect(sol.policy[s * mm.nA + a]).toBeCloseTo((ref[s * mm.nA + a] * Math.exp(r[s * mm.nA + a] / beta)) / z, 12);
    }
    expect(sol.value).toBeCloseTo(value, 12);
  });

  it('the optimum is attained by π⋆ and no random policy beats it (brute force)', () => {
    const m = instance(5);
    const ref = uniformReference(m.nS, m.nA);
    for (const [rho, beta] of [
      [0.3, 0.1],
      [0, 0.5],
      [0.5, 0.02],
    ]) {
      const opt = robustRegularizedDRectangular(m, rho, beta, ref);
      expect(robustRegularizedDRectangular(m, rho, beta, ref, opt.policy).value).toBeCloseTo(opt.value, 12);
      const rng = new Rng(6);
      for (let k = 0; k < 200; k++) {
        const pi = randomPolicy(rng, m.H, m.nS, m.nA, 3);
        expect(robustRegularizedDRectangular(m, rho, beta, ref, pi).value).toBeLessThanOrEqual(opt.value + 1e-12);
      }
    }
  });

  it('a larger radius never raises a fixed policy’s value; the KL term is β·KL to the reference', () => {
    const m = instance(7);
    const ref = uniformReference(m.nS, m.nA);
    const pi = randomPolicy(new Rng(8), m.H, m.nS, m.nA, 1);
    let prev = Infinity;
    for (const rho of [0, 0.1, 0.3, 0.7, 1]) {
      const v = robustRegularizedDRectangular(m, rho, 0.2, ref, pi).value;
      expect(v).toBeLessThanOrEqual(prev + 1e-12);
      prev = v;
    }
    expect(klToReferenceRow([0.5, 0.5, 0], 0, [1 / 3, 1 / 3, 1 / 3], 0, 3)).toBeCloseTo(Math.log(1.5), 14);
    expect(klToReferenceRow([0, 1], 0, [1, 0], 0, 2)).toBe(Infinity);
  });
});
