/**
 * Variational Preference Learning (VPL; Poddar, Wan, Ivison, Gupta & Jaques, "Personalizing Reinforcement Learning
 * from Human Feedback with Variational Preference Learning", NeurIPS 2024, arXiv:2408.10075), the reward model of
 * the official code (github.com/WEIRDLabUW/vpl, pref_learn/models/vae.py, `VAEModel`):
 *   encoder  q_ψ(z | C) = N(μ_ψ(C), diag exp(logvar_ψ(C))), C = {(s¹_k, s²_k, y_k)}_{k<K} one annotator's K labelled
 *            pairs, concatenated into one input vector (vae.py `encode`);
 *   decoder  r_φ(s, z), a reward on item features conditioned on the latent (vae.py `decode`);
 *   likelihood  P(s¹ ≻ s² | z) = σ(r_φ(s¹, z) − r_φ(s², z));
 *   loss per context (the negative ELBO, vae.py `forward`):
 *     Σ_k BCE(y_k, σ(r_φ(s¹_k, z) − r_φ(s²_k, z))) + β · KL(q_ψ(z | C) ‖ N(0, I)),   z = μ + exp(logvar/2) ⊙ ε,
 *     KL = −½ Σ_j (1 + logvar_j − μ_j² − exp(logvar_j)).
 * The code sums over the batch (reduction "sum"); here a batch's loss is the mean over its contexts, which keeps the
 * ratio of the two terms (both are per-context sums) and only rescales the step. At test time the user's latent is
 * the posterior mean μ_ψ(C) of a context of that user's labels (the code's `biased_latents`).
 * Gradients: the decoder's input gradient gives ∂L/∂z; by the reparameterisation ∂L/∂μ = ∂L/∂z + β μ and
 * ∂L/∂logvar = ½ ∂L/∂z ⊙ ε ⊙ exp(logvar/2) + β ½ (exp(logvar) − 1).
 */
import type { Rng } from '../../../core/rng';
import { Adam } from '../../../nn/adam';
import { mlpOn, type AnyMlp } from '../../../nn/thread-engine';
import { bceWithLogit } from './bradley-terry-mlp';

export interface VplOptions {
  /** Item feature dimension. */
  dIn: number;
  /** Pairs per context (the code's annotation size / set_len). */
  K: number;
  /** Latent dimension. */
  latent: number;
  /** Hidden widths of the encoder and of the decoder. */
  hidden: readonly number[];
  /** KL weight β (the code's kl_weight, default 1). */
  beta: number;
  lr: number;
}

/** Clamp of logvar before exponentiating (numerical guard; inactive in normal training). */
const LOGVAR_CLAMP = 12;

/** A batch of B contexts: x1, x2 (B·K × dIn, context-major) and labels y (B·K). */
export interface ContextBatch {
  x1: Float32Array;
  x2: Float32Array;
  y: Float32Array;
  B: number;
}

/** The encoder's input for B contexts: per context, its K triples (s¹_k, s²_k, y_k) concatenated. */
export function encoderInput(batch: ContextBatch, K: number, dIn: number): Float32Array {
  const w = K * (2 * dIn + 1);
  const out = new Float32Array(batch.B * w);
  for (let b = 0; b < batch.B; b++)
    for (let k = 0; k < K; k++) {
      const i = b * K + k,
        o = b * w + k * (2 * dIn + 1);
      for (let j = 0; j < dIn; j++) {
        out[o + j] = batch.x1[i * dIn + j];
        out[o + dIn + j] = batch.x2[i * dIn + j];
      }
      out[o + 2 * dIn] = batch.y[i];
    }
  return out;
}

/** KL(N(μ, diag e^logvar) ‖ N(0, I)) of one latent. */
export function gaussianKl(mu: ArrayLike<number>, logvar: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < mu.length; j++) s += 1 + logvar[j] - mu[j] * mu[j] - Math.exp(logvar[j]);
  return -0.5 * s;
}

export class VplRewardModel {
  readonly enc: AnyMlp;
  readonly dec: AnyMlp;
  readonly o: VplOptions;
  private readonly optEnc: Adam;
  private readonly optDec: Adam;

  constructor(o: VplOptions, rng: Rng) {
    if (!(o.K >= 1 && o.latent >= 1 && o.beta >= 0))
      throw new RangeError(`VplRewardModel: K ≥ 1, latent ≥ 1 and beta ≥ 0 required, got ${JSON.stringify(o)}`);
    this.o = o;
    this.enc = mlpOn(
      'preference.variational-preference',
      [o.K * (2 * o.dIn + 1), ...o.hidden, 2 * o.latent],
      rng.split('encoder'),
    );
    this.dec = mlpOn('preference.variational-preference', [o.dIn + o.latent, ...o.hidden, 1], rng.split('decoder'));
    this.optEnc = new Adam(this.enc.size, { lr: o.lr });
    this.optDec = new Adam(this.dec.size, { lr: o.lr });
  }

