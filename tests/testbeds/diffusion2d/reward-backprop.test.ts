/**
 * Reward backpropagation: the engine's input gradient (Mlp.backward with dx) matches finite differences; the
 * DRaFT gradient through the whole chain (K = T, fixed noise) matches finite differences of −mean r(x_0(θ)) in the
 * parameters; K = 1 differs from K = T; a few DRaFT steps raise a smooth reward.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { Mlp } from '../../../src/nn/mlp';
import { quadraticReward2d } from '../../../src/testbeds/diffusion2d/env';
import { draftStep, rewardBackpropGrad } from '../../../src/testbeds/diffusion2d/methods';
import { EpsMlp, ddpmSample, ddpmSchedule } from '../../../src/testbeds/diffusion2d/models';

describe('diffusion2d reward backprop', () => {
  it('Mlp input gradient matches finite differences', () => {
    const m = new Mlp([3, 16, 16, 2], new Rng(1));
    const x = Float32Array.from(new Rng(2).normals(12));
    const w = new Rng(3).normals(8);
    const L = (xx: Float32Array) => m.forward(xx, 4).reduce((s, v, i) => s + v * w[i], 0);
    m.forward(x, 4);
    const dx = new Float32Array(12);
    m.backward(Float32Array.from(w), dx);
    for (let i = 0; i < 12; i++) {
      const xp = Float32Array.from(x),
        xm = Float32Array.from(x);
      xp[i] += 1e-2;
      xm[i] -= 1e-2;
      expect(Math.abs((L(xp) - L(xm)) / 2e-2 - dx[i])).toBeLessThan(1e-2 * (1 + Math.abs(dx[i])));
    }
  });

  it('the K = T gradient matches finite differences of the fixed-noise chain', () => {
    const sched = ddpmSchedule({ T: 10, kind: 'cosine' });
    const policy = new EpsMlp({ hidden: [16, 16], frequencies: 2, prompts: 0, T: 10 }, new Rng(4));
    const reward = quadraticReward2d([1, 0], 1);
    const N = 16;
    const loss = () => {
      const x0 = ddpmSample(sched, (x, t, n) => policy.predict(x, t, n), N, new Rng(5)).x0;
      return -reward.value(x0, N).reduce((a, b) => a + b, 0) / N;
    };
    const tr = ddpmSample(sched, (x, t, n) => policy.predict(x, t, n), N, new Rng(5), { record: true });
    policy.mlp.zeroGrad();
    rewardBackpropGrad(policy, sched, reward, tr.traj!, N, 10);
    const g = Float64Array.from(policy.mlp.grads.f);
    policy.mlp.zeroGrad();
    rewardBackpropGrad(policy, sched, reward, tr.traj!, N, 1);
    const g1 = Float64Array.from(policy.mlp.grads.f);
    let differs = 0;
    for (const i of [0, 5, 60, 100, 150, 200, policy.mlp.size - 1]) {
      const p0 = policy.mlp.params.f[i];
      policy.mlp.params.f[i] = p0 + 1e-2;
      const up = loss();
      policy.mlp.params.f[i] = p0 - 1e-2;
      const dn = loss();
      policy.mlp.params.f[i] = p0;
      expect(Math.abs((up - dn) / 2e-2 - g[i])).toBeLessThan(2e-2 * (1 + Math.abs(g[i])));
      differs = Math.max(differs, Math.abs(g[i] - g1[i]));
    }
    expect(differs).toBeGreaterThan(1e-3);
  });

  it('DRaFT steps raise a smooth reward', () => {
    const sched = ddpmSchedule({ T: 10, kind: 'cosine' });
    const policy = new EpsMlp({ hidden: [32, 32], frequencies: 2, prompts: 0, T: 10 }, new Rng(6));
    const reward = quadraticReward2d([2, 0], 1);
    const mean = () => {
      const x0 = ddpmSample(sched, (x, t, n) => policy.predict(x, t, n), 1000, new Rng(8)).x0;
      return reward.value(x0, 1000).reduce((a, b) => a + b, 0) / 1000;
    };
    const before = mean();
    const opt = new Adam(policy.mlp.size, { lr: 3e-3, maxGradNorm: 1 });
    for (let i = 0; i < 40; i++) draftStep(policy, sched, reward, 64, 10, new Rng(9).split(i), opt);
    expect(mean()).toBeGreaterThan(before + 0.5);
  });
});
