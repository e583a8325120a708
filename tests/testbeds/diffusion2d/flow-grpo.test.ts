/**
 * Flow-GRPO and GRPO-Guard pieces: group advantages are standardised per group; Flow-GRPO's log-ratio is the
 * coordinate-mean of the testbed's Gaussian log-probabilities; with x' = μ_old + s·z, RatioNorm's log-ratio equals
 * mean_d(z_d δ_d) exactly; Monte Carlo E[ρ] = exp(−|δ|²/(8s²)) (the left shift; 1 with the summed log-density)
 * while E[ρ̂] ≈ 1; every analytic gradient (surrogate, log-ratios, SDE mean) matches central differences; the
 * residual policy starts at the pre-trained velocity and a round changes it.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { RING8, linearReward2d, promptMixture } from '../../../src/testbeds/diffusion2d/env';
import {
  flowClippedSurrogate,
  flowClippedSurrogateGrad,
  emptyFlowRatioStats,
  flowGroupAdvantages,
  flowGrpoLogRatio,
  flowGrpoRound,
  flowSdeMeanGradV,
  grpoGuardLogRatio,
  logRatioGradMean,
} from '../../../src/testbeds/diffusion2d/methods';
import {
  ResidualVelocityMlp,
  exactVelocity,
  flowSdeLogProb,
  flowSdeTransition,
} from '../../../src/testbeds/diffusion2d/models';

describe('diffusion2d Flow-GRPO / GRPO-Guard', () => {
  it('group advantages: zero mean and unit std per group, clipped', () => {
    const r = new Rng(2).normals(24, 1, 3);
    const A = flowGroupAdvantages(r, 8);
    for (let g = 0; g < 24; g += 8) {
      const a = Array.from(A.slice(g, g + 8));
      const m = a.reduce((x, y) => x + y, 0) / 8;
      expect(m).toBeCloseTo(0, 9);
      expect(Math.sqrt(a.reduce((x, y) => x + (y - m) ** 2, 0) / 8)).toBeCloseTo(1, 3);
    }
    const B = flowGroupAdvantages([0, 0, 0, 100], 4, 1.5);
    expect(B[3]).toBe(1.5);
    expect(() => flowGroupAdvantages([1, 2, 3], 2)).toThrow(/groups/);
  });

  it("Flow-GRPO's log-ratio is the coordinate mean of the Gaussian log-probability difference", () => {
    const rng = new Rng(3);
    const N = 5,
      t = 0.6,
      h = 0.1,
      a = 0.7;
    const x = rng.normals(2 * N),
      v1 = rng.normals(2 * N),
      v0 = rng.normals(2 * N);
    const m0 = flowSdeTransition(x, v0, t, h, a, N),
      m1 = flowSdeTransition(x, v1, t, h, a, N);
    const xn = m0.mean.map((m, i) => m + m0.std * rng.normal() + 0 * i);
    const std = new Float64Array(N).fill(m0.std);
    const lr = flowGrpoLogRatio(xn, m1.mean, m0.mean, std, N);
    const l1 = flowSdeLogProb(x, xn, v1, t, h, a, N),
      l0 = flowSdeLogProb(x, xn, v0, t, h, a, N);
    for (let n = 0; n < N; n++) expect(lr[n]).toBeCloseTo((l1[n] - l0[n]) / 2, 10);
  });

  it('RatioNorm removes the bias and the noise scale: log ρ̂ = mean_d(z_d δ_d)', () => {
    const rng = new Rng(4);
    const N = 6;
    const mo = rng.normals(2 * N),
      mn = rng.normals(2 * N, 0, 0.1),
      z = rng.normals(2 * N);
    const std = Float64Array.from({ length: N }, (_, n) => 0.05 + 0.1 * n);
    for (let i = 0; i < 2 * N; i++) mn[i] += mo[i];
    const xn = mo.map((m, i) => m + std[i >> 1] * z[i]);
    const g = grpoGuardLogRatio(xn, mn, mo, std, N);
    for (let n = 0; n < N; n++) {
      const want = (z[2 * n] * (mn[2 * n] - mo[2 * n]) + z[2 * n + 1] * (mn[2 * n + 1] - mo[2 * n + 1])) / 2;
      expect(g[n]).toBeCloseTo(want, 10);
    }
  });

  it('left shift: E[ρ] = exp(−|δ|²/(8s²)) for a fixed mean shift; RatioNorm re-centres it (Monte Carlo)', () => {
    const rng = new Rng(5);
    const N = 200000,
      s = 0.2,
      delta = [0.12, -0.08];
    const mo = new Float64Array(2 * N),
      mn = new Float64Array(2 * N),
      xn = new Float64Array(2 * N);
    const z = rng.normals(2 * N);
    for (let n = 0; n < N; n++)
      for (let d = 0; d < 2; d++) {
        mn[2 * n + d] = delta[d];
        xn[2 * n + d] = s * z[2 * n + d];
      }
    const std = new Float64Array(N).fill(s);
    const raw = flowGrpoLogRatio(xn, mn, mo, std, N);
    const g = grpoGuardLogRatio(xn, mn, mo, std, N);
    let er = 0,
      eg = 0;
    for (let n = 0; n < N; n++) {
      er += Math.exp(raw[n]) / N;
      eg += Math.exp(g[n]) / N;
    }
    const d2 = delta[0] ** 2 + delta[1] ** 2;
    expect(er).toBeCloseTo(Math.exp(-d2 / (8 * s * s)), 2);
    // with the summed (exact) log-density the mean ratio is 1: the shift of the mean comes from the averaging
    let es = 0;
    for (let n = 0; n < N; n++) es += Math.exp(2 * raw[n]) / N;
    expect(es).toBeCloseTo(1, 1);
    expect(er).toBeLessThan(0.95);
    expect(Math.abs(eg - 1)).toBeLessThan(0.01);
  });

  it('clipped surrogate gradient matches central differences (both signs, inside and outside the clip)', () => {
    for (const A of [1.3, -0.7])
      for (const r of [0.5, 0.95, 1.05, 1.5]) {
        const e = 1e-6;
        const fd = (flowClippedSurrogate(A, r + e, 0.2) - flowClippedSurrogate(A, r - e, 0.2)) / (2 * e);
        expect(flowClippedSurrogateGrad(A, r, 0.2)).toBeCloseTo(fd, 6);
      }
  });

  it('log-ratio gradients with respect to μ_new match central differences (both variants)', () => {
    const rng = new Rng(6);
    const N = 3;
    const mo = rng.normals(2 * N),
      mn = rng.normals(2 * N),
      xn = rng.normals(2 * N);
    const std = Float64Array.from([0.1, 0.3, 0.7]);
    for (const kind of ['flow-grpo', 'grpo-guard'] as const) {
      const f = kind === 'flow-grpo' ? flowGrpoLogRatio : grpoGuardLogRatio;
      const g = logRatioGradMean(kind, xn, mn, mo, std, N);
      for (let i = 0; i < 2 * N; i++) {
        const e = 1e-6,
          p = Float64Array.from(mn),
          q = Float64Array.from(mn);
        p[i] += e;
        q[i] -= e;
        const fd = (f(xn, p, mo, std, N)[i >> 1] - f(xn, q, mo, std, N)[i >> 1]) / (2 * e);
        expect(g[i]).toBeCloseTo(fd, 5);
      }
    }
  });

  it('∂μ/∂v of the SDE step matches central differences', () => {
    const x = [0.3, -1.2];
    for (const t of [0.2, 0.5, 0.9]) {
      const e = 1e-6;
      const p = flowSdeTransition(x, [0.4 + e, 0], t, 0.1, 0.7, 1).mean[0];
      const m = flowSdeTransition(x, [0.4 - e, 0], t, 0.1, 0.7, 1).mean[0];
      expect(flowSdeMeanGradV(t, 0.1, 0.7)).toBeCloseTo((p - m) / (2 * e), 6);
    }
  });

  it('the residual policy starts at the pre-trained velocity; a round moves it and records diagnostics', () => {
    const v = exactVelocity(promptMixture(RING8, 'all'));
    const pol = new ResidualVelocityMlp(v, 5, [16], new Rng(7));
    const x = new Rng(8).normals(20);
    const a = pol.velocity(x, 3, 10).v,
      b = v(x, 0.6, 10);
    for (let i = 0; i < 20; i++) expect(a[i]).toBeCloseTo(b[i], 6);
    const stats = emptyFlowRatioStats(5);
    const opt = new Adam(pol.size, { lr: 1e-2, maxGradNorm: 1 });
    for (const kind of ['flow-grpo', 'grpo-guard'] as const) {
      const r = flowGrpoRound(
        pol,
        linearReward2d([1, 0]),
        { kind, K: 5, noise: 0.7, groups: 2, G: 4, epochs: 2, minibatches: 2, clip: 0.2, beta: 0, advClipMax: 5 },
        new Rng(9),
        opt,
        stats,
      );
      expect(Number.isFinite(r.reward)).toBe(true);
    }
    // three off-policy minibatch evaluations per round, 4 trajectories each, per step
    for (let k = 1; k <= 5; k++) expect(stats.rows[k]).toBe(2 * 3 * 4);
    const c = pol.velocity(x, 3, 10).v;
    expect(c.some((vi, i) => Math.abs(vi - b[i]) > 1e-4)).toBe(true);
  });
});
