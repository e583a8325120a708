/**
 * Short discrete sequences with exact likelihoods, for masked discrete diffusion on the diffusion2d testbed: a
 * first-order Markov chain over a small alphabet (the "natural" data distribution, its log-likelihood the naturalness
 * score), a motif reward with a differentiable multilinear extension to soft (relaxed one-hot) inputs, and the tilted
 * target p(x)·exp(r(x)/α)/Z over all K^L sequences by enumeration.
 *
 * Sequences are Int32Array of length L with tokens 0…K−1; sequence index = Σ_i x_i·K^(L−1−i) (first token most
 * significant). Soft inputs are row-major L × W arrays (W ≥ K, only the first K entries of a row are read).
 */
import type { Rng } from '../../../core/rng';

export interface MarkovSequenceModel {
  /** Alphabet size K and length L. */
  K: number;
  L: number;
  /** Initial distribution (K) and row-stochastic transition matrix (K × K, row-major). */
  init: Float64Array;
  trans: Float64Array;
}

export function markovSequenceModel(L: number, init: number[], trans: number[][]): MarkovSequenceModel {
  const K = init.length;
  if (trans.length !== K || trans.some((r) => r.length !== K))
    throw new RangeError(`diffusion2d.markovSequenceModel: transition matrix must be ${K} × ${K}`);
  const norm = (r: number[]) => {
    const s = r.reduce((a, b) => a + b, 0);
    if (!(s > 0) || r.some((v) => !(v > 0))) throw new RangeError('diffusion2d.markovSequenceModel: rows must be > 0');
    return r.map((v) => v / s);
  };
  return { K, L, init: Float64Array.from(norm(init)), trans: Float64Array.from(trans.flatMap(norm)) };
}

/** log p(x) under the chain. */
export function markovLogProb(m: MarkovSequenceModel, x: ArrayLike<number>): number {
  let lp = Math.log(m.init[x[0]]);
  for (let i = 1; i < m.L; i++) lp += Math.log(m.trans[x[i - 1] * m.K + x[i]]);
  return lp;
}

/** N sequences (N × L tokens, row-major) drawn from the chain. */
export function markovSample(m: MarkovSequenceModel, N: number, rng: Rng): Int32Array {
  const out = new Int32Array(N * m.L);
  const row = (k: number) => m.trans.subarray(k * m.K, (k + 1) * m.K);
  for (let n = 0; n < N; n++) {
    let prev = rng.categorical(m.init);
    out[n * m.L] = prev;
    for (let i = 1; i < m.L; i++) {
      prev = rng.categorical(row(prev));
      out[n * m.L + i] = prev;
    }
  }
  return out;
}

/** Number of sequences K^L. */
export function sequenceCount(K: number, L: number): number {
  return K ** L;
}

/** Tokens of sequence index s. */
export function sequenceOfIndex(s: number, K: number, L: number): Int32Array {
  const x = new Int32Array(L);
  for (let i = L - 1; i >= 0; i--) {
    x[i] = s % K;
    s = Math.floor(s / K);
  }
  return x;
}

export function sequenceIndex(x: ArrayLike<number>, K: number, offset = 0, L = x.length - offset): number {
  let s = 0;
  for (let i = 0; i < L; i++) s = s * K + x[offset + i];
  return s;
}

/** The chain's exact distribution over all K^L sequences (by enumeration). */
export function markovDistribution(m: MarkovSequenceModel): Float64Array {
  const S = sequenceCount(m.K, m.L);
  const p = new Float64Array(S);
  for (let s = 0; s < S; s++) p[s] = Math.exp(markovLogProb(m, sequenceOfIndex(s, m.K, m.L)));
  return p;
}

/**
 * A motif reward r(x) = Σ_i u[x_i] + Σ_i B[x_i, x_{i+1}] (a per-position token score plus a dinucleotide score), with
 * its multilinear extension r(x̃) = Σ_i u·x̃_i + Σ_i x̃_iᵀ B x̃_{i+1} on soft inputs: exact on one-hot rows, smooth in
 * between (the stand-in for a differentiable sequence-to-activity oracle).
 */
export interface SequenceReward {
  name: string;
  K: number;
  L: number;
  /** r on hard sequences: x is N × L tokens. */
  value(x: Int32Array, N: number): Float64Array;
  /** r on soft inputs (N × L × W, W ≥ K). */
  softValue(xs: ArrayLike<number>, N: number, W: number): Float64Array;
  /** ∂r/∂x̃ on soft inputs (N × L × W; entries ≥ K are 0). */
  softGrad(xs: ArrayLike<number>, N: number, W: number): Float64Array;
}

