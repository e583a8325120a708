import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { makeAliasedBiasMdp } from '../../../../src/testbeds/tabular/env/aliased-mdp';
import {
  HEURISTICS,
  makeHeuristicGridworld,
  naiveReward,
  shapedPrimary,
} from '../../../../src/testbeds/tabular/env/heuristic-gridworld';
import { randomEnv, randomReward } from '../../../../src/testbeds/tabular/env/mdp';
import { potentialShaping, randomPotential } from '../../../../src/testbeds/tabular/env/shaping';
import { reinforceGradient, rollouts } from '../../../../src/testbeds/tabular/loops/learners';
import {
  alignedRewards,
  hessianWeights,
  mixedProduct,
  neumannInverseHvp,
  surrogateHessianVector,
} from '../../../../src/testbeds/tabular/methods/barfi';
import { identityObs, softmaxPolicy } from '../../../../src/testbeds/tabular/policies/softmax';
import { valueIteration } from '../../../../src/testbeds/tabular/solvers/exact';
import { episodicReturn, exactEpisodicPolicyGradient } from '../../../../src/testbeds/tabular/solvers/policy-gradient';

/** Sets of optimal actions per state (within tol of the max). */
function optimalActionSets(Q: Float64Array, nS: number, nA: number, tol = 1e-7): string[] {
  return Array.from({ length: nS }, (_, s) => {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) m = Math.max(m, Q[s * nA + a]);
    return Array.from({ length: nA }, (_, a) => a)
      .filter((a) => Q[s * nA + a] >= m - tol)
      .join(',');
  });
}

describe('potential-based shaping', () => {
  it(
    'leaves the optimal policy unchanged: Q*_shaped = Q* − Φ(s) and the same optimal actions ' +
      '(gridworld heuristics and random MDPs)',
    () => {
      const g = makeHeuristicGridworld();
      const { nS, nA } = g.env;
      const base = valueIteration(g.env, g.primary, { tol: 1e-12 });
      for (const h of HEURISTICS) {
        const sh = valueIteration(g.env, shapedPrimary(g, h), { tol: 1e-12 });
        for (let s = 0; s < nS; s++)
          for (let a = 0; a < nA; a++) expect(sh.Q[s * nA + a]).toBeCloseTo(base.Q[s * nA + a] - g.potential[h][s], 6);
        expect(optimalActionSets(sh.Q, nS, nA)).toEqual(optimalActionSets(base.Q, nS, nA));
      }
      for (let k = 0; k < 5; k++) {
        const rng = new Rng(100 + k);
        const env = randomEnv(rng.split('env'), { nS: 15, nA: 4, gamma: 0.95, branching: 4 });
        const R = randomReward(rng.split('r'), env);
        const Rs = potentialShaping(env, R, randomPotential(rng.split('phi'), env.nS, 5));
        expect(Array.from(valueIteration(env, Rs, { tol: 1e-12 }).policy)).toEqual(
          Array.from(valueIteration(env, R, { tol: 1e-12 }).policy),
        );
      }
    },
  );

  it(
    'the naive blends with the misaligned heuristics do change the optimal behaviour ' +
      '(their optimal policy earns less primary return)',
    () => {
      const g = makeHeuristicGridworld();
      const { nS, nA } = g.env;
      const det = (p: Int32Array) => {
        const pi = new Float64Array(nS * nA);
        for (let s = 0; s < nS; s++) pi[s * nA + p[s]] = 1;
        return pi;
      };
      const Jprimary = episodicReturn(g.env, g.primary, det(valueIteration(g.env, g.primary).policy), g.horizon, 1);
      expect(Jprimary).toBeGreaterThan(95);
      for (const h of ['distractor', 'flipped'] as const) {
        const J = episodicReturn(g.env, g.primary, det(valueIteration(g.env, naiveReward(g, h)).policy), g.horizon, 1);
        expect(J).toBeLessThan(Jprimary - 50);
      }
      const Jh = episodicReturn(
        g.env,
        g.primary,
        det(valueIteration(g.env, naiveReward(g, 'helpful')).policy),
        g.horizon,
        1,
      );
      expect(Jh).toBeCloseTo(Jprimary, 6);
    },
  );
});

