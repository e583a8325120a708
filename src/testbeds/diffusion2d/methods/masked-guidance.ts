/**
 * Inference-time reward guidance for masked discrete diffusion (models/masked-diffusion.ts), the baselines DRAKES
 * compares against, written from its official code (drakes_dna/diffusion_gosai_update.py):
 * - classifier guidance (CG, `_ddpm_update_finetune_controlled_CG`, after Nisonoff et al. 2024): with x one-hot and
 *   ĝ = ∂r(E[x_0 | x_t])/∂x (through the denoiser), every masked position's next-token weights are multiplied by
 *   exp(γ·(ĝ_k − ĝ_mask)); the result is a product kernel, so its distribution is enumerable exactly;
 * - SMC (`_ddpm_update_finetune_controlled_SMC`, after Wu et al. 2023 / Li et al. 2024): the batch is the particle
 *   set; after each pre-trained step, particles are resampled with weights exp((v(x_s) − v(x_t))/α),
 *   v(x) = r(argmax E[x_0 | x]);
 * - TDS (`_ddpm_update_finetune_controlled_TDS`, Wu et al. 2023): SMC with the CG kernel as proposal and the
 *   importance ratio p_pre(x_s | x_t)/q_CG(x_s | x_t) in the weight.
 */
import type { Rng } from '../../../core/rng';
import type { SequenceReward } from '../env/sequence-targets';
import { denoiserKernel, maskedOneHot, type MaskedDenoiser, type MaskedKernel } from '../models/masked-diffusion';

/** The classifier-guided reverse kernel with guidance scale γ (γ = 1/α aims at the tilt p·exp(r/α)). */
export function classifierGuidedKernel(model: MaskedDenoiser, reward: SequenceReward, gamma: number): MaskedKernel {
  const { K, L } = model.shape;
  const W = K + 1;
  return (x, N, j) => {
    const t = model.time(j),
      s = model.time(j + 1);
    const { p, carried } = model.probs(maskedOneHot(x, N, K, L), t, N);
    const rg = reward.softGrad(p, N, K);
    const dz = new Float64Array(N * L * K);
    for (let r = 0; r < N * L; r++) {
      if (carried[r]) continue;
      let dot = 0;
      for (let k = 0; k < K; k++) dot += p[r * K + k] * rg[r * K + k];
      for (let k = 0; k < K; k++) dz[r * K + k] = p[r * K + k] * (rg[r * K + k] - dot);
    }
    const dx = model.backward(dz, N);
    model.mlp.zeroGrad();
    const q = new Float64Array(N * L * W);
    for (let r = 0; r < N * L; r++) {
      let z = s / t;
      const e = new Float64Array(K);
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, gamma * (dx[r * W + k] - dx[r * W + K]));
      // scale by exp(−max(m, 0)) for stability (the kernel is normalised below)
      const sh = Math.max(m, 0);
      for (let k = 0; k < K; k++) {
        e[k] = ((p[r * K + k] * (t - s)) / t) * Math.exp(gamma * (dx[r * W + k] - dx[r * W + K]) - sh);
      }
      z = (s / t) * Math.exp(-sh);
      let tot = z;
      for (let k = 0; k < K; k++) tot += e[k];
      for (let k = 0; k < K; k++) q[r * W + k] = e[k] / tot;
      q[r * W + K] = z / tot;
    }
    return q;
  };
}

/** v(x) = r(argmax_k E[x_0 | x]) for N hard states at time t (clean states: r(x)). */
function lookaheadValue(model: MaskedDenoiser, reward: SequenceReward, x: Int32Array, N: number, t: number) {
  const { K, L } = model.shape;
  const { p } = model.probs(maskedOneHot(x, N, K, L), t, N);
  const a = new Int32Array(N * L);
  for (let r = 0; r < N * L; r++) {
    let am = 0;
    for (let k = 1; k < K; k++) if (p[r * K + k] > p[r * K + am]) am = k;
    a[r] = am;
  }
  return reward.value(a, N);
}

export interface MaskedSmcOptions {
  /** Tilt temperature α of the weights exp(Δv/α). */
  alpha: number;
  /** TDS: guidance scale of the CG proposal (0 → plain SMC with the pre-trained proposal). */
  proposalGamma: number;
}

/**
 * One batch of N particles from SMC (proposalGamma = 0) or TDS (proposalGamma > 0), multinomial resampling after
 * every step as in the official code. Returns the hard samples (N × L) and the number of reward evaluations.
 */
export function maskedSmcSample(
  model: MaskedDenoiser,
  reward: SequenceReward,
  o: MaskedSmcOptions,
  N: number,
  rng: Rng,
): { x: Int32Array; rewardQueries: number } {
  const { K, L, T } = model.shape;
  const W = K + 1;
  const base = denoiserKernel(model);
  const prop = o.proposalGamma > 0 ? classifierGuidedKernel(model, reward, o.proposalGamma) : null;
  let x = new Int32Array(N * L).fill(K);
  let queries = 0;
  for (let j = 0; j < T; j++) {
    const t = model.time(j),
      s = model.time(j + 1);
    const r = rng.split(j);
    const qb = base(x, N, j);
    const qp = prop ? prop(x, N, j) : qb;
    if (prop) queries += N;
    const xs = Int32Array.from(x);
    const logRatio = new Float64Array(N);
    for (let i = 0; i < N * L; i++) {
      if (x[i] !== K) continue;
      const k = r.categorical(qp.subarray(i * W, (i + 1) * W));
      xs[i] = k;
      if (prop) logRatio[Math.floor(i / L)] += Math.log(qb[i * W + k] / qp[i * W + k]);
    }
    const vNum = lookaheadValue(model, reward, xs, N, s);
    const vDen = lookaheadValue(model, reward, x, N, t);
    queries += 2 * N;
    const lw = new Float64Array(N);
    let m = -Infinity;
    for (let n = 0; n < N; n++) {
      lw[n] = (vNum[n] - vDen[n]) / o.alpha + logRatio[n];
      m = Math.max(m, lw[n]);
    }
    const w = lw.map((v) => Math.exp(v - m));
    const pick = r.split('resample');
    const next = new Int32Array(N * L);
    for (let n = 0; n < N; n++) {
      const a = pick.categorical(w);
      next.set(xs.subarray(a * L, (a + 1) * L), n * L);
    }
    x = next;
  }
  return { x, rewardQueries: queries };
}