  /** Posterior means and log-variances of B contexts (B × latent each). */
  encode(batch: ContextBatch): { mu: Float32Array; logvar: Float32Array } {
    const L = this.o.latent;
    const out = this.enc.forward(encoderInput(batch, this.o.K, this.o.dIn), batch.B);
    const mu = new Float32Array(batch.B * L),
      logvar = new Float32Array(batch.B * L);
    for (let b = 0; b < batch.B; b++)
      for (let j = 0; j < L; j++) {
        mu[b * L + j] = out[b * 2 * L + j];
        logvar[b * L + j] = Math.max(-LOGVAR_CLAMP, Math.min(LOGVAR_CLAMP, out[b * 2 * L + L + j]));
      }
    return { mu, logvar };
  }

  /** Rewards r_φ(s, z) of n items (n × dIn) under one latent z. */
  reward(x: Float32Array, n: number, z: ArrayLike<number>): Float32Array {
    const d = this.o.dIn,
      L = this.o.latent;
    const inp = new Float32Array(n * (d + L));
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) inp[i * (d + L) + j] = x[i * d + j];
      for (let j = 0; j < L; j++) inp[i * (d + L) + d + j] = z[j];
    }
    return this.dec.forward(inp, n);
  }

  /**
   * One Adam step on the negative ELBO of a batch of contexts (mean over contexts), with ε ~ N(0, I) from `rng`.
   * Returns the batch's mean BCE (summed over a context's K pairs) and mean KL before the step.
   */
  step(batch: ContextBatch, rng: Rng): { bce: number; kl: number } {
    const eps = Float32Array.from(rng.normals(batch.B * this.o.latent));
    const out = this.lossAndGrads(batch, eps);
    this.optDec.step(this.dec.params.f, this.dec.grads.f);
    this.optEnc.step(this.enc.params.f, this.enc.grads.f);
    return out;
  }

  /**
   * The negative ELBO of a batch (mean over contexts) at the reparameterisation noise ε (B × latent), with its
   * gradients written into `enc.grads` and `dec.grads` (zeroed first). Returns the mean BCE and mean KL.
   */
  lossAndGrads(batch: ContextBatch, eps: Float32Array): { bce: number; kl: number } {
    const { K, dIn: d, latent: L, beta } = this.o;
    const B = batch.B,
      N = B * K;
    if (batch.x1.length !== N * d || batch.x2.length !== N * d || batch.y.length !== N || eps.length !== B * L)
      throw new RangeError(
        `VplRewardModel: expected ${B} contexts of ${K} pairs of ${d} features and ${B}×${L} noise values`,
      );
    const { mu, logvar } = this.encode(batch);
    const z = new Float32Array(B * L);
    for (let i = 0; i < B * L; i++) z[i] = mu[i] + Math.exp(0.5 * logvar[i]) * eps[i];
    // Decoder rows: the N first items then the N second items, each with its context's z.
    const w = d + L;
    const inp = new Float32Array(2 * N * w);
    for (let h = 0; h < 2; h++) {
      const x = h === 0 ? batch.x1 : batch.x2;
      for (let i = 0; i < N; i++) {
        const row = (h * N + i) * w,
          b = Math.floor(i / K);
        for (let j = 0; j < d; j++) inp[row + j] = x[i * d + j];
        for (let j = 0; j < L; j++) inp[row + d + j] = z[b * L + j];
      }
    }
    const r = this.dec.forward(inp, 2 * N);
    const dr = new Float32Array(2 * N);
    let bce = 0;
    for (let i = 0; i < N; i++) {
      const g = bceWithLogit(r[i] - r[N + i], batch.y[i]);
      bce += g.loss;
      dr[i] = g.dd / B;
      dr[N + i] = -g.dd / B;
    }
    const dx = new Float32Array(2 * N * w);
    this.dec.zeroGrad();
    this.dec.backward(dr, dx);
    // ∂L/∂z per context: the sum over its 2K decoder rows.
    const dz = new Float64Array(B * L);
    for (let h = 0; h < 2; h++)
      for (let i = 0; i < N; i++) {
        const row = (h * N + i) * w,
          b = Math.floor(i / K);
        for (let j = 0; j < L; j++) dz[b * L + j] += dx[row + d + j];
      }
    const dEnc = new Float32Array(B * 2 * L);
    let kl = 0;
    for (let b = 0; b < B; b++) {
      kl += gaussianKl(mu.subarray(b * L, (b + 1) * L), logvar.subarray(b * L, (b + 1) * L));
      for (let j = 0; j < L; j++) {
        const i = b * L + j,
          sd = Math.exp(0.5 * logvar[i]);
        dEnc[b * 2 * L + j] = dz[i] + (beta * mu[i]) / B;
        dEnc[b * 2 * L + L + j] = 0.5 * dz[i] * eps[i] * sd + (beta * 0.5 * (Math.exp(logvar[i]) - 1)) / B;
      }
    }
    // The encoder's activations from `encode` above are still cached (the two MLPs have separate arenas).
    this.enc.zeroGrad();
    this.enc.backward(dEnc);
    return { bce: bce / B, kl: kl / B };
  }
}
