import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { validateEnv } from '../../../src/testbeds/tabular/env/mdp';
import { valueIteration } from '../../../src/testbeds/tabular/solvers/exact';
import { greedyPolicyWithTies } from '../../../src/testbeds/tabular/solvers/policy-iteration';
import { episodeReturns, rollouts } from '../../../src/testbeds/tabular/loops/learners';
import { denseEntryReward } from '../../../src/testbeds/offline/env/tasks';
import {
  bernoulliBanditMdp,
  officialBanditBehaviour,
  officialBanditSpec,
} from '../../../src/testbeds/offline/env/bernoulli-bandit';
import { FROZEN_LAKE_4X4, frozenLake } from '../../../src/testbeds/offline/env/frozen-lake';
import {
  finiteHorizonStateValues,
  finiteHorizonValue,
  optimalFiniteHorizonValue,
} from '../../../src/testbeds/offline/solvers/finite-horizon';
import { collectMixture } from '../../../src/testbeds/offline/data/mixture';

const lake = frozenLake({ map: FROZEN_LAKE_4X4, noSlip: 1 / 3, gamma: 0.99 });
const still = frozenLake({ map: FROZEN_LAKE_4X4, noSlip: 1, gamma: 0.99 });

describe('the Bernoulli bandit of the official code', () => {
  const mdp = bernoulliBanditMdp(officialBanditSpec(0.1));
  it('is a valid MDP whose arms pay p and 1 − p; the behaviour earns 2p(1 − p)', () => {
    validateEnv(mdp.env);
    expect(finiteHorizonValue(mdp, Int32Array.from([0, 0, 0]), 1)).toBeCloseTo(0.1, 14);
    expect(finiteHorizonValue(mdp, Int32Array.from([1, 0, 0]), 1)).toBeCloseTo(0.9, 14);
    expect(finiteHorizonValue(mdp, officialBanditBehaviour(0.1), 1)).toBeCloseTo(2 * 0.1 * 0.9, 14);
    // Terminal states end the episode: more steps add nothing.
    expect(finiteHorizonValue(mdp, Int32Array.from([1, 0, 0]), 7)).toBeCloseTo(0.9, 14);
    expect(optimalFiniteHorizonValue(mdp, 1)).toBeCloseTo(0.9, 14);
  });
  it('rejects probabilities outside [0, 1]', () => {
    expect(() => bernoulliBanditMdp({ winProb: [0.5, 1.2], gamma: 0.9 })).toThrow(/\[0, 1\]/);
    expect(() => officialBanditSpec(0)).toThrow(/\(0, 1\)/);
  });
});

describe('the slippery FrozenLake', () => {
  it('is a valid MDP; the intended move has probability noSlip, each perpendicular one (1 − noSlip)/2', () => {
    validateEnv(lake.env);
    validateEnv(still.env);
    const { T, nA } = lake.env;
    // From cell (0, 1) = state 1, action down (1): down → 5 (a hole) w.p. 1/3, left → 0 and right → 2 w.p. 1/3.
    const row = 1 * nA + 1;
    const got: Record<number, number> = {};
    for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++) got[T.col[k]] = T.prob[k];
    expect(Object.keys(got).map(Number)).toEqual([0, 2, 5]);
    for (const sp of [0, 2, 5]) expect(got[sp]).toBeCloseTo(1 / 3, 15);
    // Off-grid moves stay: from state 0, action up (3) → up stays 0, left stays 0, right → 1.
    const r0 = 0 * nA + 3;
    const got0: Record<number, number> = {};
    for (let k = T.rowPtr[r0]; k < T.rowPtr[r0 + 1]; k++) got0[T.col[k]] = T.prob[k];
    expect(got0[0]).toBeCloseTo(2 / 3, 15);
    expect(got0[1]).toBeCloseTo(1 / 3, 15);
    expect(Array.from(lake.terminal)).toEqual([0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 1, 0, 0, 1]);
    expect(lake.goal).toBe(15);
  });
  it('without slipping the goal is 6 steps away: optimal J_5 = 0 and J_6 = 1', () => {
    expect(optimalFiniteHorizonValue(still, 5)).toBe(0);
    expect(optimalFiniteHorizonValue(still, 6)).toBe(1);
  });
  it('the exact finite-horizon value agrees with Monte Carlo rollouts of the independent sampler', () => {
    // A random mixture of the slippery lake's optimal policy and random action weights.
    const rng = new Rng(7);
    const opt = greedyPolicyWithTies(valueIteration(lake.env, lake.reward, { tol: 1e-12 }).Q, 16, 4);
    const pi = new Float64Array(16 * 4);
    for (let i = 0; i < pi.length; i += 4) {
      const w = [0, 1, 2, 3].map((a) => 0.9 * opt[i + a] + 0.1 * rng.uniform());
      const z = w.reduce((u, x) => u + x, 0);
      for (let a = 0; a < 4; a++) pi[i + a] = w[a] / z;
    }
    const H = 60;
    const exact = finiteHorizonValue(lake, pi, H);
    const n = 40000;
    const batch = rollouts(lake.env, pi, {
      episodes: n,
      horizon: H,
      rng: new Rng(8),
      rewards: [denseEntryReward(lake)],
      terminal: lake.terminal,
    });
    const G = episodeReturns(batch, batch.rewards[0]);
    const mean = G.reduce((u, x) => u + x, 0) / n;
    const se = Math.sqrt((mean * (1 - mean)) / n);
    expect(exact).toBeGreaterThan(0.1);
    expect(Math.abs(mean - exact)).toBeLessThan(4 * se);
  });
  it('values grow with the horizon and the optimum bounds every policy', () => {
    const uniform = new Float64Array(64).fill(0.25);
    let prev = -1;
    for (const H of [0, 5, 10, 50, 100]) {
      const v = finiteHorizonValue(lake, uniform, H);
      expect(v).toBeGreaterThanOrEqual(prev);
      expect(v).toBeLessThanOrEqual(optimalFiniteHorizonValue(lake, H) + 1e-15);
      prev = v;
    }
    expect(finiteHorizonStateValues(lake, uniform, 100)[15]).toBe(0);
  });
});

describe('mixture datasets', () => {
  it('tags every episode with its behaviour, whose policy could have taken each of its actions', () => {
    const nS = 16,
      nA = 4;
    const left = new Float64Array(nS * nA),
      right = new Float64Array(nS * nA);
    for (let s = 0; s < nS; s++) ((left[s * nA] = 1), (right[s * nA + 2] = 1));
    const { data, source } = collectMixture(
      lake,
      [left, right],
      [1, 3],
      { episodes: 400, horizon: 20, quality: 'm' },
      new Rng(3),
    );
    expect(source.length).toBe(400);
    const nRight = source.filter((b) => b === 1).length;
    expect(nRight).toBeGreaterThan(260);
    expect(nRight).toBeLessThan(340);
    for (let i = 0; i < data.size; i++) expect(data.a[i]).toBe(source[data.episode[i]] === 0 ? 0 : 2);
    for (let i = 1; i < data.size; i++) expect(data.episode[i]).toBeGreaterThanOrEqual(data.episode[i - 1]);
    expect(() => collectMixture(lake, [left], [1, 1], { episodes: 2, horizon: 2, quality: 'm' }, new Rng(1))).toThrow(
      /one weight per behaviour/,
    );
  });
});
