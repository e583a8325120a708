import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { benchValueIteration } from '../../../../src/testbeds/tabular/bench';
import {
  denseTransitions,
  fromDenseTransitions,
  makeEnv,
  randomEnv,
  randomReward,
  sasIndex,
  transitionProb,
  uniformPolicy,
  validateEnv,
} from '../../../../src/testbeds/tabular/env/mdp';
import { potentialShaping, randomPotential } from '../../../../src/testbeds/tabular/env/shaping';
import {
  expectedReturn,
  expectedReward,
  normalisedRegret,
  occupancy,
  policyEvaluation,
  policyReturn,
  returnRange,
  valueIteration,
} from '../../../../src/testbeds/tabular/solvers/exact';

/**
 * Hand-solved 3-state, 2-action MDP, γ = 0.9, μ₀ uniform.
 *   s0, a0: reward 0, → s1 w.p. ½, → s2 w.p. ½          s0, a1: reward ½, stay in s0
 *   s1, a0: reward 1, stay in s1                          s1, a1: reward 0, stay in s1
 *   s2, a0: reward 0, → s0                                s2, a1: reward −1, → s1
 * Closed form (optimal): V*(s1) = 1/(1−γ) = 10 (a0); V*(s2) = max(γV*(s0), −1 + γ·10) = 8 (a1);
 * V*(s0) = max(γ(½·10 + ½·8), ½ + γV*(s0)) = 0.9·9 = 8.1 (a0). Check the alternatives:
 * Q*(s0,a1) = ½ + 0.9·8.1 = 7.79 < 8.1, Q*(s2,a0) = 0.9·8.1 = 7.29 < 8, Q*(s1,a1) = 0.9·10 = 9 < 10.
 * Worst (min) values: Vmin(s1) = 0 (a1), Vmin(s2) = min(γVmin(s0), −1) = −1 (a1),
 * Vmin(s0) = min(γ(½·0 + ½·(−1)), ½ + γVmin(s0)) = −0.45 (a0); check 0.9·(−0.45) = −0.405 > −1.
 */
function handMDP() {
  const nS = 3,
    nA = 2,
    gamma = 0.9;
  const T = new Float64Array(nS * nA * nS);
  const R = new Float64Array(nS * nA * nS);
  const set = (s: number, a: number, sp: number, p: number, r: number) => {
    T[sasIndex(nS, nA, s, a, sp)] = p;
    R[sasIndex(nS, nA, s, a, sp)] = r;
  };
  set(0, 0, 1, 0.5, 0);
  set(0, 0, 2, 0.5, 0);
  set(0, 1, 0, 1, 0.5);
  set(1, 0, 1, 1, 1);
  set(1, 1, 1, 1, 0);
  set(2, 0, 0, 1, 0);
  set(2, 1, 1, 1, -1);
  return { env: makeEnv({ nS, nA, gamma, T }), R };
}

describe('tabular MDP representation', () => {
  it('round-trips dense ↔ CSR transitions and validates random environments', () => {
    const env = randomEnv(new Rng(1), { nS: 20, nA: 3, gamma: 0.95, branching: 4, alpha: 0.5 });
    validateEnv(env);
    const dense = denseTransitions(env.T);
    const back = fromDenseTransitions(20, 3, dense);
    expect(Array.from(back.rowPtr)).toEqual(Array.from(env.T.rowPtr));
    expect(Array.from(back.col)).toEqual(Array.from(env.T.col));
    for (let s = 0; s < 20; s++)
      for (let a = 0; a < 3; a++)
        for (let sp = 0; sp < 20; sp++) {
          expect(transitionProb(env.T, s, a, sp)).toBe(dense[sasIndex(20, 3, s, a, sp)]);
        }
    expect(env.T.rowPtr[60]).toBe(60 * 4);
  });

  it('is deterministic given the seed', () => {
    const a = randomEnv(new Rng(7).split('env'), { nS: 30, nA: 4, gamma: 0.9, branching: 5 });
    const b = randomEnv(new Rng(7).split('env'), { nS: 30, nA: 4, gamma: 0.9, branching: 5 });
    expect(Array.from(a.T.prob)).toEqual(Array.from(b.T.prob));
    expect(Array.from(a.T.col)).toEqual(Array.from(b.T.col));
  });

  it('rejects malformed inputs with a message naming the problem', () => {
    expect(() => makeEnv({ nS: 2, nA: 1, gamma: 1, T: [1, 0, 0, 1] })).toThrow(/gamma/);
    expect(() => makeEnv({ nS: 2, nA: 1, gamma: 0.5, T: [0.5, 0, 0, 1] })).toThrow(/sum to 0.5/);
  });
});

