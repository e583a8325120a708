import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { riskyShortcutLinearMdp } from '../../../../src/testbeds/tabular/env/risky-shortcut';
import {
  makeRegularizedRobustProblem,
  regularizedMirrorStep,
  runDrRpo,
  tvRidgeEstimate,
} from '../../../../src/testbeds/tabular/methods/robust-regularized-policy-optimization';
import { uniformReference } from '../../../../src/testbeds/tabular/solvers/regularized-robust-dp';
import { tvWorstCaseDual } from '../../../../src/testbeds/tabular/solvers/robust-value-iteration';

describe('DR-RPO pieces', () => {
  it('with one-hot features and exact counts the ridge TV estimate tends to the exact worst case', () => {
    const d = 3,
      nS = 5,
      n = 1e9;
    const rng = new Rng(1);
    const mu = Array.from({ length: d }, () => rng.dirichlet(nS, 1));
    const V = rng.normals(nS);
    const b = new Float64Array(d * nS);
    const Linv = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let s = 0; s < nS; s++) b[i * nS + s] = n * mu[i][s];
      Linv[i * d + i] = 1 / (1 + n); // Λ = λI + n·e_i e_iᵀ with λ = 1
    }
    for (const rho of [0, 0.1, 0.4, 0.9]) {
      const out = new Float64Array(d);
      tvRidgeEstimate(Linv, b, d, nS, V, rho, out);
      for (let i = 0; i < d; i++) expect(out[i]).toBeCloseTo(tvWorstCaseDual(mu[i], V, rho), 6);
    }
  });

  it('the mirror step maximises η[⟨q, p⟩ − β KL(p‖π_ref)] − KL(p‖π) over the simplex', () => {
    const rng = new Rng(2);
    const nA = 4;
    const kl = (p: ArrayLike<number>, q: ArrayLike<number>) => {
      let v = 0;
      for (let a = 0; a < nA; a++) if (p[a] > 0) v += p[a] * Math.log(p[a] / q[a]);
      return v;
    };
    for (const [eta, beta] of [
      [0.5, 0.1],
      [2, 0],
      [0.05, 3],
    ]) {
      const pi = rng.dirichlet(nA, 1),
        ref = rng.dirichlet(nA, 1),
        q = rng.normals(nA);
      const obj = (p: ArrayLike<number>) => {
        let v = 0;
        for (let a = 0; a < nA; a++) v += q[a] * p[a];
        return eta * (v - beta * kl(p, ref)) - kl(p, pi);
      };
      const out = new Float64Array(nA);
      regularizedMirrorStep(pi, ref, q, eta, beta, out);
      expect(out.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
      const best = obj(out);
      for (let k = 0; k < 300; k++) expect(obj(rng.dirichlet(nA, 0.5))).toBeLessThanOrEqual(best + 1e-12);
    }
  });

  it('runs are pure functions of the seed, regrets are ≥ 0 and the robust learner improves', () => {
    const m = riskyShortcutLinearMdp({ H: 5, pWin: 0.4, rSafe: 0.3 });
    const p = makeRegularizedRobustProblem(m, 0.3, 0.05, uniformReference(m.nS, m.nA));
    const o = { episodes: 300, rho: 0.3, beta: 0.05, eta: 0.05, bonus: 1, lambda: 1, greedy: false };
    const a = runDrRpo(p, o, new Rng(3));
    const b = runDrRpo(p, o, new Rng(3));
    expect(Array.from(a.regret)).toEqual(Array.from(b.regret));
    for (const x of a.regret) expect(x).toBeGreaterThan(-1e-12);
    for (const x of a.robustRegret) expect(x).toBeGreaterThan(-1e-12);
    const mean = (x: Float64Array, from: number, to: number) =>
      x.subarray(from, to).reduce((s, v) => s + v, 0) / (to - from);
    expect(mean(a.regret, 250, 300)).toBeLessThan(mean(a.regret, 0, 50));
    const g = runDrRpo(p, { ...o, greedy: true }, new Rng(3));
    for (const row of [0, 1]) expect(g.finalPolicy.subarray(row * 3, row * 3 + 3).reduce((s, v) => s + v, 0)).toBe(1);
  });
});
