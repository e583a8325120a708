/**
 * Tabular softmax policies over contexts × responses, on typed arrays (row-major: index x·nY + y).
 * A policy is held as logits θ[x, y]; π(y|x) = exp(θ[x,y]) / Σ_y' exp(θ[x,y']).
 * Also: exact expectations under a policy (reward, KL, win rate), categorical sampling, a
 * stable log-sigmoid, and an Adam optimiser for flat parameter vectors.
 * (Kept separate from the Nash-side policies.ts of the same testbed.)
 */
import type { Rng } from '../../core/rng';

/** Shape of a contexts × responses table. */
export interface TableShape {
  nX: number;
  nY: number;
}

/** log σ(z), stable for large |z|. */
export function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}

/** σ(z), stable for large |z|. */
export function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}

/** log Σ exp(v[off .. off+n)). */
export function logSumExp(v: ArrayLike<number>, off: number, n: number): number {
  let m = -Infinity;
  for (let i = 0; i < n; i++) if (v[off + i] > m) m = v[off + i];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.exp(v[off + i] - m);
  return m + Math.log(s);
}

/** Row-wise log-softmax of logits (nX × nY) into `out` (allocated if omitted). */
export function logSoftmaxRows(logits: Float64Array, shape: TableShape, out?: Float64Array): Float64Array {
  const { nX, nY } = shape;
  const o = out ?? new Float64Array(nX * nY);
  for (let x = 0; x < nX; x++) {
    const off = x * nY;
    const l = logSumExp(logits, off, nY);
    for (let y = 0; y < nY; y++) o[off + y] = logits[off + y] - l;
  }
  return o;
}

/** Row-wise softmax of logits (nX × nY). */
export function softmaxRows(logits: Float64Array, shape: TableShape, out?: Float64Array): Float64Array {
  const o = logSoftmaxRows(logits, shape, out);
  for (let i = 0; i < o.length; i++) o[i] = Math.exp(o[i]);
  return o;
}

/** Logits of a probability table (log p; −∞ where p = 0 is replaced by `floor`). */
export function logitsOf(probs: Float64Array, floor = -1e9): Float64Array {
  const o = new Float64Array(probs.length);
  for (let i = 0; i < probs.length; i++) o[i] = probs[i] > 0 ? Math.log(probs[i]) : floor;
  return o;
}

/** Uniform context weights (1/nX each). */
export function uniformContexts(nX: number): Float64Array {
  return new Float64Array(nX).fill(1 / nX);
}

/** E_{x~d} E_{y~π(·|x)} r(x, y). */
export function expectedValue(
  probs: Float64Array,
  values: Float64Array,
  shape: TableShape,
  contextWeights?: Float64Array,
): number {
  const { nX, nY } = shape;
  let s = 0;
  for (let x = 0; x < nX; x++) {
    let e = 0;
    for (let y = 0; y < nY; y++) e += probs[x * nY + y] * values[x * nY + y];
    s += (contextWeights ? contextWeights[x] : 1 / nX) * e;
  }
  return s;
}

/** E_{x~d} KL(π(·|x) ‖ π_ref(·|x)), from log-probabilities (exact). */
export function expectedKL(
  logp: Float64Array,
  logpRef: Float64Array,
  shape: TableShape,
  contextWeights?: Float64Array,
): number {
  const { nX, nY } = shape;
  let s = 0;
  for (let x = 0; x < nX; x++) {
    let k = 0;
    for (let y = 0; y < nY; y++) {
      const i = x * nY + y;
      const p = Math.exp(logp[i]);
      if (p > 0) k += p * (logp[i] - logpRef[i]);
    }
    s += (contextWeights ? contextWeights[x] : 1 / nX) * k;
  }
  return s;
}

/** Probability mass of π on a set of responses (mask[x·nY+y] = 1), averaged over contexts. */
export function massOn(
  probs: Float64Array,
  mask: Uint8Array,
  shape: TableShape,
  contextWeights?: Float64Array,
): number {
  const { nX, nY } = shape;
  let s = 0;
  for (let x = 0; x < nX; x++) {
    let m = 0;
    for (let y = 0; y < nY; y++) if (mask[x * nY + y]) m += probs[x * nY + y];
    s += (contextWeights ? contextWeights[x] : 1 / nX) * m;
  }
  return s;
}

