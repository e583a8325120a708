import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { CELL, gridReward, makeGridworld } from '../../../../src/testbeds/tabular/env/gridworld';
import { randomMDP } from '../../../../src/testbeds/tabular/env/mdp';
import { expectedReward, valueIteration } from '../../../../src/testbeds/tabular/solvers/exact';
import {
  softBellmanResidual,
  softPolicyEvaluation,
  softValueIteration,
} from '../../../../src/testbeds/tabular/solvers/soft-value-iteration';

describe('soft value iteration', () => {
  it('reaches the fixed point of the soft Bellman equation (residual ≤ 1e-9) on random MDPs', () => {
    for (let seed = 0; seed < 4; seed++) {
      const mdp = randomMDP(new Rng(seed), { nS: 12, nA: 3, gamma: 0.9, branching: 3 });
      const rbar = expectedReward(mdp, mdp.R);
      for (const alpha of [0.05, 1, 5]) {
        const res = softValueIteration(mdp, rbar, { alpha, tol: 1e-11 });
        expect(res.converged).toBe(true);
        expect(softBellmanResidual(mdp, rbar, res.V, alpha)).toBeLessThan(1e-9);
        // A* = α log π* and π* sums to one in every state.
        for (let s = 0; s < mdp.nS; s++) {
          let sum = 0;
          for (let a = 0; a < mdp.nA; a++) {
            sum += res.policy[s * mdp.nA + a];
            expect(res.A[s * mdp.nA + a]).toBeCloseTo(alpha * Math.log(res.policy[s * mdp.nA + a]), 10);
          }
          expect(Math.abs(sum - 1)).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('matches the closed form of a one-state MDP: V = α log Σ_a exp(r_a/α) / (1 − γ)', () => {
    const r = [1, -0.5, 2];
    const gamma = 0.8,
      alpha = 0.7;
    const env = {
      nS: 1,
      nA: 3,
      gamma,
      T: {
        nS: 1,
        nA: 3,
        rowPtr: Int32Array.from([0, 1, 2, 3]),
        col: Int32Array.from([0, 0, 0]),
        prob: Float64Array.from([1, 1, 1]),
      },
      init: Float64Array.from([1]),
    };
    const res = softValueIteration(env, Float64Array.from(r), { alpha, tol: 1e-13 });
    const lse = alpha * Math.log(r.reduce((s, x) => s + Math.exp(x / alpha), 0));
    expect(res.V[0]).toBeCloseTo(lse / (1 - gamma), 10);
    // π*(a) ∝ exp(r_a/α) here (the future value is the same for every action).
    const z = r.reduce((s, x) => s + Math.exp(x / alpha), 0);
    r.forEach((x, a) => expect(res.policy[a]).toBeCloseTo(Math.exp(x / alpha) / z, 12));
  });

  it('is the maximum-entropy value of its own policy, and tends to hard value iteration as α → 0', () => {
    const mdp = randomMDP(new Rng(7), { nS: 10, nA: 4, gamma: 0.85, branching: 2 });
    const rbar = expectedReward(mdp, mdp.R);
    const alpha = 0.3;
    const res = softValueIteration(mdp, rbar, { alpha, tol: 1e-12 });
    const Vpi = softPolicyEvaluation(mdp, rbar, res.policy, alpha);
    for (let s = 0; s < mdp.nS; s++) expect(Math.abs(Vpi[s] - res.V[s])).toBeLessThan(1e-9);
    const hard = valueIteration(mdp, rbar, { tol: 1e-12 });
    const small = 1e-3;
    const soft = softValueIteration(mdp, rbar, { alpha: small, tol: 1e-12 });
    // 0 ≤ V_soft − V* ≤ α log|A| / (1 − γ).
    for (let s = 0; s < mdp.nS; s++) {
      expect(soft.V[s] - hard.V[s]).toBeGreaterThanOrEqual(-1e-9);
      expect(soft.V[s] - hard.V[s]).toBeLessThanOrEqual((small * Math.log(4)) / (1 - 0.85) + 1e-9);
    }
  });

  it('holds the soft Bellman equation on a slippery gridworld with terminal states (V = 0 there)', () => {
    const cells = [0, 0, 0, 0, CELL.sheep, 0, 0, 0, CELL.goal];
    const world = makeGridworld({ height: 3, width: 3, cells, gamma: 0.95, slip: 0.1 });
    const rbar = gridReward(world, [-1, 10, -10, 0, 0, 0]);
    const res = softValueIteration(world, rbar, { alpha: 1, tol: 1e-12, terminal: world.terminal });
    expect(softBellmanResidual(world, rbar, res.V, 1, world.terminal)).toBeLessThan(1e-9);
    for (let s = 0; s < world.nS; s++) if (world.terminal[s]) expect(res.V[s]).toBe(0);
    // The cell next to the goal prefers moving into it.
    const nextToGoal = world.cellState[5];
    const pi = res.policy.subarray(nextToGoal * 4, nextToGoal * 4 + 4);
    expect(pi[1]).toBeGreaterThan(0.5); // down, into the goal at (2, 2)
  });
});
