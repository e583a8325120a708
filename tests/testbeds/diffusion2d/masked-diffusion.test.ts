import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import {
  discreteKl,
  markovDistribution,
  markovSequenceModel,
  motifReward,
  rewardOnSequences,
  sequenceHistogram,
  tiltSequences,
} from '../../../src/testbeds/diffusion2d/env/sequence-targets';
import { drakesGumbelNoise, drakesLossAndGrad } from '../../../src/testbeds/diffusion2d/methods/drakes';
import { classifierGuidedKernel } from '../../../src/testbeds/diffusion2d/methods/masked-guidance';
import {
  denoiserKernel,
  exactMaskedDistribution,
  MaskedDenoiser,
  pretrainMaskedDenoiser,
  sampleMaskedKernel,
} from '../../../src/testbeds/diffusion2d/models/masked-diffusion';

const K = 4;
const chain = (L: number) =>
  markovSequenceModel(
    L,
    [0.3, 0.2, 0.2, 0.3],
    [
      [0.4, 0.2, 0.25, 0.15],
      [0.35, 0.3, 0.05, 0.3],
      [0.25, 0.3, 0.3, 0.15],
      [0.2, 0.25, 0.3, 0.25],
    ],
  );
const reward = (L: number) =>
  motifReward(
    'cg',
    K,
    L,
    [0, 0, 0.5, 0],
    [
      [0, 0, 0, 0],
      [0, 0, 1.5, 0],
      [0, 0, 0, 0],
      [0.2, 0, 0, 0],
    ],
  );

/** A small denoiser trained briefly (so its kernel is not uniform) and a perturbed copy. */
function models(L: number, T: number) {
  const m = new MaskedDenoiser({ K, L, T, hidden: [16] }, new Rng(3));
  pretrainMaskedDenoiser(m, chain(L), 150, 64, new Adam(m.mlp.size, { lr: 1e-2 }), new Rng(4));
  const other = m.clone();
  const r = new Rng(5);
  for (let i = 0; i < other.mlp.size; i++) other.mlp.params.f[i] += r.normal(0, 0.15);
  return { m, other };
}

describe('sequence targets', () => {
  it('the chain distribution sums to 1 and the tilt is p·exp(r/α)/Z', () => {
    const p = markovDistribution(chain(4));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const r = rewardOnSequences(reward(4));
    const { q, logZ } = tiltSequences(p, r, 0.7);
    for (const s of [0, 17, 255]) expect(q[s]).toBeCloseTo((p[s] * Math.exp(r[s] / 0.7)) / Math.exp(logZ), 12);
  });

  it('the multilinear reward equals r on one-hot rows and its gradient matches finite differences', () => {
    const L = 4,
      W = 5;
    const rw = reward(L);
    const x = new Int32Array([1, 2, 3, 0]);
    const oh = new Float64Array(L * W);
    for (let i = 0; i < L; i++) oh[i * W + x[i]] = 1;
    expect(rw.softValue(oh, 1, W)[0]).toBeCloseTo(rw.value(x, 1)[0], 12);
    const r = new Rng(1);
    const xs = Float64Array.from({ length: L * W }, () => r.uniform());
    const g = rw.softGrad(xs, 1, W);
    for (const i of [0, 6, 12, 17]) {
      const e = 1e-6;
      const a = Float64Array.from(xs),
        b = Float64Array.from(xs);
      a[i] += e;
      b[i] -= e;
      const fd = (rw.softValue(a, 1, W)[0] - rw.softValue(b, 1, W)[0]) / (2 * e);
      expect(g[i]).toBeCloseTo(i % W === 4 ? 0 : fd, 6);
    }
  });
});

