import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  CELL,
  entryRewards,
  gridReward,
  knoxRewardWeights,
  makeGridworld,
  randomDeliveryWorld,
} from '../../../../src/testbeds/tabular/env/gridworld';
import { randomMDP } from '../../../../src/testbeds/tabular/env/mdp';
import { expectedReward, policyEvaluation, valueIteration } from '../../../../src/testbeds/tabular/solvers/exact';
import { successorFeatures, successorFeaturesDeterministic } from '../../../../src/testbeds/tabular/solvers/occupancy';
import {
  evaluateDeterministic,
  greedyPolicyWithTies,
  policyIteration,
  policyIterationDeterministic,
} from '../../../../src/testbeds/tabular/solvers/policy-iteration';

describe('gridworld', () => {
  it('builds transitions, slips and features as specified', () => {
    // 1×3 corridor: goal | empty | coin.
    const w = makeGridworld({ height: 1, width: 3, cells: [CELL.goal, CELL.empty, CELL.coin], gamma: 0.9, slip: 0.2 });
    expect(w.nS).toBe(3);
    expect(Array.from(w.terminal)).toEqual([1, 0, 0]);
    // From the middle cell, 'left' reaches the goal w.p. 1 − 0.2 + 0.2/4 = 0.85, 'right' the coin w.p. 0.05,
    // and stays w.p. 0.1 (up/down bump).
    const r = 1 * 4 + 2; // (s = 1, left)
    const succ: Record<number, number> = {};
    for (let k = w.T.rowPtr[r]; k < w.T.rowPtr[r + 1]; k++) succ[w.T.col[k]] = w.T.prob[k];
    expect(succ[0]).toBeCloseTo(0.85, 12);
    expect(succ[2]).toBeCloseTo(0.05, 12);
    expect(succ[1]).toBeCloseTo(0.1, 12);
    // Features: entering the goal = alive + goal; entering the coin = alive + coin; bump = alive only; terminal = 0.
    const rewards = entryRewards(w, [1, 10, 100, 1000, 0, 0]);
    for (let k = w.T.rowPtr[r]; k < w.T.rowPtr[r + 1]; k++) {
      const sp = w.T.col[k];
      expect(rewards[k]).toBe(sp === 0 ? 11 : sp === 2 ? 1001 : 1);
    }
    const term = gridReward(w, [1, 10, 100, 1000, 0, 0]);
    for (let a = 0; a < 4; a++) expect(term[0 * 4 + a]).toBe(0);
  });

  it("codes the authors' delivery rewards with the alive feature", () => {
    const w = knoxRewardWeights({ goal: 5, sheep: -50, roadblock: -2 });
    const world = makeGridworld({
      height: 1,
      width: 5,
      cells: [CELL.goal, CELL.empty, CELL.coin, CELL.roadblock, CELL.sheep],
      gamma: 0.999,
    });
    const r = gridReward(world, w);
    const left = (s: number) => r[s * 4 + 2],
      right = (s: number) => r[s * 4 + 3];
    expect(left(1)).toBe(5); // into the goal
    expect(right(1)).toBe(0); // into the coin: −1 + 1
    expect(right(2)).toBe(-3); // into the roadblock: −1 − 2
    expect(right(3)).toBe(-50); // into the sheep
    expect(left(2)).toBe(-1); // into an empty cell
    expect(r[1 * 4 + 0]).toBe(-1); // bump
  });

  it('continuing traps: goal and sheep are absorbing, not terminal, and pay their reward every step', () => {
    const w = makeGridworld({
      height: 1,
      width: 3,
      cells: [CELL.goal, CELL.empty, CELL.sheep],
      gamma: 0.9,
      traps: 'continuing',
    });
    expect(Array.from(w.terminal)).toEqual([0, 0, 0]);
    expect(Array.from(w.trap)).toEqual([1, 0, 1]);
    expect(Array.from(w.startStates)).toEqual([1]);
    const r = gridReward(w, [-0.1, 1.1, -0.9, 0, 0, 0]);
    for (let a = 0; a < 4; a++) {
      expect(r[0 * 4 + a]).toBeCloseTo(1, 12); // staying in the goal: +1 per step
      expect(r[2 * 4 + a]).toBeCloseTo(-1, 12); // staying with the sheep: −1 per step
      expect(w.T.col[w.T.rowPtr[0 * 4 + a]]).toBe(0);
    }
    expect(r[1 * 4 + 2]).toBeCloseTo(1, 12); // entering the goal
  });

  it('random delivery worlds are valid MDPs', () => {
    for (let i = 0; i < 5; i++) {
      const { world, w } = randomDeliveryWorld(new Rng(100 + i));
      expect(world.startStates.length).toBeGreaterThan(0);
      expect(world.next).not.toBeNull();
      expect(w.length).toBe(world.nF);
    }
  });
});

