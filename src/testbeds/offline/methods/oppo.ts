/**
 * OPPO, offline preference-guided policy optimisation (Kang, Shi, Liu, He & Wang, "Beyond Reward: Offline
 * Preference-guided Policy Optimization", ICML 2023, arXiv:2305.16217), in linear-tabular form. Read from the
 * official code (github.com/bkkgbkjb/OPPO, oppo/scripted/gym/decision_transformer/training/pdt_trainer.py
 * `train_step`, and oppo/human/... the same with a separate hindsight batch); the paper's method section was not
 * reachable, so the terms are named after the paper's abstract and the code, not by equation number.
 *
 * Parts (one context dimension d):
 *   encoder        z = I_θ(τ) = (1/|τ|) Σ_t E[s_t, a_t]            (a mean-pooled (s, a) embedding table; the code:
 *                                                                   a transformer over the segment)
 *   policy         π(a | s, z) = softmax_a(B[s, a] + U[s, a]·z)     (a linear contextual policy; the code: a GPT
 *                                                                   decoder conditioned on z at every step)
 *   hindsight information matching (HIM): the policy imitates a trajectory given the trajectory's own context,
 *     L_HIM = −(1/N) Σ_{τ in batch} Σ_t log π(a_t | s_t, I_θ(τ))  (N transitions; the code: MSE on continuous
 *                                                                   actions)
 *   preference modelling: the optimal context z* is closer to the preferred trajectory's context than to the
 *     other's by a margin m (torch TripletMarginLoss, p = 2, ε = 1e-6, mean over pairs),
 *     L_PT = (1/K) Σ_k max(‖z* − z⁺_k + ε‖ − ‖z* − z⁻_k + ε‖ + m, 0)
 *   norm regulariser  L_norm = mean_k (‖z⁺_k‖ − 1)² + mean_k (‖z⁻_k‖ − 1)²  (the scripted code's MSE(‖φ‖, 1))
 * One iteration (the scripted code's train_step): the encoder and the policy take an Adam step on
 *   L_HIM + α L_PT(z* held fixed) + λ L_norm,
 * then z* takes an Adam step on L_PT with the encoder held fixed. The learned policy is π(· | s, z*).
 */
import { Adam64 } from '../../../nn/adam';
import type { Rng } from '../../../core/rng';
import type { OfflineDataset } from '../data/dataset';
import { episodeOffsets } from '../data/episodes';
import type { EpisodePairs } from '../data/trajectory-preferences';

export interface OppoOptions {
  /** Context dimension d (the code's z_dim, 8 in the scripted runs). */
  dim: number;
  /** Iterations (each: one encoder/policy step and one z* step). */
  steps: number;
  /** Episodes per hindsight batch and labelled pairs per preference batch. */
  batch: number;
  /** Adam learning rate of the encoder and the policy. */
  lr: number;
  /** Adam learning rate of z*. */
  zLr: number;
  /** Triplet margin m (the code: 1). */
  margin: number;
  /** α, weight of L_PT in the encoder's loss (the scripted code's pref_loss_ratio, 0.1). */
  prefWeight: number;
  /** λ, weight of L_norm (the code's phi_norm_loss_ratio, 0.1). */
  normWeight: number;
  /** s.d. of the initial embedding table E. */
  initScale: number;
  /** s.d. of the initial z* (the code: randn · 2). */
  zInitScale: number;
}

/** The linear-tabular OPPO model: θ = [E (nS·nA·d), B (nS·nA), U (nS·nA·d)]. */
export interface OppoModel {
  nS: number;
  nA: number;
  dim: number;
  theta: Float64Array;
}

export interface OppoResult {
  model: OppoModel;
  zStar: Float64Array;
  /** π(a | s, z*), length nS·nA. */
  policy: Float64Array;
  /** Loss curve: L_HIM and L_PT of the batches every `curveEvery` iterations. */
  him: number[];
  triplet: number[];
}

export const TRIPLET_EPS = 1e-6;

export function newOppoModel(nS: number, nA: number, dim: number, initScale: number, rng: Rng): OppoModel {
  const nSA = nS * nA;
  const theta = new Float64Array(nSA * (2 * dim + 1));
  for (let k = 0; k < nSA * dim; k++) theta[k] = rng.normal(0, initScale);
  return { nS, nA, dim, theta };
}

/** I_θ(τ) of the transitions [from, to) of a dataset (mean of E[s_t, a_t]). */
export function oppoEmbed(m: OppoModel, data: OfflineDataset, from: number, to: number): Float64Array {
  const { nA, dim, theta } = m;
  const z = new Float64Array(dim);
  for (let t = from; t < to; t++) {
    const o = (data.s[t] * nA + data.a[t]) * dim;
    for (let k = 0; k < dim; k++) z[k] += theta[o + k];
  }
  const L = to - from;
  for (let k = 0; k < dim; k++) z[k] /= L;
  return z;
}

