/**
 * Masked (absorbing-state) discrete diffusion on short sequences (MDLM, Sahoo et al. 2024; the model class DRAKES
 * fine-tunes), small enough that the sampler's distribution is computed exactly by enumerating its states.
 *
 * Tokens 0…K−1, mask token K. Forward process: each position is masked independently with probability t (linear
 * schedule, t ∈ [0, 1]). Reverse sampler on the grid t_j = 1 − j/T (j = 0…T): from t = t_j to s = t_{j+1}, every
 * masked position independently stays masked with probability s/t or becomes token k with probability
 * p_θ(k | x_t)·(t − s)/t; unmasked positions are copied (the "subs" parameterisation: the denoiser's prediction at an
 * unmasked position is the position's own token). The last step has s = 0, so the sampler ends on clean sequences.
 *
 * Denoiser p_θ(x_0 | x_t): a ReLU MLP (src/nn/mlp.ts) on [x̃_t (L × (K+1) one-hot or relaxed), t] giving L × K logits.
 * Relaxed (soft) inputs follow DRAKES's official code: the network sees the soft vector, the subs carry-over is
 * decided by the row's argmax.
 */
import { Rng } from '../../../core/rng';
import type { Adam } from '../../../nn/adam';
import { mlpOn, type AnyMlp } from '../../../nn/thread-engine';
import type { MarkovSequenceModel } from '../env/sequence-targets';
import { markovSample, sequenceCount } from '../env/sequence-targets';

export interface MaskedDenoiserShape {
  K: number;
  L: number;
  /** Reverse steps T. */
  T: number;
  hidden: number[];
}

export class MaskedDenoiser {
  readonly shape: MaskedDenoiserShape;
  readonly mlp: AnyMlp;
  /** Width of one position's input row (K + 1: tokens and mask) and of the whole input (L·(K+1) + 1). */
  readonly W: number;
  readonly inputs: number;

  constructor(shape: MaskedDenoiserShape, rng: Rng) {
    this.shape = { ...shape, hidden: [...shape.hidden] };
    this.W = shape.K + 1;
    this.inputs = shape.L * this.W + 1;
    this.mlp = mlpOn('diffusion2d.MaskedDenoiser', [this.inputs, ...shape.hidden, shape.L * shape.K], rng);
  }

  /** Sampler time t_j = 1 − j/T. */
  time(j: number): number {
    return 1 - j / this.shape.T;
  }

  /**
   * p_θ(x_0 | x̃_t) for N soft inputs (N × L × (K+1)) at time t: returns p (N × L × K, subs carry-over applied),
   * the raw softmax of the network (`pNet`), and `carried` (1 where the row's argmax is a token, so p is that token's
   * one-hot and does not depend on θ). Keeps the network's activations for `backward`.
   */
  probs(xs: ArrayLike<number>, t: number, N: number): { p: Float64Array; pNet: Float64Array; carried: Uint8Array } {
    const { K, L } = this.shape,
      W = this.W,
      D = this.inputs;
    const f = new Float32Array(N * D);
    for (let n = 0; n < N; n++) {
      for (let i = 0; i < L * W; i++) f[n * D + i] = xs[n * L * W + i];
      f[n * D + L * W] = t;
    }
    const z = this.mlp.forward(f, N);
    const p = new Float64Array(N * L * K),
      pNet = new Float64Array(N * L * K),
      carried = new Uint8Array(N * L);
    for (let r = 0; r < N * L; r++) {
      let m = -Infinity;
      for (let k = 0; k < K; k++) m = Math.max(m, z[r * K + k]);
      let s = 0;
      for (let k = 0; k < K; k++) s += pNet[r * K + k] = Math.exp(z[r * K + k] - m);
      for (let k = 0; k < K; k++) pNet[r * K + k] /= s;
      let am = 0;
      for (let k = 1; k <= K; k++) if (xs[r * W + k] > xs[r * W + am]) am = k;
      if (am < K) {
        carried[r] = 1;
        p[r * K + am] = 1;
      } else for (let k = 0; k < K; k++) p[r * K + k] = pNet[r * K + k];
    }
    return { p, pNet, carried };
  }

