import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { randomFiniteHorizonMdp, sampleNextState } from '../../../../src/testbeds/tabular/env/finite-horizon';
import {
  effectiveHorizonAnalysis,
  finiteHorizonOptimalReturn,
  timeIndexedPolicyReturn,
} from '../../../../src/testbeds/tabular/solvers/effective-horizon';
import { finiteHorizonQLearning, sqirl } from '../../../../src/testbeds/tabular/methods/sqirl';

describe('SQIRL and finite-horizon Q-learning', () => {
  it('sampleNextState follows the transition row', () => {
    const m = randomFiniteHorizonMdp(new Rng(1), { nS: 5, nA: 2, T: 3, branching: 3, rewardDensity: 1 });
    const rng = new Rng(2);
    const counts = new Float64Array(5);
    const n = 40000;
    for (let i = 0; i < n; i++) counts[sampleNextState(m, rng, 2, 1)]++;
    for (let sp = 0; sp < 5; sp++) expect(Math.abs(counts[sp] / n - m.P[(2 * 2 + 1) * 5 + sp])).toBeLessThan(0.01);
  });

  it('with many rollouts, SQIRL at k ≥ k_min returns an optimal policy, and uses m·T² steps', () => {
    let tested = 0;
    for (let seed = 0; seed < 6; seed++) {
      const m = randomFiniteHorizonMdp(new Rng(10 + seed), { nS: 4, nA: 2, T: 3, branching: 2, rewardDensity: 1 });
      const { kMin } = effectiveHorizonAnalysis(m);
      const { policy, steps } = sqirl(m, new Rng(seed), { k: kMin, m: 20000 });
      expect(steps).toBe(20000 * m.T * m.T);
      expect(timeIndexedPolicyReturn(m, policy)).toBeCloseTo(finiteHorizonOptimalReturn(m), 9);
      tested++;
    }
    expect(tested).toBe(6);
  });

  it('SQIRL with k = T is fitted value iteration and solves an MDP whose k_min is T', () => {
    // A two-state trap: action 1 pays 0.1 now but leads to a dead state; action 0 pays 0 but reaches reward 1.
    const nS = 3;
    const P = new Float64Array(nS * 2 * nS);
    const r = new Float64Array(nS * 2);
    P[(0 * 2 + 0) * nS + 1] = 1;
    P[(0 * 2 + 1) * nS + 2] = 1;
    P[(1 * 2 + 0) * nS + 2] = 1;
    P[(1 * 2 + 1) * nS + 2] = 1;
    P[(2 * 2 + 0) * nS + 2] = 1;
    P[(2 * 2 + 1) * nS + 2] = 1;
    r[0 * 2 + 1] = 0.6;
    r[1 * 2 + 0] = 1;
    const m = { nS, nA: 2, T: 2, P, r, init: Float64Array.from([1, 0, 0]) };
    expect(effectiveHorizonAnalysis(m).kMin).toBe(2);
    const k1 = sqirl(m, new Rng(1), { k: 1, m: 2000 });
    const k2 = sqirl(m, new Rng(1), { k: 2, m: 2000 });
    expect(timeIndexedPolicyReturn(m, k1.policy)).toBeCloseTo(0.6, 12);
    expect(timeIndexedPolicyReturn(m, k2.policy)).toBeCloseTo(1, 12);
  });

  it('Q-learning reaches an optimal greedy policy and stops when told to', () => {
    const m = randomFiniteHorizonMdp(new Rng(5), { nS: 4, nA: 2, T: 3, branching: 2, rewardDensity: 1 });
    const Js = finiteHorizonOptimalReturn(m);
    let solvedAt = -1;
    const used = finiteHorizonQLearning(m, new Rng(7), { epsilon: 0.3, budget: 200000, evalEvery: 300 }, (s, pi) => {
      if (timeIndexedPolicyReturn(m, pi) >= Js - 1e-9) {
        solvedAt = s;
        return true;
      }
      return false;
    });
    expect(solvedAt).toBeGreaterThan(0);
    expect(used).toBe(solvedAt);
  });
});