describe('BARFI implicit-gradient pieces', () => {
  const g = makeHeuristicGridworld();
  const { nS, nA } = g.env;
  const obs = identityObs(nS);
  const theta = new Rng(7).normals(nS * nA, 0, 0.5);
  const pi = softmaxPolicy(nS, nA, theta);
  const batch = rollouts(g.env, pi, {
    episodes: 6,
    horizon: g.horizon,
    rng: new Rng(8),
    rewards: [g.primary, g.aux.distractor],
    terminal: g.terminal,
  });
  const phi1 = new Rng(9).normals(nS, 0, 0.3);
  const phi2 = new Rng(10).normals(nS, 1, 0.3);
  const p = new Rng(11).normals(nS * nA);

  /** pᵀ ∇_θ L_φ for the REINFORCE surrogate (data fixed). */
  const f = (ph1: Float64Array, ph2: Float64Array, gam: number, dw: boolean) => {
    const r = alignedRewards(batch, obs, ph1, ph2);
    const gr = reinforceGradient(batch, r, pi, nA, nS, obs, { gamma: gam, discountWeights: dw });
    return gr.reduce((acc, x, i) => acc + x * p[i], 0);
  };

  it('pᵀ∇_θ∇_φ L_φ (forward recursions) matches finite differences in φ1, φ2 and γ_φ, with and without γ^t', () => {
    for (const dw of [false, true]) {
      const gam = 0.97;
      const r = alignedRewards(batch, obs, phi1, phi2);
      const mp = mixedProduct(batch, obs, nA, pi, p, r, gam, dw, nS);
      const h = 1e-5;
      for (const s of [0, 5, 12, 18]) {
        const a1 = Float64Array.from(phi1),
          b1 = Float64Array.from(phi1);
        a1[s] += h;
        b1[s] -= h;
        expect(mp.g1[s]).toBeCloseTo((f(a1, phi2, gam, dw) - f(b1, phi2, gam, dw)) / (2 * h), 5);
        const a2 = Float64Array.from(phi2),
          b2 = Float64Array.from(phi2);
        a2[s] += h;
        b2[s] -= h;
        expect(mp.g2[s]).toBeCloseTo((f(phi1, a2, gam, dw) - f(phi1, b2, gam, dw)) / (2 * h), 5);
      }
      const fdG = (f(phi1, phi2, gam + h, dw) - f(phi1, phi2, gam - h, dw)) / (2 * h);
      expect(mp.gGamma).toBeCloseTo(fdG, 3);
      expect(Math.abs(mp.gGamma)).toBeGreaterThan(1e-3);
    }
  });

  it('the block-diagonal Hessian-vector product matches finite differences of the surrogate gradient in θ', () => {
    const gam = 0.99;
    const r = alignedRewards(batch, obs, phi1, phi2);
    const omega = hessianWeights(batch, obs, r, gam, false, nS);
    const u = new Rng(12).normals(nS * nA);
    const Hu = surrogateHessianVector(u, omega, pi, nA);
    // L(θ) = (1/N) Σ w_t G_t log π_θ(a_t|s_t) with data fixed; ∇L(θ ± εu) by reinforceGradient at π(θ ± εu).
    const eps = 1e-6;
    const grad = (th: Float64Array) =>
      reinforceGradient(batch, r, softmaxPolicy(nS, nA, th), nA, nS, obs, { gamma: gam, discountWeights: false });
    const tp = Float64Array.from(theta, (x, i) => x + eps * u[i]);
    const tm = Float64Array.from(theta, (x, i) => x - eps * u[i]);
    const gp = grad(tp),
      gm = grad(tm);
    for (let i = 0; i < Hu.length; i++) expect(Hu[i]).toBeCloseTo((gp[i] - gm[i]) / (2 * eps), 4);
  });

  it('the Neumann series approaches −H⁻¹v on the rows where H is negative definite', () => {
    // One row, ω > 0: −H⁻¹ v for v ⟂ 1 is known in closed form through the (pseudo-)inverse; check H(−H⁻¹v) ≈ −v.
    const nA2 = 4;
    const rowPi = new Float64Array([0.1, 0.2, 0.3, 0.4]);
    const omega = new Float64Array([2]);
    const v = new Float64Array([1, -2, 0.5, 0.5]); // Σ v = 0
    const x = neumannInverseHvp(v, omega, rowPi, nA2, 400);
    const Hx = surrogateHessianVector(x, omega, rowPi, nA2);
    // H x should equal −v up to the constant direction (H annihilates 1): compare after centring by π-weights.
    const c = (y: Float64Array) => {
      const m = y.reduce((a, b) => a + b, 0) / y.length;
      return Array.from(y, (t) => t - m);
    };
    const lhs = c(Hx),
      rhs = c(Float64Array.from(v, (t) => -t));
    for (let i = 0; i < nA2; i++) expect(lhs[i]).toBeCloseTo(rhs[i], 6);
  });
});

describe('algorithm-bias MDP', () => {
  it(
    'the exact gradient vanishes at p* and the expected γ^t-free REINFORCE update vanishes at ' +
      'p_b = (γd − c)/((1+γ)d)',
    () => {
      const gamma = 0.5,
        c = -0.2,
        d = 1;
      const m = makeAliasedBiasMdp({ gamma, c, d });
      expect(m.pStar).toBeCloseTo(0.7, 12);
      expect(m.pBiased).toBeCloseTo(0.7 / 1.5, 12);
      const thetaFor = (p: number) => new Float64Array([Math.log(p), Math.log(1 - p), 0, 0]);
      const exactGrad = (p: number) =>
        exactEpisodicPolicyGradient(m.env, m.primary, thetaFor(p), 2, gamma, m.obs).grad[0];
      expect(exactGrad(m.pStar)).toBeCloseTo(0, 12);
      expect(exactGrad(0.5)).toBeGreaterThan(0);
      // Expected biased update, by enumerating the three trajectories (∂ log π / ∂θ[o, a0]: 1 − p for a0, −p for a1).
      const biased = (p: number) => {
        const take1 = (1 - p) * -p * c; // s0, a1: G = c
        const a0a0 = p * p * ((1 - p) * gamma * 0 + (1 - p) * 0); // s0,a0 → s1,a0: all rewards 0
        const a0a1 = p * (1 - p) * ((1 - p) * gamma * d + -p * d); // s0,a0 (G = γd) then s1,a1 (G = d, weight 1)
        return take1 + a0a0 + a0a1;
      };
      expect(biased(m.pBiased)).toBeCloseTo(0, 12);
      expect(biased(m.pStar)).toBeLessThan(0);
      // The same via the sample estimator's expectation: average over many episodes at p_b is ≈ 0.
      const pi = softmaxPolicy(m.env.nS, m.env.nA, thetaFor(m.pBiased), m.obs);
      const b = rollouts(m.env, pi, {
        episodes: 200000,
        horizon: 2,
        rng: new Rng(3),
        rewards: [m.primary],
        terminal: m.terminal,
      });
      const gb = reinforceGradient(b, b.rewards[0], pi, 2, 2, m.obs, { gamma, discountWeights: false });
      expect(Math.abs(gb[0])).toBeLessThan(0.003);
    },
  );
});
