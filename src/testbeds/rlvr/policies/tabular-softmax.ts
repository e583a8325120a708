/**
 * Tabular softmax policies on flat typed arrays: one softmax per row of width K (a prompt's K
 * responses on the bandit, a state's actions elsewhere), π(a | row) = exp z_a / Σ_b exp z_b, with the
 * exact row-wise quantities the RLVR papers reason about: entropy, KL, their logit gradients, the
 * covariance that drives the entropy change, and categorical sampling.
 */
import { Rng } from '../../../core/rng';
import { logSumExp } from '../../../math';

/**
 * Row-wise softmax of flat logits (rows of width K): exp(z − max) divided by the row's sum. (The
 * preference testbed's `softmaxRows` exponentiates z − logSumExp instead: the same function, but not
 * the same floating-point numbers, so the two are kept apart.) Writes into `out` if given; `out` may be
 * `logits` itself.
 */
export function softmaxPerRow(logits: ArrayLike<number>, K: number, out?: Float64Array): Float64Array {
  const n = logits.length;
  const p = out ?? new Float64Array(n);
  for (let s = 0; s < n; s += K) {
    let m = -Infinity;
    for (let a = 0; a < K; a++) if (logits[s + a] > m) m = logits[s + a];
    let z = 0;
    for (let a = 0; a < K; a++) {
      const e = Math.exp(logits[s + a] - m);
      p[s + a] = e;
      z += e;
    }
    for (let a = 0; a < K; a++) p[s + a] /= z;
  }
  return p;
}

/** Row-wise log-softmax of flat logits (rows of width K), stable: z − logSumExp(row). */
export function logSoftmaxPerRow(logits: ArrayLike<number>, K: number, out?: Float64Array): Float64Array {
  const n = logits.length;
  const lp = out ?? new Float64Array(n);
  for (let s = 0; s < n; s += K) {
    const lz = logSumExp(logits, s, K);
    for (let a = 0; a < K; a++) lp[s + a] = logits[s + a] - lz;
  }
  return lp;
}

/** Entropy of every row (nats); 0·log 0 = 0. */
export function entropyRows(probs: ArrayLike<number>, K: number, out?: Float64Array): Float64Array {
  const n = probs.length / K;
  const h = out ?? new Float64Array(n);
  for (let q = 0; q < n; q++) {
    let s = 0;
    for (let a = 0; a < K; a++) {
      const p = probs[q * K + a];
      if (p > 0) s -= p * Math.log(p);
    }
    h[q] = s;
  }
  return h;
}

/** Mean entropy over rows. */
export function meanEntropy(probs: ArrayLike<number>, K: number): number {
  const h = entropyRows(probs, K);
  let s = 0;
  for (let i = 0; i < h.length; i++) s += h[i];
  return s / h.length;
}

/** KL(p ‖ q) of every row, from log-probabilities (exact; rows of p with zero mass contribute 0). */
export function klRows(logP: ArrayLike<number>, logQ: ArrayLike<number>, K: number, out?: Float64Array): Float64Array {
  const n = logP.length / K;
  const kl = out ?? new Float64Array(n);
  for (let q = 0; q < n; q++) {
    let s = 0;
    for (let a = 0; a < K; a++) {
      const lp = logP[q * K + a];
      if (lp > -Infinity) s += Math.exp(lp) * (lp - logQ[q * K + a]);
    }
    kl[q] = s;
  }
  return kl;
}

/**
 * Gradient of the entropy of row q with respect to its logits: ∂H/∂z_a = −π(a)(log π(a) − Σ_b π(b) log π(b)).
 * Adds `scale`·∂H/∂z into `g` (rows of length K starting at q·K).
 */
export function addEntropyGradient(
  probs: ArrayLike<number>,
  logProbs: ArrayLike<number>,
  K: number,
  q: number,
  scale: number,
  g: Float64Array,
): void {
  const s = q * K;
  let el = 0;
  for (let a = 0; a < K; a++) el += probs[s + a] * logProbs[s + a];
  for (let a = 0; a < K; a++) g[s + a] += -scale * probs[s + a] * (logProbs[s + a] - el);
}

/**
 * Gradient of KL(π_q ‖ ref_q) with respect to the logits of π: π(a)(log π(a)/ref(a) − KL). Adds
 * `scale`·∂KL/∂z into `g`.
 */
export function addKlGradient(
  probs: ArrayLike<number>,
  logProbs: ArrayLike<number>,
  logRef: ArrayLike<number>,
  K: number,
  q: number,
  scale: number,
  g: Float64Array,
): void {
  const s = q * K;
  let kl = 0;
  for (let a = 0; a < K; a++) kl += probs[s + a] * (logProbs[s + a] - logRef[s + a]);
  for (let a = 0; a < K; a++) g[s + a] += scale * probs[s + a] * (logProbs[s + a] - logRef[s + a] - kl);
}

/** One draw from row q of `probs` (inverse CDF). */
export function sampleRow(rng: Rng, probs: ArrayLike<number>, K: number, q: number): number {
  const s = q * K;
  let u = rng.uniform();
  for (let a = 0; a < K - 1; a++) {
    u -= probs[s + a];
    if (u < 0) return a;
  }
  return K - 1;
}

/** G independent draws from row q into out[offset … offset + G). */
export function sampleGroup(
  rng: Rng,
  probs: ArrayLike<number>,
  K: number,
  q: number,
  G: number,
  out: Int32Array,
  offset = 0,
): Int32Array {
  for (let i = 0; i < G; i++) out[offset + i] = sampleRow(rng, probs, K, q);
  return out;
}

/**
 * Covariance under a ~ π_q between x(a) and y(a), per row: Σ_a π(a)(x_a − E x)(y_a − E y). The
 * entropy-mechanism identity reads ΔH_q ≈ −Cov_{a∼π_q}(log π_q(a), Δz_qa).
 */
export function covarianceRows(
  probs: ArrayLike<number>,
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  K: number,
  out?: Float64Array,
): Float64Array {
  const n = probs.length / K;
  const c = out ?? new Float64Array(n);
  for (let q = 0; q < n; q++) {
    const s = q * K;
    let ex = 0;
    let ey = 0;
    for (let a = 0; a < K; a++) {
      ex += probs[s + a] * x[s + a];
      ey += probs[s + a] * y[s + a];
    }
    let v = 0;
    for (let a = 0; a < K; a++) v += probs[s + a] * (x[s + a] - ex) * (y[s + a] - ey);
    c[q] = v;
  }
  return c;
}