  /** Accumulates the parameter gradient for ∂loss/∂logits = dz (N × L × K) of the last `probs`; returns ∂loss/∂x̃. */
  backward(dz: ArrayLike<number>, N: number): Float64Array {
    const { L } = this.shape,
      W = this.W,
      D = this.inputs;
    const dx = new Float32Array(N * D);
    this.mlp.backward(Float32Array.from(dz), dx);
    const out = new Float64Array(N * L * W);
    for (let n = 0; n < N; n++) for (let i = 0; i < L * W; i++) out[n * L * W + i] = dx[n * D + i];
    return out;
  }

  clone(): MaskedDenoiser {
    const m = new MaskedDenoiser(this.shape, new Rng(0));
    m.mlp.params.f.set(this.mlp.params.f);
    return m;
  }
}

/** One-hot rows (N × L × (K+1)) of hard states (N × L tokens, mask = K). */
export function maskedOneHot(x: Int32Array, N: number, K: number, L: number): Float64Array {
  const W = K + 1;
  const o = new Float64Array(N * L * W);
  for (let r = 0; r < N * L; r++) o[r * W + x[r]] = 1;
  return o;
}

/**
 * Pre-training with the MDLM objective in the sampler's discrete time: t drawn from the grid {t_0, …, t_{T−1}}, each
 * position masked with probability t, loss (1/t)·Σ_{masked ℓ} −log p_θ(x_0^ℓ | x_t) / L, mean over the batch (the
 * ELBO weight of a linear schedule). Returns the loss curve (one value per step).
 */
export function pretrainMaskedDenoiser(
  model: MaskedDenoiser,
  data: MarkovSequenceModel,
  steps: number,
  batch: number,
  opt: Adam,
  rng: Rng,
): number[] {
  const { K, L, T } = model.shape;
  const curve: number[] = [];
  for (let it = 0; it < steps; it++) {
    const r = rng.split(it);
    const x0 = markovSample(data, batch, r.split('x0'));
    const xt = new Int32Array(batch * L);
    const ts = new Float64Array(batch);
    const mr = r.split('mask');
    for (let n = 0; n < batch; n++) {
      ts[n] = model.time(mr.int(T));
      for (let i = 0; i < L; i++) xt[n * L + i] = mr.uniform() < ts[n] ? K : x0[n * L + i];
    }
    // One forward per distinct t would need batching by t; the network takes t as an input column instead.
    const W = K + 1,
      D = model.inputs;
    const f = new Float32Array(batch * D);
    for (let n = 0; n < batch; n++) {
      for (let i = 0; i < L; i++) f[n * D + i * W + xt[n * L + i]] = 1;
      f[n * D + L * W] = ts[n];
    }
    const z = model.mlp.forward(f, batch);
    const dz = new Float32Array(z.length);
    let loss = 0;
    for (let n = 0; n < batch; n++)
      for (let i = 0; i < L; i++) {
        if (xt[n * L + i] !== K) continue;
        const o = (n * L + i) * K;
        let m = -Infinity;
        for (let k = 0; k < K; k++) m = Math.max(m, z[o + k]);
        let s = 0;
        for (let k = 0; k < K; k++) s += Math.exp(z[o + k] - m);
        const w = 1 / (ts[n] * L * batch);
        const y = x0[n * L + i];
        loss += -(z[o + y] - m - Math.log(s)) * w;
        for (let k = 0; k < K; k++) dz[o + k] = (Math.exp(z[o + k] - m) / s - (k === y ? 1 : 0)) * w;
      }
    model.mlp.zeroGrad();
    model.mlp.backward(dz);
    opt.step(model.mlp.params.f, model.mlp.grads.f);
    curve.push(loss);
  }
  return curve;
}

/**
 * A reverse kernel: for N hard states (N × L, mask = K) at step j (t = t_j → s = t_{j+1}), the per-position
 * next-token probabilities (N × L × (K+1); a masked position's row over tokens and "stay masked"; rows of unmasked
 * positions are ignored). Positions move independently given the state.
 */
export type MaskedKernel = (x: Int32Array, N: number, j: number) => Float64Array;

