/**
 * RLCM's parts (methods/rlcm.ts): the exact consistency function of a single Gaussian against its closed form, the
 * sampler drawing exactly from the target for any S, the Gaussian policy's log-probability and its gradient by finite
 * differences, the zero-initialised residual, and the first RLCM update against the REINFORCE gradient.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { makeGmm2d } from '../../../src/testbeds/diffusion2d/env/gmm';
import { quadraticReward2d } from '../../../src/testbeds/diffusion2d/env/rewards';
import {
  consistencyLogProb,
  consistencyTimes,
  exactConsistency,
  ResidualConsistencyMlp,
  rlcmRound,
  sampleConsistencyChains,
} from '../../../src/testbeds/diffusion2d/methods/rlcm';

const mu = [1.5, -0.5] as const,
  s = 0.6;
const single = makeGmm2d([{ weight: 1, mean: mu, std: s }]);

describe('diffusion2d RLCM', () => {
  it('the exact consistency function of N(μ, s²I) is μ + s·(x − (1 − τ)μ)/√((1 − τ)²s² + τ²)', () => {
    const f = exactConsistency(single, 400);
    const x = Float64Array.from([0.3, 1.2, -2, 0.5]);
    for (const tau of [1, 2 / 3, 0.25]) {
      const y = f(x, tau, 2);
      const sd = Math.sqrt((1 - tau) ** 2 * s * s + tau * tau);
      for (let i = 0; i < 4; i++) expect(y[i]).toBeCloseTo(mu[i % 2] + (s * (x[i] - (1 - tau) * mu[i % 2])) / sd, 4);
    }
  });

  it('the S-step sampler of the exact model draws from the target (mean and variance), S = 1, 2, 3', () => {
    for (const S of [1, 2, 3]) {
      const m = new ResidualConsistencyMlp(exactConsistency(single, 48), S, [8], new Rng(1));
      const N = 4000;
      const x = m.sample(N, new Rng(2 + S));
      for (let d = 0; d < 2; d++) {
        let a = 0,
          b = 0;
        for (let n = 0; n < N; n++) a += x[2 * n + d] / N;
        for (let n = 0; n < N; n++) b += (x[2 * n + d] - a) ** 2 / N;
        expect(Math.abs(a - mu[d])).toBeLessThan(0.04);
        expect(Math.abs(Math.sqrt(b) - s)).toBeLessThan(0.03);
      }
    }
    consistencyTimes(3).forEach((t, i) => expect(t).toBeCloseTo([1, 2 / 3, 1 / 3][i], 14));
  });

  it('log π(a | s) = log N((1 − τ_{n+1}) f, τ_{n+1}² I); its gradient in f matches finite differences', () => {
    const S = 4,
      n = 1;
    const t = 1 - (n + 1) / S;
    const f = [0.4, -1.1],
      a = [0.1, 0.2];
    const g = new Float64Array(2);
    const lp = consistencyLogProb(S, n, f, a, 1, g)[0];
    const q = (a[0] - (1 - t) * f[0]) ** 2 + (a[1] - (1 - t) * f[1]) ** 2;
    expect(lp).toBeCloseTo(-Math.log(2 * Math.PI * t * t) - q / (2 * t * t), 12);
    const h = 1e-6;
    for (let i = 0; i < 2; i++) {
      const fp = [...f],
        fm = [...f];
      fp[i] += h;
      fm[i] -= h;
      const d = (consistencyLogProb(S, n, fp, a, 1)[0] - consistencyLogProb(S, n, fm, a, 1)[0]) / (2 * h);
      expect(g[i]).toBeCloseTo(d, 5);
    }
  });

  it('recorded chains: S states, S − 1 log-probabilities as at sampling time; the residual starts at 0', () => {
    const m = new ResidualConsistencyMlp(exactConsistency(single, 24), 3, [16], new Rng(4));
    const ch = sampleConsistencyChains(m, 5, new Rng(5));
    expect(ch.xs).toHaveLength(3);
    expect(ch.logpOld).toHaveLength(2);
    for (let n = 0; n < 2; n++) {
      const { f } = m.predict(ch.xs[n], n, 5);
      const lp = consistencyLogProb(3, n, f, ch.xs[n + 1], 5);
      for (let i = 0; i < 5; i++) expect(lp[i]).toBeCloseTo(ch.logpOld[n][i], 10);
      const fs = exactConsistency(single, 24)(ch.xs[n], 1 - n / 3, 5);
      for (let i = 0; i < 10; i++) expect(f[i]).toBe(fs[i]);
    }
  });

  it('one RLCM round (1 epoch, 1 minibatch) takes the REINFORCE step −(1/N) Σ A_n Σ_j ∇log π', () => {
    const m = new ResidualConsistencyMlp(exactConsistency(single, 24), 3, [6], new Rng(6));
    // a non-zero residual so that every parameter has a gradient
    const p = m.net.mlp.params.f;
    const r0 = new Rng(7);
    for (let i = 0; i < p.length; i++) p[i] = 0.3 * r0.normal();
    const before = Float32Array.from(p);
    const reward = quadraticReward2d([2, 0], 1);
    const opt = new Adam(m.size, { lr: 1e-3 });
    const N = 8;
    rlcmRound(m, reward, N, { epochs: 1, minibatches: 1, clip: 0.2, advClipMax: 10 }, new Rng(8), opt);
    // Adam's first step moves each parameter by −lr·sign(gradient) (up to ε): compare signs with a direct estimate
    const m2 = new ResidualConsistencyMlp(exactConsistency(single, 24), 3, [6], new Rng(6));
    m2.net.mlp.params.f.set(before);
    const ch = sampleConsistencyChains(m2, N, new Rng(8).split('sample'));
    const r = reward.value(ch.x0, N);
    const mean = r.reduce((a, b) => a + b, 0) / N;
    const sd = Math.sqrt(r.reduce((a, b) => a + (b - mean) ** 2, 0) / N) + 1e-8;
    const A = r.map((v) => (v - mean) / sd);
    m2.net.mlp.zeroGrad();
    for (let n = 0; n < 2; n++) {
      const { f } = m2.predict(ch.xs[n], n, N);
      const g = new Float64Array(2 * N);
      consistencyLogProb(3, n, f, ch.xs[n + 1], N, g);
      for (let i = 0; i < N; i++) {
        g[2 * i] *= -A[i] / N;
        g[2 * i + 1] *= -A[i] / N;
      }
      m2.net.backward(g);
    }
    const grad = m2.net.mlp.grads.f;
    let agree = 0,
      count = 0;
    for (let i = 0; i < p.length; i++) {
      if (Math.abs(grad[i]) < 1e-6) continue;
      count++;
      if (Math.sign(p[i] - before[i]) === -Math.sign(grad[i])) agree++;
    }
    expect(count).toBeGreaterThan(10);
    expect(agree).toBe(count);
  });
});
