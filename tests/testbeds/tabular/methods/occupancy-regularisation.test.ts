import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { randomEnv, type TabularEnv } from '../../../../src/testbeds/tabular/env/mdp';
import {
  actionKl,
  chi2BaseThreshold,
  chiSquared,
  flowResidual,
  klDivergence,
  normalisedOccupancy,
  occupancyReturn,
  solveActionKlRegularised,
  solveChi2Quadratic,
  solveChi2Regularised,
  solveKlOccupancyRegularised,
} from '../../../../src/testbeds/tabular/methods/occupancy-regularisation';
import { softmaxPolicy } from '../../../../src/testbeds/tabular/policies/softmax';
import { policyReturn, valueIteration } from '../../../../src/testbeds/tabular/solvers/exact';

function problem(seed: number, nS = 12, nA = 3, gamma = 0.9) {
  const rng = new Rng(seed);
  const env = randomEnv(rng.split('env'), { nS, nA, gamma, branching: 3, init: 'single' });
  const r = rng.split('r').normals(nS * nA);
  const piBase = softmaxPolicy(nS, nA, rng.split('base').normals(nS * nA));
  const nu = normalisedOccupancy(env, piBase);
  return { env, r, piBase, nu };
}

/** max_π J(π, r) (normalised) and the normalised return of π under r. */
function optimalNormalised(env: TabularEnv, r: Float64Array): number {
  const vi = valueIteration(env, r, { tol: 1e-13 });
  let J = 0;
  for (let s = 0; s < env.nS; s++) J += env.init[s] * vi.V[s];
  return (1 - env.gamma) * J;
}

/** Random stationary policies' occupancies (for "no better feasible point" checks). */
function randomOccupancies(env: TabularEnv, n: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  return Array.from({ length: n }, (_, i) =>
    normalisedOccupancy(env, softmaxPolicy(env.nS, env.nA, rng.split(i).normals(env.nS * env.nA, 0, 2))),
  );
}