/** The pre-trained (or fine-tuned) model's own reverse kernel. */
export function denoiserKernel(model: MaskedDenoiser): MaskedKernel {
  const { K, L } = model.shape;
  const W = K + 1;
  return (x, N, j) => {
    const t = model.time(j),
      s = model.time(j + 1);
    const { p } = model.probs(maskedOneHot(x, N, K, L), t, N);
    const q = new Float64Array(N * L * W);
    for (let r = 0; r < N * L; r++) {
      for (let k = 0; k < K; k++) q[r * W + k] = (p[r * K + k] * (t - s)) / t;
      q[r * W + K] = s / t;
    }
    return q;
  };
}

/** N hard samples (N × L) from a kernel, run from the all-masked state over T steps. */
export function sampleMaskedKernel(
  kernel: MaskedKernel,
  K: number,
  L: number,
  T: number,
  N: number,
  rng: Rng,
): Int32Array {
  const W = K + 1;
  const x = new Int32Array(N * L).fill(K);
  for (let j = 0; j < T; j++) {
    const q = kernel(x, N, j);
    const r = rng.split(j);
    for (let i = 0; i < N * L; i++) if (x[i] === K) x[i] = r.categorical(q.subarray(i * W, (i + 1) * W));
  }
  for (let i = 0; i < N * L; i++)
    if (x[i] === K) throw new Error('diffusion2d.sampleMaskedKernel: a position is still masked after the last step');
  return x;
}

/**
 * The kernel's exact distribution over the K^L clean sequences, by propagating the distribution over the (K+1)^L
 * partially masked states step by step (one batched kernel call per step). With `reference`, also the exact KL
 * between the two kernels' trajectory laws, KL(P^kernel ‖ P^reference) = Σ_j E_{x_{t_j}}[Σ_{masked ℓ}
 * KL(kernel_ℓ ‖ reference_ℓ)] (the discrete-time form of the CTMC path KL DRAKES regularises with).
 */
export function exactMaskedDistribution(
  kernel: MaskedKernel,
  K: number,
  L: number,
  T: number,
  reference?: MaskedKernel,
): { p: Float64Array; pathKl: number } {
  const W = K + 1;
  const SW = W ** L;
  let dist = new Float64Array(SW);
  dist[SW - 1] = 1; // all-masked state: every digit K
  let pathKl = 0;
  const decode = (code: number, out: Int32Array, o: number) => {
    for (let i = L - 1; i >= 0; i--) {
      out[o + i] = code % W;
      code = Math.floor(code / W);
    }
  };
  for (let j = 0; j < T; j++) {
    const live: number[] = [];
    for (let c = 0; c < SW; c++) if (dist[c] > 0) live.push(c);
    const N = live.length;
    const x = new Int32Array(N * L);
    live.forEach((c, n) => decode(c, x, n * L));
    const q = kernel(x, N, j);
    const qr = reference ? reference(x, N, j) : null;
    const next = new Float64Array(SW);
    for (let n = 0; n < N; n++) {
      const pn = dist[live[n]];
      if (qr)
        for (let i = 0; i < L; i++) {
          if (x[n * L + i] !== K) continue;
          const o = (n * L + i) * W;
          for (let k = 0; k < W; k++)
            if (q[o + k] > 0) pathKl += pn * q[o + k] * Math.log(q[o + k] / Math.max(qr[o + k], 1e-300));
        }
      // enumerate successors position by position
      const rec = (i: number, code: number, prob: number): void => {
        if (prob === 0) return;
        if (i === L) {
          next[code] += prob;
          return;
        }
        const tok = x[n * L + i];
        if (tok !== K) return rec(i + 1, code * W + tok, prob);
        const o = (n * L + i) * W;
        for (let k = 0; k < W; k++) rec(i + 1, code * W + k, prob * q[o + k]);
      };
      rec(0, 0, pn);
    }
    dist = next;
  }
  const S = sequenceCount(K, L);
  const p = new Float64Array(S);
  let leak = 0;
  for (let c = 0; c < SW; c++) {
    if (dist[c] === 0) continue;
    let code = c,
      idx = 0,
      mult = 1,
      masked = false;
    for (let i = L - 1; i >= 0; i--) {
      const d = code % W;
      code = Math.floor(code / W);
      if (d === K) masked = true;
      idx += d * mult;
      mult *= K;
    }
    if (masked) leak += dist[c];
    else p[idx] += dist[c];
  }
  if (leak > 1e-12) throw new Error(`diffusion2d.exactMaskedDistribution: ${leak} mass still masked after T steps`);
  return { p, pathKl };
}