/**
 * Win rate of π against π_B under the gold reward: E_x E_{y~π, y'~π_B}[P(y ≻ y')], with
 * P(y ≻ y') = σ(r(y) − r(y')) ('bradley-terry') or 1[r(y) > r(y')] + ½·1[r(y) = r(y')] ('hard').
 */
export function winRate(
  probs: Float64Array,
  probsB: Float64Array,
  gold: Float64Array,
  shape: TableShape,
  mode: 'bradley-terry' | 'hard' = 'bradley-terry',
  contextWeights?: Float64Array,
): number {
  const { nX, nY } = shape;
  let s = 0;
  for (let x = 0; x < nX; x++) {
    const off = x * nY;
    let w = 0;
    for (let y = 0; y < nY; y++) {
      const p = probs[off + y];
      if (p === 0) continue;
      for (let z = 0; z < nY; z++) {
        const q = probsB[off + z];
        if (q === 0) continue;
        const d = gold[off + y] - gold[off + z];
        w += p * q * (mode === 'hard' ? (d > 0 ? 1 : d === 0 ? 0.5 : 0) : sigmoid(d));
      }
    }
    s += (contextWeights ? contextWeights[x] : 1 / nX) * w;
  }
  return s;
}

/** Draw an index from probs[off .. off+n) (inverse CDF). */
export function sampleCategorical(rng: Rng, probs: ArrayLike<number>, off: number, n: number): number {
  const u = rng.uniform();
  let c = 0;
  for (let i = 0; i < n; i++) {
    c += probs[off + i];
    if (u < c) return i;
  }
  for (let i = n - 1; i >= 0; i--) if (probs[off + i] > 0) return i; // rounding: last positive entry
  return n - 1;
}

/** The KL-regularised optimum π*(y|x) ∝ π_ref(y|x)·exp(r(x,y)/β) (as log-probabilities). */
export function klRegularisedOptimum(
  logpRef: Float64Array,
  reward: Float64Array,
  beta: number,
  shape: TableShape,
): Float64Array {
  if (!(beta > 0)) throw new RangeError(`klRegularisedOptimum: beta must be > 0, got ${beta}`);
  const l = new Float64Array(logpRef.length);
  for (let i = 0; i < l.length; i++) l[i] = logpRef[i] + reward[i] / beta;
  return logSoftmaxRows(l, shape);
}

/** Adam (Kingma & Ba 2015) on a flat parameter vector, in place. */
export class Adam {
  private m: Float64Array;
  private v: Float64Array;
  private t = 0;
  constructor(
    n: number,
    public lr: number,
    private readonly b1 = 0.9,
    private readonly b2 = 0.999,
    private readonly eps = 1e-8,
  ) {
    this.m = new Float64Array(n);
    this.v = new Float64Array(n);
  }
  /** θ ← θ − lr·m̂/(√v̂ + ε) for the gradient g of the loss being minimised. */
  step(theta: Float64Array, g: Float64Array): void {
    this.t++;
    const { b1, b2, eps } = this;
    const c1 = 1 - Math.pow(b1, this.t),
      c2 = 1 - Math.pow(b2, this.t);
    const m = this.m,
      v = this.v;
    for (let i = 0; i < theta.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      theta[i] -= (this.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  }
}

/** Plain gradient descent θ ← θ − lr·g (same interface as Adam). */
export class Sgd {
  constructor(public lr: number) {}
  step(theta: Float64Array, g: Float64Array): void {
    for (let i = 0; i < theta.length; i++) theta[i] -= this.lr * g[i];
  }
}

export type Optimiser = Adam | Sgd;

export function makeOptimiser(kind: 'adam' | 'sgd', n: number, lr: number): Optimiser {
  return kind === 'adam' ? new Adam(n, lr) : new Sgd(lr);
}