/** π(· | s, z) into out (length nA). */
export function oppoActionProbs(m: OppoModel, s: number, z: ArrayLike<number>, out: Float64Array): Float64Array {
  const { nS, nA, dim, theta } = m;
  const nSA = nS * nA;
  const bOff = nSA * dim,
    uOff = bOff + nSA;
  let mx = -Infinity;
  for (let a = 0; a < nA; a++) {
    const row = s * nA + a;
    let l = theta[bOff + row];
    for (let k = 0; k < dim; k++) l += theta[uOff + row * dim + k] * z[k];
    out[a] = l;
    mx = Math.max(mx, l);
  }
  let sum = 0;
  for (let a = 0; a < nA; a++) sum += out[a] = Math.exp(out[a] - mx);
  for (let a = 0; a < nA; a++) out[a] /= sum;
  return out;
}

/** The Markov policy π(a | s, z) for a fixed context (length nS·nA). */
export function oppoPolicy(m: OppoModel, z: ArrayLike<number>): Float64Array {
  const pi = new Float64Array(m.nS * m.nA);
  const p = new Float64Array(m.nA);
  for (let s = 0; s < m.nS; s++) pi.set(oppoActionProbs(m, s, z, p), s * m.nA);
  return pi;
}

/**
 * L_HIM of a batch of episodes (transition ranges [off[e], off[e+1]) for e in `episodes`), the mean over its
 * transitions; adds ∂L_HIM/∂θ into grad when given.
 */
export function himLoss(
  m: OppoModel,
  data: OfflineDataset,
  off: Int32Array,
  episodes: ArrayLike<number>,
  grad?: Float64Array,
): number {
  const { nS, nA, dim, theta } = m;
  const nSA = nS * nA;
  const bOff = nSA * dim,
    uOff = bOff + nSA;
  let N = 0;
  for (let b = 0; b < episodes.length; b++) N += off[episodes[b] + 1] - off[episodes[b]];
  const p = new Float64Array(nA);
  const gz = new Float64Array(dim);
  let loss = 0;
  for (let b = 0; b < episodes.length; b++) {
    const e = episodes[b],
      from = off[e],
      to = off[e + 1];
    const z = oppoEmbed(m, data, from, to);
    gz.fill(0);
    for (let t = from; t < to; t++) {
      const s = data.s[t],
        at = data.a[t];
      oppoActionProbs(m, s, z, p);
      loss -= Math.log(p[at]) / N;
      if (!grad) continue;
      for (let a = 0; a < nA; a++) {
        const g = (p[a] - (a === at ? 1 : 0)) / N;
        const row = s * nA + a;
        grad[bOff + row] += g;
        for (let k = 0; k < dim; k++) {
          grad[uOff + row * dim + k] += g * z[k];
          gz[k] += g * theta[uOff + row * dim + k];
        }
      }
    }
    if (grad) addEmbedGrad(m, data, from, to, gz, grad);
  }
  return loss;
}

/** Adds ∂(gz·I_θ(τ))/∂E into grad (τ = transitions [from, to)). */
function addEmbedGrad(
  m: OppoModel,
  data: OfflineDataset,
  from: number,
  to: number,
  gz: Float64Array,
  grad: Float64Array,
): void {
  const { nA, dim } = m;
  const L = to - from;
  for (let t = from; t < to; t++) {
    const o = (data.s[t] * nA + data.a[t]) * dim;
    for (let k = 0; k < dim; k++) grad[o + k] += gz[k] / L;
  }
}

/**
 * One triplet term max(‖a − p + ε‖ − ‖a − n + ε‖ + margin, 0) (torch's pairwise_distance), with its gradients
 * (scaled by `scale`) added into ga, gp, gn when given.
 */
export function tripletTerm(
  a: ArrayLike<number>,
  p: ArrayLike<number>,
  n: ArrayLike<number>,
  margin: number,
  scale = 1,
  ga?: Float64Array,
  gp?: Float64Array,
  gn?: Float64Array,
): number {
  const d = a.length;
  let dp = 0,
    dn = 0;
  for (let k = 0; k < d; k++) {
    dp += (a[k] - p[k] + TRIPLET_EPS) ** 2;
    dn += (a[k] - n[k] + TRIPLET_EPS) ** 2;
  }
  dp = Math.sqrt(dp);
  dn = Math.sqrt(dn);
  const v = dp - dn + margin;
  if (v <= 0) return 0;
  for (let k = 0; k < d; k++) {
    const up = (a[k] - p[k] + TRIPLET_EPS) / Math.max(dp, 1e-300),
      un = (a[k] - n[k] + TRIPLET_EPS) / Math.max(dn, 1e-300);
    if (ga) ga[k] += scale * (up - un);
    if (gp) gp[k] -= scale * up;
    if (gn) gn[k] += scale * un;
  }
  return v;
}

