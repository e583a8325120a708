/**
 * Tabular softmax policies held as raw logit tables over contexts × responses, on typed arrays
 * (row-major: index x·nY + y): π(y|x) = exp(θ[x,y]) / Σ_y' exp(θ[x,y']). The training side of the
 * testbed (DPO, IPO, RPO, PPO, P3O) optimises such tables; the game side carries probability tables
 * with their shape (tabular-policy.ts).
 * Also: exact expectations under a policy (reward, KL, win rate under a reward), categorical
 * sampling and a stable log-sigmoid.
 */
import type { Rng } from '../../../core/rng';
import { logSumExp, sigmoid } from '../../../math';

/** Shape of a contexts × responses table. */
export interface TableShape {
  nX: number;
  nY: number;
}

/** log σ(z), stable for large |z|. */
export function logSigmoid(z: number): number {
  return z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
}

/** Row-wise log-softmax of logits (nX × nY) into `out` (allocated if omitted; `out` may be `logits`: in place). */
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
 * Win rate of π against π_B under a (gold) reward: E_x E_{y~π, y'~π_B}[P(y ≻ y')], with
 * P(y ≻ y') = σ(r(y) − r(y')) ('bradley-terry') or 1[r(y) > r(y')] + ½·1[r(y) = r(y')] ('hard').
 * (Under a general preference game: solvers/nash.ts `winRate`.)
 */
export function rewardWinRate(
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
