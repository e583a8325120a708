import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { linearBandit, linearMeans } from '../../../src/testbeds/bandits/env/linear';
import { RidgeRegression } from '../../../src/testbeds/bandits/methods/lin-ucb';
import { runLinUcb } from '../../../src/testbeds/bandits/loops/run';
import { dynamicalLinearBandit, initialState, stepDlb } from '../../../src/testbeds/bandits/env/dynamical-linear';
import {
  bestAction,
  phiConstant,
  spectralRadius,
  steadyStateGain,
} from '../../../src/testbeds/bandits/solvers/steady-state';
import { blockLength, dynLinUcb } from '../../../src/testbeds/bandits/methods/dynlin-ucb';

describe('ridge regression', () => {
  it('Sherman–Morrison inverse equals the direct solution', () => {
    const rng = new Rng(1);
    const r = new RidgeRegression(3, 0.5);
    const X: number[][] = [],
      y: number[] = [];
    for (let i = 0; i < 30; i++) {
      const a = [rng.normal(), rng.normal(), rng.normal()];
      X.push(a);
      y.push(a[0] - 2 * a[2] + 0.1 * rng.normal());
      r.add(a, y[i]);
    }
    // V θ̂ = b with V = 0.5 I + XᵀX
    for (let i = 0; i < 3; i++) {
      let lhs = 0.5 * r.theta[i];
      for (let j = 0; j < 3; j++) for (const a of X) lhs += a[i] * a[j] * r.theta[j];
      let rhs = 0;
      X.forEach((a, k) => (rhs += a[i] * y[k]));
      expect(lhs).toBeCloseTo(rhs, 9);
    }
  });
});

describe('LinUCB / OFUL', () => {
  it('converges to the exact optimum of a linear instance, with sublinear regret', () => {
    const actions = [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0.6, 0.6, 0],
      [0.6, 0, 0.9],
    ];
    const env = linearBandit(actions, [0.3, 0.5, 0.45], 0.1);
    const means = linearMeans(env);
    const star = bestAction(env.actions, 3, env.theta).index; // [0.6, 0, 0.9]: 0.585
    expect(star).toBe(4);
    expect(Math.max(...means)).toBeCloseTo(0.585, 12);
    const T = 4000;
    const r = runLinUcb(env, { lambda: 1, S: 1, L: 1.1, delta: 0.01 }, T, [T / 2, T], new Rng(5));
    expect(r.pulls[star] / T).toBeGreaterThan(0.8);
    expect(r.regret[1] - r.regret[0]).toBeLessThan(0.5 * r.regret[0]); // second half adds less than the first
    for (let i = 0; i < 3; i++) expect(Math.abs(r.ridge.theta[i] - env.theta[i])).toBeLessThan(0.1);
  });

  it('same seed → same trajectory', () => {
    const env = linearBandit(
      [
        [1, 0],
        [0, 1],
        [0.7, 0.7],
      ],
      [0.4, 0.5],
      0.2,
    );
    const o = { lambda: 1, S: 1, L: 1, delta: 0.05 };
    const a = runLinUcb(env, o, 500, [500], new Rng(9), true),
      b = runLinUcb(env, o, 500, [500], new Rng(9), true);
    expect(b.arms).toEqual(a.arms);
  });
});

describe('dynamical linear bandit', () => {
  const env = dynamicalLinearBandit({
    A: [
      [0.5, 0.2, 0],
      [0, 0.3, 0],
      [0.1, 0, 0.6],
    ],
    B: [
      [0.4, 0],
      [0, 0.3],
      [0.2, 0.1],
    ],
    omega: [1, -0.5, 0.3],
    theta: [0.1, 0.4],
    stateStd: 0,
    rewardStd: 0,
  });

  it('the steady-state gain h = θ + Bᵀ(I − A)^{-ᵀ}ω equals the long-run reward of a constant action', () => {
    const h = steadyStateGain(env);
    for (const a of [
      [1, 0],
      [0, 1],
      [0.3, -0.7],
    ]) {
      const s = initialState(env);
      let y = 0;
      for (let t = 0; t < 400; t++) y = stepDlb(env, s, a, new Rng(0)).meanReward;
      expect(y).toBeCloseTo(h[0] * a[0] + h[1] * a[1], 10);
    }
  });

  it('noise-free: observed reward equals the exact mean; spectral radius and Φ by closed form', () => {
    const s = initialState(env);
    const rng = new Rng(2);
    for (let t = 0; t < 50; t++) {
      const a = [rng.uniform(), rng.uniform()];
      const { reward, meanReward } = stepDlb(env, s, a, rng);
      expect(reward).toBeCloseTo(meanReward, 12);
    }
    // lower-triangular after permutation: eigenvalues 0.5, 0.3, 0.6 → ρ = 0.6
    expect(spectralRadius(env.A, 3)).toBeCloseTo(0.6, 8);
    const diag = Float64Array.from([0.7, 0, 0, 0, -0.2, 0, 0, 0, 0.1]);
    expect(spectralRadius(diag, 3)).toBeCloseTo(0.7, 10);
    expect(phiConstant(diag, 3)).toBeCloseTo(1, 8); // normal matrix: ‖A^s‖ = ρ^s
    expect(phiConstant(env.A, 3)).toBeGreaterThan(1); // non-normal
  });

  it('DynLin-UCB blocks have length 1 + ⌊ln m / ln(1/ρ̄)⌋ and one regression sample per block', () => {
    expect(blockLength(1, 0.5)).toBe(1);
    expect(blockLength(4, 0.5)).toBe(3);
    expect(blockLength(7, 0.5)).toBe(3);
    expect(blockLength(8, 0.5)).toBe(4);
    const actions = Float64Array.from([1, 0, 0, 1]);
    const bounds = { rhoBar: 0.5, phi: 1, omegaNorm: 1, thetaNorm: 1, bNorm: 1, U: 1, sigma: 0.1 };
    const agent = dynLinUcb({ actions, d: 2, bounds, lambda: 1, delta: 0.01, dynamics: true, firstAction: 0 });
    let switches = 0,
      prev = agent.select(0);
    const T = 200;
    for (let t = 0; t < T; t++) {
      const a = agent.select(t);
      if (a !== prev) switches++;
      prev = a;
      agent.update(a === 0 ? 0.3 : 0.5);
    }
    let m = 0,
      used = 0;
    while (used + blockLength(m + 1, 0.5) <= T) used += blockLength(++m, 0.5);
    expect(agent.ridge.samples).toBe(m);
    expect(switches).toBeLessThan(m);
  });
});
