import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { randomEnv, randomReward, type TabularEnv } from '../../../../src/testbeds/tabular/env/mdp';
import {
  qLearning,
  reinforceGradient,
  rollouts,
  trainActorCritic,
  trainReinforce,
} from '../../../../src/testbeds/tabular/loops/learners';
import { softmaxPolicy } from '../../../../src/testbeds/tabular/policies/softmax';
import {
  expectedReward,
  occupancy,
  policyReturn,
  valueIteration,
} from '../../../../src/testbeds/tabular/solvers/exact';
import {
  episodicOccupancy,
  episodicReturn,
  exactEpisodicPolicyGradient,
  exactPolicyGradient,
} from '../../../../src/testbeds/tabular/solvers/policy-gradient';

function smallEnv(seed: number, nS = 6, nA = 3, gamma = 0.9): { env: TabularEnv; R: Float64Array } {
  const rng = new Rng(seed);
  const env = randomEnv(rng.split('env'), { nS, nA, gamma, branching: 3, init: 'dirichlet' });
  return { env, R: randomReward(rng.split('r'), env, { kind: 'dense' }) };
}

describe('occupancy measures', () => {
  it('discounted occupancy sums to 1/(1−γ); episodic occupancy sums to the horizon (γ = 1) or (1−γ^H)/(1−γ)', () => {
    for (const gamma of [0.5, 0.9, 0.99]) {
      const { env } = smallEnv(3, 7, 3, gamma);
      const pi = softmaxPolicy(env.nS, env.nA, new Rng(4).normals(env.nS * env.nA));
      const eta = occupancy(env, pi);
      expect(eta.reduce((a, b) => a + b, 0)).toBeCloseTo(1 / (1 - gamma), 9);
      for (const H of [1, 5, 40]) {
        expect(episodicOccupancy(env, pi, H, 1).reduce((a, b) => a + b, 0)).toBeCloseTo(H, 10);
        expect(episodicOccupancy(env, pi, H, gamma).reduce((a, b) => a + b, 0)).toBeCloseTo(
          (1 - gamma ** H) / (1 - gamma),
          10,
        );
      }
    }
  });

  it('the episodic return approaches the discounted return as H grows, and J = Σ η r̄', () => {
    const { env, R } = smallEnv(5);
    const pi = softmaxPolicy(env.nS, env.nA, new Rng(6).normals(env.nS * env.nA));
    const J = policyReturn(env, R, pi);
    expect(episodicReturn(env, R, pi, 400, env.gamma)).toBeCloseTo(J, 9);
    const eta = occupancy(env, pi);
    const rbar = expectedReward(env, R);
    expect(eta.reduce((acc, e, i) => acc + e * rbar[i], 0)).toBeCloseTo(J, 10);
  });
});

describe('exact softmax policy gradient', () => {
  const fd = (f: (th: Float64Array) => number, theta: Float64Array, h = 1e-6) =>
    Float64Array.from(theta, (_, i) => {
      const p = Float64Array.from(theta),
        m = Float64Array.from(theta);
      p[i] += h;
      m[i] -= h;
      return (f(p) - f(m)) / (2 * h);
    });

  it('discounted: matches central finite differences of the exact return (tabular and aliased policies)', () => {
    const { env, R } = smallEnv(11);
    const theta = new Rng(12).normals(env.nS * env.nA);
    const g = exactPolicyGradient(env, R, theta);
    const num = fd((th) => policyReturn(env, R, softmaxPolicy(env.nS, env.nA, th)), theta);
    for (let i = 0; i < theta.length; i++) expect(g.grad[i]).toBeCloseTo(num[i], 6);
    // Aliased: 6 states share 2 rows of θ.
    const obs = new Int32Array([0, 1, 0, 1, 0, 1]);
    const th2 = new Rng(13).normals(2 * env.nA);
    const g2 = exactPolicyGradient(env, R, th2, obs);
    const num2 = fd((th) => policyReturn(env, R, softmaxPolicy(env.nS, env.nA, th, obs)), th2);
    for (let i = 0; i < th2.length; i++) expect(g2.grad[i]).toBeCloseTo(num2[i], 6);
    expect(Math.max(...Array.from(g2.grad, Math.abs))).toBeGreaterThan(1e-3);
  });

  it('episodic: matches finite differences of the exact finite-horizon return', () => {
    const { env, R } = smallEnv(21);
    const theta = new Rng(22).normals(env.nS * env.nA);
    for (const [H, gamma] of [
      [1, 0.9],
      [7, 0.9],
      [12, 1],
    ] as const) {
      const g = exactEpisodicPolicyGradient(env, R, theta, H, gamma);
      expect(g.J).toBeCloseTo(episodicReturn(env, R, softmaxPolicy(env.nS, env.nA, theta), H, gamma), 10);
      const num = fd((th) => episodicReturn(env, R, softmaxPolicy(env.nS, env.nA, th), H, gamma), theta);
      for (let i = 0; i < theta.length; i++) expect(g.grad[i]).toBeCloseTo(num[i], 6);
    }
  });
});

