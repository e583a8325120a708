/**
 * AWM pieces: the noisy velocity target is the maximiser over v of the SDE step's log-probability (finite
 * differences of flowSdeLogProb vanish there, and a noise-free step returns the velocity it was built with);
 * AWM's surrogate gradient matches central differences (on-policy, off-policy with the ratio, clipped, with the KL
 * term); the rollout reproduces flowGrpoRound's samples with the same rng; the on-policy gradients of both
 * objectives are linear in the advantages (zero for zero advantages); the noise-to-signal estimator is exact on a
 * two-draw example; an AWM round moves the policy.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { RING8, promptMixture, quadraticReward2d } from '../../../src/testbeds/diffusion2d/env';
import {
  awmGradient,
  awmLogProb,
  awmLossGrad,
  awmRound,
  awmRows,
  emptyFlowRatioStats,
  flowGroupAdvantages,
  flowGrpoOnPolicyGradient,
  flowGrpoRound,
  flowNoisyTarget,
  flowSdeRollout,
  gradientNoiseToSignal,
} from '../../../src/testbeds/diffusion2d/methods';
import { ResidualVelocityMlp, exactVelocity, flowSdeLogProb } from '../../../src/testbeds/diffusion2d/models';

const pref = promptMixture(RING8, 'all');
const makePolicy = (seed = 1) => new ResidualVelocityMlp(exactVelocity(pref), 6, [16, 16], new Rng(seed));

describe('diffusion2d AWM', () => {
  it('noisy target: the maximiser over v of log p(x′ | x_t) (DDPO ≡ matching a noisy target)', () => {
    const a = 0.7,
      h = 0.1;
    for (const t of [0.3, 0.6, 0.9]) {
      const x = [0.4, -1.2],
        xn = [0.1, -0.7];
      const vt = [0, 1].map((d) => flowNoisyTarget(x[d], xn[d], t, h, a));
      const lp = (v: number[]) => flowSdeLogProb(x, xn, v, t, h, a, 1)[0];
      for (let d = 0; d < 2; d++) {
        const e = 1e-5;
        const up = vt.slice(),
          dn = vt.slice();
        up[d] += e;
        dn[d] -= e;
        expect((lp(up) - lp(dn)) / (2 * e)).toBeCloseTo(0, 5);
        expect(lp(up)).toBeLessThan(lp(vt));
      }
    }
  });

  it('AWM surrogate gradient matches central differences (ρ = 1, ρ ≠ 1, clipped, KL)', () => {
    const policy = makePolicy();
    const N = 3;
    const x0 = new Rng(4).normals(2 * N);
    const w = awmRows(policy, x0, N, new Rng(5));
    const rows = Int32Array.from({ length: N * policy.K }, (_, r) => r);
    const A = [1.2, -0.7, 0.3];
    const g0 = new Rng(6).normals(2 * rows.length, 0, 0.3);
    const logpOld = awmLogProb(w, rows, new Rng(7).normals(2 * rows.length, 0, 0.3));
    const loss = (g: Float64Array, old: Float64Array | null, clip: number, beta: number): number => {
      const lp = awmLogProb(w, rows, g);
      let s = 0;
      for (let m = 0; m < rows.length; m++) {
        const n = Math.floor(rows[m] / policy.K);
        const rho = old ? Math.exp(lp[m] - old[rows[m]]) : 1 + lp[m] - lp[m];
        const c = Math.min(1 + clip, Math.max(1 - clip, rho));
        const base = old ? Math.max(-A[n] * rho, -A[n] * c) : -A[n] * lp[m];
        s += base + (beta * (g[2 * m] ** 2 + g[2 * m + 1] ** 2)) / 2;
      }
      return s / rows.length;
    };
    for (const [old, clip, beta] of [
      [null, 1, 0],
      [logpOld, 10, 0],
      [logpOld, 0.05, 0],
      [null, 1, 0.5],
    ] as [Float64Array | null, number, number][]) {
      const an = awmLossGrad(w, rows, g0, A, old, clip, beta);
      for (const i of [0, 3, 7, 20, 2 * rows.length - 1]) {
        const e = 1e-6;
        const up = Float64Array.from(g0),
          dn = Float64Array.from(g0);
        up[i] += e;
        dn[i] -= e;
        expect(an[i]).toBeCloseTo((loss(up, old, clip, beta) - loss(dn, old, clip, beta)) / (2 * e), 6);
      }
    }
  });

  it('AWM rows: x_t = (1 − t)x_0 + tε with target ε − x_0, every grid step once per sample', () => {
    const policy = makePolicy();
    const N = 4;
    const x0 = new Rng(8).normals(2 * N);
    const w = awmRows(policy, x0, N, new Rng(9));
    for (let n = 0; n < N; n++)
      for (let k = 1; k <= policy.K; k++) {
        const r = n * policy.K + (k - 1),
          t = k / policy.K;
        expect(w.kRow[r]).toBe(k);
        for (let d = 0; d < 2; d++) {
          const eps = w.target[2 * r + d] + x0[2 * n + d];
          expect(w.xt[2 * r + d]).toBeCloseTo((1 - t) * x0[2 * n + d] + t * eps, 12);
        }
      }
  });

  it('the rollout reproduces flowGrpoRound’s samples with the same rng', () => {
    const reward = quadraticReward2d([3, 0], 2);
    const p1 = makePolicy(3),
      p2 = makePolicy(3);
    const roll = flowSdeRollout(p1, 8, 0.7, new Rng(11));
    const opts = {
      kind: 'flow-grpo' as const,
      K: p2.K,
      noise: 0.7,
      groups: 2,
      G: 4,
      epochs: 1,
      minibatches: 2,
      clip: 0.2,
      beta: 0,
      advClipMax: 5,
    };
    const r = flowGrpoRound(p2, reward, opts, new Rng(11), new Adam(p2.size, { lr: 1e-3 }), emptyFlowRatioStats(p2.K));
    for (let i = 0; i < 16; i++) expect(roll.x0[i]).toBe(r.x0[i]);
  });

  it('on-policy gradients are linear in the advantages and zero for zero advantages', () => {
    const policy = makePolicy(2);
    const reward = quadraticReward2d([3, 0], 2);
    // make the residual non-trivial so every layer has a gradient
    awmRound(
      policy,
      reward,
      { noise: 0.7, groups: 2, G: 4, epochs: 1, minibatches: 1, clip: 1, beta: 0, advClipMax: 5 },
      new Rng(1),
      new Adam(policy.size, { lr: 1e-2 }),
    );
    const N = 8;
    const roll = flowSdeRollout(policy, N, 0.7, new Rng(12));
    const A = flowGroupAdvantages(reward.value(roll.x0, N), 4);
    const A2 = A.map((v) => 2 * v),
      Z = new Float64Array(N);
    const w = awmRows(policy, roll.x0, N, new Rng(13));
    for (const f of [
      (a: Float64Array) => flowGrpoOnPolicyGradient(policy, roll, a, 0.7),
      (a: Float64Array) => awmGradient(policy, w, a),
    ]) {
      const g1 = f(A),
        g2 = f(A2),
        g0 = f(Z);
      let n1 = 0;
      for (let j = 0; j < g1.length; j++) {
        n1 += g1[j] * g1[j];
        expect(g0[j]).toBe(0);
        expect(g2[j]).toBeCloseTo(2 * g1[j], 4);
      }
      expect(n1).toBeGreaterThan(0);
    }
  });

  it('noise-to-signal: exact on two draws μ ± e', () => {
    const mu = [3, 0, 4],
      e = [1, 1, 0];
    const d1 = Float64Array.from(mu.map((m, i) => m + e[i])),
      d2 = Float64Array.from(mu.map((m, i) => m - e[i]));
    // tr Ĉov = 2|e|²/1 = 4; |ḡ|² = |μ|² = 25
    const r = gradientNoiseToSignal([d1, d2]);
    expect(r.nsr).toBeCloseTo(4 / 25, 12);
    expect(gradientNoiseToSignal([d1, d1, d1]).nsr).toBe(0);
  });
});