export function motifReward(name: string, K: number, L: number, u: number[], B: number[][]): SequenceReward {
  if (u.length !== K || B.length !== K || B.some((r) => r.length !== K))
    throw new RangeError(`diffusion2d.motifReward: u must have ${K} entries and B be ${K} × ${K}`);
  const Bf = Float64Array.from(B.flat());
  const softValue = (xs: ArrayLike<number>, N: number, W: number) => {
    const out = new Float64Array(N);
    for (let n = 0; n < N; n++) {
      let r = 0;
      for (let i = 0; i < L; i++) {
        const o = (n * L + i) * W;
        for (let a = 0; a < K; a++) r += u[a] * xs[o + a];
        if (i + 1 < L)
          for (let a = 0; a < K; a++) {
            const xa = xs[o + a];
            if (xa === 0) continue;
            for (let b = 0; b < K; b++) r += xa * Bf[a * K + b] * xs[o + W + b];
          }
      }
      out[n] = r;
    }
    return out;
  };
  return {
    name,
    K,
    L,
    value(x, N) {
      const out = new Float64Array(N);
      for (let n = 0; n < N; n++) {
        let r = 0;
        for (let i = 0; i < L; i++) {
          const a = x[n * L + i];
          r += u[a];
          if (i + 1 < L) r += Bf[a * K + x[n * L + i + 1]];
        }
        out[n] = r;
      }
      return out;
    },
    softValue,
    softGrad(xs, N, W) {
      const g = new Float64Array(N * L * W);
      for (let n = 0; n < N; n++)
        for (let i = 0; i < L; i++) {
          const o = (n * L + i) * W;
          for (let a = 0; a < K; a++) {
            let v = u[a];
            if (i + 1 < L) for (let b = 0; b < K; b++) v += Bf[a * K + b] * xs[o + W + b];
            if (i > 0) for (let b = 0; b < K; b++) v += xs[o - W + b] * Bf[b * K + a];
            g[o + a] = v;
          }
        }
      return g;
    },
  };
}

/** r on every sequence index. */
export function rewardOnSequences(r: SequenceReward): Float64Array {
  const S = sequenceCount(r.K, r.L);
  const x = new Int32Array(S * r.L);
  for (let s = 0; s < S; s++) x.set(sequenceOfIndex(s, r.K, r.L), s * r.L);
  return r.value(x, S);
}

/** The tilted target q(x) = p(x)·exp(r(x)/α)/Z over sequences, and log Z. */
export function tiltSequences(
  p: ArrayLike<number>,
  r: ArrayLike<number>,
  alpha: number,
): { q: Float64Array; logZ: number } {
  if (!(alpha > 0)) throw new RangeError(`diffusion2d.tiltSequences: alpha must be > 0, got ${alpha}`);
  let m = -Infinity;
  for (let s = 0; s < p.length; s++) if (p[s] > 0) m = Math.max(m, r[s] / alpha);
  const q = new Float64Array(p.length);
  let z = 0;
  for (let s = 0; s < p.length; s++) {
    q[s] = p[s] > 0 ? p[s] * Math.exp(r[s] / alpha - m) : 0;
    z += q[s];
  }
  for (let s = 0; s < p.length; s++) q[s] /= z;
  return { q, logZ: Math.log(z) + m };
}

/** KL(p‖q) over a finite set (p log p/q; +∞ where q = 0 < p). */
export function discreteKl(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let k = 0;
  for (let s = 0; s < p.length; s++) {
    if (p[s] <= 0) continue;
    if (q[s] <= 0) return Infinity;
    k += p[s] * Math.log(p[s] / q[s]);
  }
  return Math.max(0, k);
}

/** Total variation ½Σ|p − q|. */
export function discreteTv(p: ArrayLike<number>, q: ArrayLike<number>): number {
  let t = 0;
  for (let s = 0; s < p.length; s++) t += Math.abs(p[s] - q[s]);
  return t / 2;
}

/** Empirical distribution over sequence indices of N hard sequences (N × L). */
export function sequenceHistogram(x: Int32Array, N: number, K: number, L: number): Float64Array {
  const h = new Float64Array(sequenceCount(K, L));
  for (let n = 0; n < N; n++) h[sequenceIndex(x, K, n * L, L)] += 1 / N;
  return h;
}