describe('sample REINFORCE gradient', () => {
  const H = 5,
    gamma = 0.8,
    N = 40000;
  const { env, R } = smallEnv(31, 5, 3, gamma);
  const theta = new Rng(32).normals(env.nS * env.nA);
  const pi = softmaxPolicy(env.nS, env.nA, theta);
  const exact = exactEpisodicPolicyGradient(env, R, theta, H, gamma).grad;
  const obs = Int32Array.from({ length: env.nS }, (_, s) => s);

  /** Mean and standard error over N single-episode estimates. */
  function estimate(discountWeights: boolean, baseline: 'none' | 'time', perBatch = 1) {
    const rng = new Rng(33);
    const n = theta.length;
    const sum = new Float64Array(n),
      sq = new Float64Array(n);
    const M = N / perBatch;
    for (let k = 0; k < M; k++) {
      const b = rollouts(env, pi, { episodes: perBatch, horizon: H, rng, rewards: [R] });
      const g = reinforceGradient(b, b.rewards[0], pi, env.nA, env.nS, obs, { gamma, discountWeights, baseline });
      for (let i = 0; i < n; i++) {
        sum[i] += g[i];
        sq[i] += g[i] * g[i];
      }
    }
    const mean = Float64Array.from(sum, (s) => s / M);
    const se = Float64Array.from(sq, (s, i) => Math.sqrt(Math.max(0, s / M - mean[i] * mean[i]) / M));
    return { mean, se };
  }

  it('with the γ^t correction it is unbiased: every component within 4.5 standard errors of the exact gradient', () => {
    const { mean, se } = estimate(true, 'none');
    for (let i = 0; i < exact.length; i++) expect(Math.abs(mean[i] - exact[i])).toBeLessThan(4.5 * se[i] + 1e-9);
  });

  it('a leave-one-out time baseline keeps it unbiased', () => {
    const { mean, se } = estimate(true, 'time', 4);
    for (let i = 0; i < exact.length; i++) expect(Math.abs(mean[i] - exact[i])).toBeLessThan(4.5 * se[i] + 1e-9);
  });

  it('without the γ^t correction it is biased (some component > 8 standard errors away)', () => {
    const { mean, se } = estimate(false, 'none');
    let worst = 0;
    for (let i = 0; i < exact.length; i++) worst = Math.max(worst, Math.abs(mean[i] - exact[i]) / se[i]);
    expect(worst).toBeGreaterThan(8);
  });
});

describe('learners', () => {
  it('Q-learning converges to Q* on a small MDP', () => {
    const { env, R } = smallEnv(41, 4, 2, 0.7);
    const uniformInit: TabularEnv = { ...env, init: new Float64Array(env.nS).fill(1 / env.nS) };
    const { Q } = qLearning(uniformInit, { episodes: 6000, horizon: 30, rng: new Rng(42), reward: R, epsilon: 0.5 });
    const Qstar = valueIteration(env, R, { tol: 1e-12 }).Q;
    let err = 0,
      scale = 0;
    for (let i = 0; i < Q.length; i++) {
      err = Math.max(err, Math.abs(Q[i] - Qstar[i]));
      scale = Math.max(scale, Math.abs(Qstar[i]));
    }
    expect(err).toBeLessThan(0.03 * scale);
  });

  it('REINFORCE and actor-critic improve a random policy to near the optimum of a small MDP', () => {
    const { env, R } = smallEnv(51, 5, 3, 0.8);
    const H = 30;
    const rbar = expectedReward(env, R);
    const opt = valueIteration(env, rbar, { tol: 1e-12 });
    const piOpt = new Float64Array(env.nS * env.nA);
    for (let s = 0; s < env.nS; s++) piOpt[s * env.nA + opt.policy[s]] = 1;
    const Jopt = episodicReturn(env, rbar, piOpt, H, env.gamma);
    const Juni = episodicReturn(env, rbar, new Float64Array(env.nS * env.nA).fill(1 / env.nA), H, env.gamma);
    const th = trainReinforce(env, {
      episodes: 6000,
      batch: 10,
      horizon: H,
      rng: new Rng(52),
      reward: R,
      gamma: env.gamma,
      discountWeights: true,
      baseline: 'time',
      lr: 0.05,
    });
    const Jr = episodicReturn(env, rbar, softmaxPolicy(env.nS, env.nA, th), H, env.gamma);
    expect((Jr - Juni) / (Jopt - Juni)).toBeGreaterThan(0.9);
    const ac = trainActorCritic(env, {
      episodes: 4000,
      horizon: H,
      rng: new Rng(53),
      reward: R,
      gamma: env.gamma,
      alphaActor: 0.1,
      alphaCritic: 0.1,
      discountWeights: false,
    });
    const Ja = episodicReturn(env, rbar, softmaxPolicy(env.nS, env.nA, ac.theta), H, env.gamma);
    expect((Ja - Juni) / (Jopt - Juni)).toBeGreaterThan(0.9);
  });
});