describe('value iteration', () => {
  it('matches the hand-solved 3-state MDP to 1e-9', () => {
    const { env, R } = handMDP();
    for (const sweep of ['gauss-seidel', 'jacobi'] as const) {
      const res = valueIteration(env, R, { tol: 1e-12, sweep });
      expect(res.converged).toBe(true);
      const Vstar = [8.1, 10, 8];
      const Qstar = [8.1, 7.79, 10, 9, 7.29, 8];
      for (let s = 0; s < 3; s++) expect(Math.abs(res.V[s] - Vstar[s])).toBeLessThan(1e-9);
      for (let i = 0; i < 6; i++) expect(Math.abs(res.Q[i] - Qstar[i])).toBeLessThan(1e-9);
      expect(Array.from(res.policy)).toEqual([0, 0, 1]);
    }
    const worst = valueIteration(env, R, { tol: 1e-12, sense: 'min' });
    const Vmin = [-0.45, 0, -1];
    for (let s = 0; s < 3; s++) expect(Math.abs(worst.V[s] - Vmin[s])).toBeLessThan(1e-9);
    expect(Array.from(worst.policy)).toEqual([0, 1, 1]);
  });

  it('gives max/min returns and normalised regret on the hand-solved MDP', () => {
    const { env, R } = handMDP();
    const rr = returnRange(env, R);
    expect(rr.max).toBeCloseTo((8.1 + 10 + 8) / 3, 10);
    expect(rr.min).toBeCloseTo((-0.45 + 0 - 1) / 3, 10);
    // π = (a1, a0, a0): V = (½/(1−γ), 10, γ·5) = (5, 10, 4.5), J = 6.5.
    const pi = new Int32Array([1, 0, 0]);
    expect(policyReturn(env, R, pi)).toBeCloseTo(6.5, 12);
    expect(normalisedRegret(env, R, pi)).toBeCloseTo((8.7 - 6.5) / (8.7 + 1.45 / 3), 10);
    expect(normalisedRegret(env, R, rr.bestPolicy)).toBe(0);
    expect(normalisedRegret(env, R, rr.worstPolicy)).toBeCloseTo(1, 12);
  });

  it('stops within tol of the exact value of its greedy policy on a random MDP', () => {
    const rng = new Rng(3);
    const env = randomEnv(rng.split('env'), { nS: 40, nA: 4, gamma: 0.95, branching: 6 });
    const R = randomReward(rng.split('r'), env);
    const gs = valueIteration(env, R, { tol: 1e-9 });
    const jac = valueIteration(env, R, { tol: 1e-9, sweep: 'jacobi' });
    const exact = policyEvaluation(env, R, gs.policy);
    for (let s = 0; s < env.nS; s++) {
      expect(Math.abs(gs.V[s] - exact[s])).toBeLessThan(1e-9);
      expect(Math.abs(jac.V[s] - exact[s])).toBeLessThan(1e-9);
    }
    expect(Array.from(jac.policy)).toEqual(Array.from(gs.policy));
    expect(gs.iterations).toBeLessThan(jac.iterations);
  });
});

describe('policy evaluation', () => {
  it('linear solve equals iterative evaluation (deterministic and stochastic policies)', () => {
    const rng = new Rng(11);
    const env = randomEnv(rng.split('env'), { nS: 25, nA: 3, gamma: 0.9, branching: 5 });
    const R = randomReward(rng.split('r'), env, { kind: 'sparse', density: 0.1 });
    const det = new Int32Array(env.nS).map(() => rng.int(env.nA));
    const sto = new Float64Array(env.nS * env.nA);
    for (let s = 0; s < env.nS; s++) sto.set(rng.dirichlet(env.nA, 1), s * env.nA);
    for (const pi of [det, sto, uniformPolicy(env)]) {
      const lin = policyEvaluation(env, R, pi, { method: 'linear' });
      const it = policyEvaluation(env, R, pi, { method: 'iterative', tol: 1e-12 });
      for (let s = 0; s < env.nS; s++) expect(Math.abs(lin[s] - it[s])).toBeLessThan(1e-9);
    }
  });

  it('occupancy measures reproduce returns: J(π) = Σ η(s,a) r̄(s,a), Σ η = 1/(1−γ)', () => {
    const rng = new Rng(12);
    const env = randomEnv(rng.split('env'), { nS: 15, nA: 3, gamma: 0.8, branching: 4, init: 'dirichlet' });
    const R = randomReward(rng.split('r'), env);
    const rbar = expectedReward(env, R);
    const pi = uniformPolicy(env);
    const eta = occupancy(env, pi);
    let j = 0,
      mass = 0;
    for (let i = 0; i < eta.length; i++) {
      j += eta[i] * rbar[i];
      mass += eta[i];
    }
    expect(mass).toBeCloseTo(1 / (1 - 0.8), 10);
    expect(j).toBeCloseTo(expectedReturn(env, policyEvaluation(env, R, pi)), 10);
  });
});

describe('potential shaping (Ng et al. 1999)', () => {
  it('leaves the optimal policy unchanged and shifts Q* by −Φ(s)', () => {
    const rng = new Rng(21);
    const env = randomEnv(rng.split('env'), { nS: 30, nA: 4, gamma: 0.9, branching: 5 });
    const R = randomReward(rng.split('r'), env);
    const Phi = randomPotential(rng.split('phi'), env.nS, 5, 2);
    const Rs = potentialShaping(env, R, Phi);
    const a = valueIteration(env, R, { tol: 1e-12 });
    const b = valueIteration(env, Rs, { tol: 1e-12 });
    expect(Array.from(b.policy)).toEqual(Array.from(a.policy));
    for (let s = 0; s < env.nS; s++) {
      expect(Math.abs(b.V[s] - (a.V[s] - Phi[s]))).toBeLessThan(1e-9);
      for (let k = 0; k < env.nA; k++) {
        const i = s * env.nA + k;
        expect(Math.abs(b.Q[i] - (a.Q[i] - Phi[s]))).toBeLessThan(1e-9);
      }
    }
    // Every policy's return shifts by the same constant −E_{μ₀}[Φ(S₀)].
    const shift = -expectedReturn(env, Phi);
    const pi = uniformPolicy(env);
    expect(policyReturn(env, Rs, pi) - policyReturn(env, R, pi)).toBeCloseTo(shift, 9);
  });
});

describe('benchmark', () => {
  it('runs value iteration on 1,000 × 10 and reports a median time', () => {
    const r = benchValueIteration({ runs: 3 });
    expect(r.ms).toBeGreaterThan(0);
    expect(r.detail).toMatch(/iterations/);
  });
});