describe('policy iteration and successor features', () => {
  it('evaluates deterministic policies exactly (functional graph = dense linear solve)', () => {
    const rng = new Rng(3);
    const nS = 40;
    const next = new Int32Array(nS).map(() => rng.int(nS));
    const r = Float64Array.from({ length: nS }, () => rng.normal());
    const V = evaluateDeterministic(next, r, 1, 0.999);
    for (let s = 0; s < nS; s++) expect(Math.abs(V[s] - (r[s] + 0.999 * V[next[s]]))).toBeLessThan(1e-9);
  });

  it('finds the optimal policy of a deterministic gridworld (agrees with value iteration)', () => {
    const { world, w } = randomDeliveryWorld(new Rng(11), { gamma: 0.95 });
    const rbar = gridReward(world, w);
    const pi = policyIterationDeterministic(world.next as Int32Array, rbar, 4, world.gamma);
    const vi = valueIteration(world, rbar, { tol: 1e-11 });
    for (let s = 0; s < world.nS; s++) expect(Math.abs(pi.V[s] - vi.V[s])).toBeLessThan(1e-8);
    // Successor features: V = w·ψ.
    const psi = successorFeaturesDeterministic(
      world.next as Int32Array,
      4,
      world.phiSA,
      world.nF,
      pi.policy,
      world.gamma,
    );
    const psiDense = successorFeatures(world, world.phiSA, world.nF, pi.policy);
    for (let s = 0; s < world.nS; s++) {
      let v = 0;
      for (let f = 0; f < world.nF; f++) {
        v += w[f] * psi[s * world.nF + f];
        expect(Math.abs(psi[s * world.nF + f] - psiDense[s * world.nF + f])).toBeLessThan(1e-8);
      }
      expect(Math.abs(v - pi.V[s])).toBeLessThan(1e-8);
    }
  });

  it('general policy iteration agrees with value iteration on random stochastic MDPs', () => {
    const mdp = randomMDP(new Rng(5), { nS: 15, nA: 3, gamma: 0.9, branching: 3 });
    const rbar = expectedReward(mdp, mdp.R);
    const pi = policyIteration(mdp, rbar);
    const vi = valueIteration(mdp, rbar, { tol: 1e-12 });
    for (let s = 0; s < mdp.nS; s++) expect(Math.abs(pi.V[s] - vi.V[s])).toBeLessThan(1e-9);
  });

  it('greedyPolicyWithTies spreads mass over tied actions', () => {
    const pi = greedyPolicyWithTies(Float64Array.from([1, 1, 0, 0, 0, 0, 2, 0]), 2, 4);
    expect(Array.from(pi)).toEqual([0.5, 0.5, 0, 0, 0, 0, 1, 0]);
    const mdp = randomMDP(new Rng(1), { nS: 6, nA: 2, gamma: 0.9 });
    const V = policyEvaluation(mdp, mdp.R, greedyPolicyWithTies(new Float64Array(12), 6, 2));
    expect(V.length).toBe(6);
  });
});