describe('masked discrete diffusion', () => {
  it("the sampler's exact distribution (enumeration of states) matches Monte Carlo", () => {
    const L = 3,
      T = 3;
    const { m } = models(L, T);
    const kern = denoiserKernel(m);
    const { p } = exactMaskedDistribution(kern, K, L, T);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    const N = 40000;
    const x = sampleMaskedKernel(kern, K, L, T, N, new Rng(9));
    const h = sequenceHistogram(x, N, K, L);
    for (let s = 0; s < p.length; s++)
      expect(Math.abs(h[s] - p[s])).toBeLessThan(5 * Math.sqrt((p[s] * (1 - p[s])) / N) + 1e-3);
  });

  it('with T ≥ L steps a denoiser trained on the chain reproduces it (small KL)', () => {
    const L = 3,
      T = 3;
    const m = new MaskedDenoiser({ K, L, T, hidden: [64, 64] }, new Rng(11));
    pretrainMaskedDenoiser(m, chain(L), 1500, 128, new Adam(m.mlp.size, { lr: 2e-3 }), new Rng(12));
    const { p } = exactMaskedDistribution(denoiserKernel(m), K, L, T);
    expect(discreteKl(markovDistribution(chain(L)), p)).toBeLessThan(0.03);
  });

  it("DRAKES's KL term along hard trajectories is an unbiased estimate of the exact path KL (enumeration)", () => {
    const L = 3,
      T = 3;
    const { m, other } = models(L, T);
    const ex = exactMaskedDistribution(denoiserKernel(other), K, L, T, denoiserKernel(m));
    expect(ex.pathKl).toBeGreaterThan(0.01);
    // data processing: the path KL bounds the KL of the clean-sequence marginals
    const pm = exactMaskedDistribution(denoiserKernel(m), K, L, T).p;
    expect(ex.pathKl).toBeGreaterThanOrEqual(discreteKl(ex.p, pm) - 1e-9);
    const vals: number[] = [];
    const N = 200;
    for (let b = 0; b < 40; b++) {
      const noise = drakesGumbelNoise(other, N, new Rng(100 + b));
      other.mlp.zeroGrad();
      const r = drakesLossAndGrad(other, m, reward(L), { alpha: 1, tau: 1, truncate: 0 }, noise, N);
      vals.push(r.kl);
    }
    const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
    const sd = Math.sqrt(vals.reduce((a, b) => a + (b - mean) ** 2, 0) / (vals.length - 1) / vals.length);
    expect(Math.abs(mean - ex.pathKl)).toBeLessThan(4 * sd + 1e-3);
  });

  it('the Gumbel-softmax chain gradient (reward + KL, whole chain) matches finite differences', () => {
    // The relaxed objective is smooth in θ except where a soft row's argmax flips (the subs carry-over), so small
    // batches and a small step are used, and 18 of 20 random directions/noise draws must agree within 2%.
    const L = 3,
      T = 3,
      N = 2;
    const { m, other } = models(L, T);
    const o = { alpha: 0.7, tau: 0.5, truncate: T, straightThrough: false };
    let ok = 0;
    for (let seed = 0; seed < 20; seed++) {
      const noise = drakesGumbelNoise(other, N, new Rng(100 + seed));
      other.mlp.zeroGrad();
      drakesLossAndGrad(other, m, reward(L), o, noise, N);
      const g = Float64Array.from(other.mlp.grads.f);
      const r = new Rng(22 + seed);
      const v = Float64Array.from({ length: g.length }, () => r.normal());
      let analytic = 0;
      for (let i = 0; i < g.length; i++) analytic += g[i] * v[i];
      const loss = (eps: number) => {
        const p = other.clone();
        for (let i = 0; i < v.length; i++) p.mlp.params.f[i] += eps * v[i];
        return drakesLossAndGrad(p, m, reward(L), o, noise, N).loss;
      };
      const fd = (loss(3e-4) - loss(-3e-4)) / 6e-4;
      if (Math.abs(fd - analytic) < 0.02 * Math.abs(analytic) + 2e-3) ok++;
    }
    expect(ok).toBeGreaterThanOrEqual(18);
  });

  it('at a low Gumbel-softmax temperature the relaxed chain ends on the Gumbel-max hard sample', () => {
    const L = 3,
      T = 3,
      N = 64;
    const { m, other } = models(L, T);
    const noise = drakesGumbelNoise(other, N, new Rng(31));
    const hard = drakesLossAndGrad(other, m, reward(L), { alpha: 0, tau: 1, truncate: 0 }, noise, N).x0;
    const soft = drakesLossAndGrad(other, m, reward(L), { alpha: 0, tau: 0.01, truncate: T }, noise, N).x0;
    let same = 0;
    for (let i = 0; i < hard.length; i++) if (hard[i] === soft[i]) same++;
    expect(same / hard.length).toBeGreaterThan(0.98);
  });

  it('classifier guidance with γ = 0 is the pre-trained kernel; with γ > 0 its rows stay normalised', () => {
    const L = 3,
      T = 3;
    const { m } = models(L, T);
    const rw = reward(L);
    const p0 = exactMaskedDistribution(denoiserKernel(m), K, L, T).p;
    const pg0 = exactMaskedDistribution(classifierGuidedKernel(m, rw, 0), K, L, T).p;
    for (let s = 0; s < p0.length; s++) expect(pg0[s]).toBeCloseTo(p0[s], 10);
    const pg = exactMaskedDistribution(classifierGuidedKernel(m, rw, 3), K, L, T).p;
    expect(pg.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    let moved = 0;
    for (let s = 0; s < p0.length; s++) moved += Math.abs(pg[s] - p0[s]);
    expect(moved).toBeGreaterThan(1e-4);
  });
});