describe('normalised occupancy', () => {
  it('sums to 1, satisfies the flow constraints, and gives J = ⟨μ, r⟩ = (1−γ) J_discounted', () => {
    const { env, r, piBase, nu } = problem(1);
    expect(nu.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(Math.max(...Array.from(flowResidual(env, nu), Math.abs))).toBeLessThan(1e-13);
    expect(occupancyReturn(nu, r)).toBeCloseTo((1 - env.gamma) * policyReturn(env, r, piBase), 12);
  });
});

describe('χ² occupancy regularisation', () => {
  it('the quadratic optimum satisfies its optimality condition: μ⋆ is an optimal occupancy for r − κ μ⋆/ν', () => {
    const { env, r, nu } = problem(2);
    for (const kappa of [0.05, 0.3, 2]) {
      const sol = solveChi2Quadratic(env, r, nu, kappa);
      expect(sol.residual).toBeLessThan(1e-10);
      const raug = Float64Array.from(r, (x, i) => x - (kappa * sol.mu[i]) / nu[i]);
      expect(occupancyReturn(sol.mu, raug)).toBeCloseTo(optimalNormalised(env, raug), 8);
      // And no random occupancy does better on the regularised objective.
      const F = (mu: Float64Array) => occupancyReturn(mu, r) - (kappa / 2) * chiSquared(mu, nu);
      for (const mu of randomOccupancies(env, 30, 3)) expect(F(mu)).toBeLessThanOrEqual(F(sol.mu) + 1e-10);
    }
  });

  it('the √χ² optimum satisfies its optimality condition: μ⋆ is optimal for r − λ μ⋆/(ν √χ²(μ⋆‖ν))', () => {
    const { env, r, nu } = problem(4);
    const lb = chi2BaseThreshold(env, r, nu);
    for (const frac of [0.05, 0.3, 0.8]) {
      const lambda = frac * lb;
      const sol = solveChi2Regularised(env, r, nu, lambda);
      expect(sol.atBase).toBe(false);
      const c = Math.sqrt(chiSquared(sol.mu, nu));
      expect(c).toBeGreaterThan(0);
      const raug = Float64Array.from(r, (x, i) => x - (lambda * sol.mu[i]) / (nu[i] * c));
      expect(occupancyReturn(sol.mu, raug)).toBeCloseTo(optimalNormalised(env, raug), 7);
      const F = (mu: Float64Array) => occupancyReturn(mu, r) - lambda * Math.sqrt(chiSquared(mu, nu));
      for (const mu of [nu, ...randomOccupancies(env, 30, 5)]) expect(F(mu)).toBeLessThanOrEqual(F(sol.mu) + 1e-9);
    }
  });

  it(
    'reduces to the base policy as λ grows: √χ² shrinks with λ and the optimum is exactly ν for λ ≥ λ_base ' +
      '(≤ σ_ν(r))',
    () => {
      const { env, r, nu, piBase } = problem(6);
      const lb = chi2BaseThreshold(env, r, nu);
      let m = 0,
        v = 0;
      for (let i = 0; i < r.length; i++) m += nu[i] * r[i];
      for (let i = 0; i < r.length; i++) v += nu[i] * (r[i] - m) ** 2;
      expect(lb).toBeGreaterThan(0);
      expect(lb).toBeLessThanOrEqual(Math.sqrt(v) + 1e-12);
      let prev = Infinity;
      for (const frac of [0.02, 0.1, 0.4, 0.9, 0.999]) {
        const s = solveChi2Regularised(env, r, nu, frac * lb);
        expect(s.sqrtChi2).toBeLessThanOrEqual(prev + 1e-9);
        prev = s.sqrtChi2;
      }
      for (const lam of [lb, 1.5 * lb, 100 * lb]) {
        const s = solveChi2Regularised(env, r, nu, lam);
        expect(s.atBase).toBe(true);
        for (let i = 0; i < nu.length; i++) expect(s.mu[i]).toBeCloseTo(nu[i], 12);
        for (let i = 0; i < piBase.length; i++) expect(s.pi[i]).toBeCloseTo(piBase[i], 12);
      }
      // At λ = 0 it is the unregularised optimum.
      const s0 = solveChi2Regularised(env, r, nu, 0);
      expect(occupancyReturn(s0.mu, r)).toBeCloseTo(optimalNormalised(env, r), 10);
    },
  );

  it('the policy read off the dual solution has exactly that occupancy', () => {
    const { env, r, nu } = problem(7);
    const s = solveChi2Regularised(env, r, nu, 0.2 * chi2BaseThreshold(env, r, nu));
    for (let i = 0; i < nu.length; i++) expect(s.mu[i]).toBeCloseTo(s.muDual[i], 9);
  });
});

describe('KL regularisation', () => {
  it('KL occupancy: μ⋆ is optimal for r − λ (log(μ⋆/ν) + 1) and beats random occupancies', () => {
    const { env, r, nu } = problem(8);
    for (const lambda of [0.02, 0.3, 3]) {
      const s = solveKlOccupancyRegularised(env, r, nu, lambda);
      expect(s.residual).toBeLessThan(1e-10);
      const raug = Float64Array.from(r, (x, i) => x - lambda * (Math.log(s.mu[i] / nu[i]) + 1));
      expect(occupancyReturn(s.mu, raug)).toBeCloseTo(optimalNormalised(env, raug), 8);
      const F = (mu: Float64Array) => occupancyReturn(mu, r) - lambda * klDivergence(mu, nu);
      for (const mu of randomOccupancies(env, 30, 9)) expect(F(mu)).toBeLessThanOrEqual(F(s.mu) + 1e-10);
    }
  });

  it(
    'action-distribution KL: the soft-optimal policy beats random policies on J − λ E_μ[KL(π‖π_base)] and tends to ' +
      'π_base as λ grows',
    () => {
      const { env, r, nu, piBase } = problem(10);
      for (const lambda of [0.05, 0.5, 5]) {
        const s = solveActionKlRegularised(env, r, piBase, lambda);
        const F = (pi: Float64Array) => {
          const mu = normalisedOccupancy(env, pi);
          return occupancyReturn(mu, r) - lambda * actionKl(env, mu, pi, piBase);
        };
        // The value function is the regularised objective: (1−γ) V(s0) = F(π⋆).
        expect((1 - env.gamma) * s.V[0]).toBeCloseTo(F(s.pi), 9);
        const rng = new Rng(11);
        for (let k = 0; k < 30; k++)
          expect(F(softmaxPolicy(env.nS, env.nA, rng.split(k).normals(env.nS * env.nA, 0, 2)))).toBeLessThanOrEqual(
            F(s.pi) + 1e-10,
          );
      }
      const big = solveActionKlRegularised(env, r, piBase, 1e4);
      let d = 0;
      for (let i = 0; i < nu.length; i++) d = Math.max(d, Math.abs(big.mu[i] - nu[i]));
      expect(d).toBeLessThan(1e-3);
    },
  );
});