/** Preference accuracy of z*: the share of strict pairs whose preferred episode's context is the nearer to z*. */
export function contextPreferenceAccuracy(
  m: OppoModel,
  data: OfflineDataset,
  off: Int32Array,
  pairs: EpisodePairs,
  zStar: Float64Array,
): number {
  let right = 0,
    n = 0;
  const dist = (z: Float64Array) => Math.hypot(...Array.from(z, (x, k) => zStar[k] - x));
  for (let k = 0; k < pairs.n; k++) {
    if (pairs.label[k] === 0.5) continue;
    const [w, l] = pairs.label[k] === 1 ? [pairs.i[k], pairs.j[k]] : [pairs.j[k], pairs.i[k]];
    const dw = dist(oppoEmbed(m, data, off[w], off[w + 1])),
      dl = dist(oppoEmbed(m, data, off[l], off[l + 1]));
    n++;
    if (dw < dl) right++;
    else if (dw === dl) right += 0.5;
  }
  return n > 0 ? right / n : NaN;
}

/**
 * Train OPPO on a dataset and its labelled episode pairs (ties are left out of L_PT, as in the scripted code's
 * strict `lb`/`rb` masks). Returns the model, z*, π(· | ·, z*) and the loss curves.
 */
export function oppo(data: OfflineDataset, pairs: EpisodePairs, o: OppoOptions, rng: Rng, curveEvery = 50): OppoResult {
  const { nS, nA } = data;
  const { dim } = o;
  const off = episodeOffsets(data);
  const E = off.length - 1;
  const strict: number[] = [];
  for (let k = 0; k < pairs.n; k++) if (pairs.label[k] !== 0.5) strict.push(k);
  if (strict.length === 0) throw new RangeError('oppo: no strict preference among the labelled pairs');
  const model = newOppoModel(nS, nA, dim, o.initScale, rng.split('init'));
  const zRng = rng.split('z-init');
  const zStar = Float64Array.from({ length: dim }, () => zRng.normal(0, o.zInitScale));
  const optTheta = new Adam64(model.theta.length, { lr: o.lr });
  const optZ = new Adam64(dim, { lr: o.zLr });
  const grad = new Float64Array(model.theta.length);
  const gz = new Float64Array(dim);
  const draw = rng.split('batches');
  const batchEp = new Int32Array(o.batch);
  const him: number[] = [],
    triplet: number[] = [];
  const gP = new Float64Array(dim),
    gN = new Float64Array(dim);
  for (let step = 0; step < o.steps; step++) {
    grad.fill(0);
    for (let b = 0; b < o.batch; b++) batchEp[b] = draw.int(E);
    const lHim = himLoss(model, data, off, batchEp, grad);
    // Preference batch: contexts of the preferred (p) and the other (n) episode of each pair.
    const ks = Array.from({ length: o.batch }, () => strict[draw.int(strict.length)]);
    const ends = ks.map((k) => (pairs.label[k] === 1 ? [pairs.i[k], pairs.j[k]] : [pairs.j[k], pairs.i[k]]));
    const zs = ends.map(([w, l]) => [
      oppoEmbed(model, data, off[w], off[w + 1]),
      oppoEmbed(model, data, off[l], off[l + 1]),
    ]);
    let lPt = 0;
    const K = ks.length;
    for (let q = 0; q < K; q++) {
      const [zp, zn] = zs[q];
      gP.fill(0);
      gN.fill(0);
      lPt += tripletTerm(zStar, zp, zn, o.margin, o.prefWeight / K, undefined, gP, gN) / K;
      // L_norm = mean (‖z⁺‖ − 1)² + mean (‖z⁻‖ − 1)²
      for (const [z, g] of [
        [zp, gP],
        [zn, gN],
      ] as const) {
        const nrm = Math.hypot(...z);
        if (nrm > 0) for (let k = 0; k < dim; k++) g[k] += ((o.normWeight * 2 * (nrm - 1)) / K) * (z[k] / nrm);
      }
      const [w, l] = ends[q];
      addEmbedGrad(model, data, off[w], off[w + 1], gP, grad);
      addEmbedGrad(model, data, off[l], off[l + 1], gN, grad);
    }
    optTheta.step(model.theta, grad);
    // z* step on L_PT with the encoder held fixed (contexts recomputed after the encoder's step, as in the code).
    gz.fill(0);
    for (let q = 0; q < K; q++) {
      const [w, l] = ends[q];
      const zp = oppoEmbed(model, data, off[w], off[w + 1]),
        zn = oppoEmbed(model, data, off[l], off[l + 1]);
      tripletTerm(zStar, zp, zn, o.margin, 1 / K, gz);
    }
    optZ.step(zStar, gz);
    if (step % curveEvery === 0 || step === o.steps - 1) {
      him.push(lHim);
      triplet.push(lPt);
    }
  }
  return { model, zStar, policy: oppoPolicy(model, zStar), him, triplet };
}
