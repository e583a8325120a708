/**
 * Finite Markov decision processes on typed arrays.
 *
 * Notation follows Skalse, Farnik, Motwani, Jenner, Gleave & Abate, "STARC: A General Framework
 * For Quantifying Differences Between Reward Functions", ICLR 2024 (arXiv:2309.15257), §2
 * "Preliminaries": an environment is a tuple (S, A, τ, μ₀, γ) — finite states S, finite actions A,
 * transition distribution τ(s, a, s'), initial distribution μ₀ and discount γ ∈ [0, 1) — and a
 * reward function R : S × A × S → ℝ is kept separate from the environment, because the paper
 * compares many reward functions on one environment.
 *
 * Storage.
 * - Transitions are always stored sparse (CSR): row r = s·nA + a lists its successors
 *   `col[rowPtr[r] .. rowPtr[r+1])` with probabilities `prob[...]`, successors sorted ascending.
 *   A 1,000-state × 10-action MDP with 10 successors per (s, a) then holds 100k entries instead of
 *   the 10M of a dense [s, a, s'] array. `denseTransitions` / `fromDenseTransitions` convert.
 * - A reward R(s, a, s') is a dense row-major Float64Array of length nS·nA·nS, index
 *   (s·nA + a)·nS + s' (`sasIndex`). Solvers also accept the expected reward
 *   r̄(s, a) = E_{S'∼τ(s,a)}[R(s, a, S')] as a Float64Array of length nS·nA (index s·nA + a),
 *   which is all that returns depend on (Skalse et al. 2023/2024: returns are invariant to
 *   S'-redistribution), and is what large MDPs should use.
 */

import type { Rng } from '../../../core/rng';

/** Sparse (CSR) transition distribution τ(s, a, ·). */
export interface SparseTransitions {
  readonly nS: number;
  readonly nA: number;
  /** Length nS·nA + 1; row r = s·nA + a spans entries rowPtr[r] .. rowPtr[r+1]-1. */
  readonly rowPtr: Int32Array;
  /** Successor state of each entry (sorted ascending within a row). */
  readonly col: Int32Array;
  /** Probability of each entry; each row sums to 1. */
  readonly prob: Float64Array;
}

/** The environment (S, A, τ, μ₀, γ) of STARC §2, without a reward. */
export interface TabularEnv {
  readonly nS: number;
  readonly nA: number;
  readonly gamma: number;
  readonly T: SparseTransitions;
  /** Initial state distribution μ₀, length nS. */
  readonly init: Float64Array;
}

/** An environment together with a reward R(s, a, s') (dense, length nS·nA·nS). */
export interface TabularMDP extends TabularEnv {
  readonly R: Float64Array;
}

/** A deterministic policy (action per state, Int32Array of length nS) or a stochastic one
 *  (π(a|s) as Float64Array of length nS·nA, index s·nA + a). */
export type Policy = Int32Array | Float64Array;

/** Index of (s, a, s') in a dense reward or transition array. */
export function sasIndex(nS: number, nA: number, s: number, a: number, sp: number): number {
  return (s * nA + a) * nS + sp;
}

function checkProbabilityRow(where: string, p: ArrayLike<number>, from: number, to: number): void {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const v = p[i];
    if (!(v >= 0) || !Number.isFinite(v))
      throw new RangeError(`${where}: probability ${v} at entry ${i} is not a finite non-negative number`);
    sum += v;
  }
  if (Math.abs(sum - 1) > 1e-9)
    throw new RangeError(`${where}: probabilities sum to ${sum}, expected 1 (normalise the row)`);
}

/** Validate an environment; throws with a message naming the offending field. */
export function validateEnv(env: TabularEnv): void {
  const { nS, nA, gamma, T, init } = env;
  if (!Number.isInteger(nS) || nS < 1) throw new RangeError(`TabularEnv: nS must be a positive integer, got ${nS}`);
  if (!Number.isInteger(nA) || nA < 1) throw new RangeError(`TabularEnv: nA must be a positive integer, got ${nA}`);
  if (!(gamma >= 0 && gamma < 1)) throw new RangeError(`TabularEnv: gamma must lie in [0, 1), got ${gamma}`);
  if (T.nS !== nS || T.nA !== nA)
    throw new RangeError(`TabularEnv: transitions are for ${T.nS}×${T.nA}, env is ${nS}×${nA}`);
  if (T.rowPtr.length !== nS * nA + 1)
    throw new RangeError(`TabularEnv: rowPtr has length ${T.rowPtr.length}, expected nS·nA+1 = ${nS * nA + 1}`);
  if (init.length !== nS) throw new RangeError(`TabularEnv: init has length ${init.length}, expected nS = ${nS}`);
  checkProbabilityRow('TabularEnv.init', init, 0, nS);
  for (let r = 0; r < nS * nA; r++) {
    const lo = T.rowPtr[r],
      hi = T.rowPtr[r + 1];
    if (hi <= lo) throw new RangeError(`TabularEnv: (s=${Math.floor(r / nA)}, a=${r % nA}) has no successor`);
    for (let k = lo; k < hi; k++) {
      const c = T.col[k];
      if (!(c >= 0 && c < nS))
        throw new RangeError(`TabularEnv: successor ${c} out of range at (s=${Math.floor(r / nA)}, a=${r % nA})`);
      if (k > lo && c <= T.col[k - 1])
        throw new RangeError(
          `TabularEnv: successors of (s=${Math.floor(r / nA)}, a=${r % nA}) must be strictly increasing`,
        );
    }
    checkProbabilityRow(`TabularEnv.T(s=${Math.floor(r / nA)}, a=${r % nA})`, T.prob, lo, hi);
  }
}

/** Build CSR transitions from a dense [s, a, s'] array (entries ≤ `dropBelow` are omitted). */
export function fromDenseTransitions(
  nS: number,
  nA: number,
  dense: ArrayLike<number>,
  dropBelow = 0,
): SparseTransitions {
  if (dense.length !== nS * nA * nS)
    throw new RangeError(`fromDenseTransitions: expected length nS·nA·nS = ${nS * nA * nS}, got ${dense.length}`);
  const rowPtr = new Int32Array(nS * nA + 1);
  let nnz = 0;
  for (let r = 0; r < nS * nA; r++) {
    for (let sp = 0; sp < nS; sp++) if (dense[r * nS + sp] > dropBelow) nnz++;
    rowPtr[r + 1] = nnz;
  }
  const col = new Int32Array(nnz);
  const prob = new Float64Array(nnz);
  let k = 0;
  for (let r = 0; r < nS * nA; r++) {
    for (let sp = 0; sp < nS; sp++) {
      const p = dense[r * nS + sp];
      if (p > dropBelow) {
        col[k] = sp;
        prob[k] = p;
        k++;
      }
    }
  }
  return { nS, nA, rowPtr, col, prob };
}

/** Dense τ as a Float64Array [s, a, s'] of length nS·nA·nS. */
export function denseTransitions(T: SparseTransitions): Float64Array {
  const { nS, nA, rowPtr, col, prob } = T;
  const out = new Float64Array(nS * nA * nS);
  for (let r = 0; r < nS * nA; r++) {
    for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) out[r * nS + col[k]] = prob[k];
  }
  return out;
}

/** τ(s, a, s') (binary search in the CSR row). */
export function transitionProb(T: SparseTransitions, s: number, a: number, sp: number): number {
  const r = s * T.nA + a;
  let lo = T.rowPtr[r],
    hi = T.rowPtr[r + 1] - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = T.col[mid];
    if (c === sp) return T.prob[mid];
    if (c < sp) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/** An environment from plain arrays: dense τ [s,a,s'], μ₀ (default uniform), γ. Validated. */
export function makeEnv(opts: {
  nS: number;
  nA: number;
  gamma: number;
  T: ArrayLike<number> | SparseTransitions;
  init?: ArrayLike<number>;
}): TabularEnv {
  const { nS, nA, gamma } = opts;
  const T = isSparse(opts.T) ? opts.T : fromDenseTransitions(nS, nA, opts.T);
  const init = opts.init ? Float64Array.from(opts.init) : new Float64Array(nS).fill(1 / nS);
  const env: TabularEnv = { nS, nA, gamma, T, init };
  validateEnv(env);
  return env;
}

function isSparse(x: ArrayLike<number> | SparseTransitions): x is SparseTransitions {
  return (x as SparseTransitions).rowPtr !== undefined;
}

/** Attach a dense reward R(s, a, s') to an environment. */
export function withReward(env: TabularEnv, R: Float64Array): TabularMDP {
  checkRewardShape(env, R, 'withReward');
  return { ...env, R };
}

/** Throws unless R is a dense reward [s, a, s'] for `env`. */
export function checkRewardShape(env: { nS: number; nA: number }, R: ArrayLike<number>, where: string): void {
  const n = env.nS * env.nA * env.nS;
  if (R.length !== n)
    throw new RangeError(`${where}: reward must be dense R(s,a,s') of length nS·nA·nS = ${n}, got ${R.length}`);
}

/** Number of stored transition entries (non-zeros of τ). */
export function transitionCount(T: SparseTransitions): number {
  return T.rowPtr[T.nS * T.nA];
}

// ---------------------------------------------------------------------------------------------
// Random environments and rewards
// ---------------------------------------------------------------------------------------------

export interface RandomEnvOptions {
  nS: number;
  nA: number;
  gamma: number;
  /** Successors per (s, a), drawn uniformly without replacement; `nS` (default) gives dense τ. */
  branching?: number;
  /** Dirichlet concentration of the probabilities over the successors (default 1 = uniform on the simplex). */
  alpha?: number;
  /** μ₀: 'uniform' (default: every state has positive initial mass), 'single' (state 0), or 'dirichlet'. */
  init?: 'uniform' | 'single' | 'dirichlet';
}

/**
 * A random environment: for every (s, a), `branching` distinct successors drawn uniformly without
 * replacement and probabilities drawn from Dirichlet(alpha). Deterministic given the Rng stream.
 */
export function randomEnv(rng: Rng, opts: RandomEnvOptions): TabularEnv {
  const { nS, nA, gamma } = opts;
  const k = opts.branching ?? nS;
  const alpha = opts.alpha ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > nS)
    throw new RangeError(`randomEnv: branching must be an integer in [1, nS=${nS}], got ${k}`);
  const tr = rng.split('transitions');
  const rowPtr = new Int32Array(nS * nA + 1);
  const col = new Int32Array(nS * nA * k);
  const prob = new Float64Array(nS * nA * k);
  const pool = new Int32Array(nS);
  const chosen = new Int32Array(k);
  for (let r = 0; r < nS * nA; r++) {
    if (k === nS) {
      for (let i = 0; i < nS; i++) chosen[i] = i;
    } else if (k * 4 < nS) {
      // Rejection sampling of k distinct states (cheap when k ≪ nS).
      let m = 0;
      while (m < k) {
        const c = tr.int(nS);
        let dup = false;
        for (let i = 0; i < m; i++)
          if (chosen[i] === c) {
            dup = true;
            break;
          }
        if (!dup) chosen[m++] = c;
      }
    } else {
      // Partial Fisher–Yates.
      for (let i = 0; i < nS; i++) pool[i] = i;
      for (let i = 0; i < k; i++) {
        const j = i + tr.int(nS - i);
        const t = pool[i];
        pool[i] = pool[j];
        pool[j] = t;
        chosen[i] = pool[i];
      }
    }
    const sorted = Array.from(chosen).sort((x, y) => x - y);
    const p = k === 1 ? new Float64Array([1]) : tr.dirichlet(k, alpha);
    const base = r * k;
    for (let i = 0; i < k; i++) {
      col[base + i] = sorted[i];
      prob[base + i] = p[i];
    }
    rowPtr[r + 1] = base + k;
  }
  let init: Float64Array;
  const initKind = opts.init ?? 'uniform';
  if (initKind === 'uniform') init = new Float64Array(nS).fill(1 / nS);
  else if (initKind === 'single') {
    init = new Float64Array(nS);
    init[0] = 1;
  } else init = rng.split('init').dirichlet(nS, 1);
  const env: TabularEnv = { nS, nA, gamma, T: { nS, nA, rowPtr, col, prob }, init };
  return env;
}

export interface RandomRewardOptions {
  /**
   * 'dense': iid N(0,1) on every (s, a, s');
   * 'sparse': N(0,1) on a random `density` fraction of (s, a, s'), zero elsewhere;
   * 'state': R(s, a, s') = r(s') with r iid N(0,1) (reward for entering a state).
   */
  kind?: 'dense' | 'sparse' | 'state';
  /** Fraction of non-zero entries for 'sparse' (default 0.05; at least one entry is non-zero). */
  density?: number;
  /** Multiplier (default 1). */
  scale?: number;
  /** Added constant (default 0). */
  shift?: number;
}

/** A random dense reward R(s, a, s') for `env`. */
export function randomReward(rng: Rng, env: { nS: number; nA: number }, opts: RandomRewardOptions = {}): Float64Array {
  const { nS, nA } = env;
  const n = nS * nA * nS;
  const kind = opts.kind ?? 'dense';
  const scale = opts.scale ?? 1;
  const shift = opts.shift ?? 0;
  const R = new Float64Array(n);
  if (kind === 'dense') {
    for (let i = 0; i < n; i++) R[i] = rng.normal();
  } else if (kind === 'sparse') {
    const density = opts.density ?? 0.05;
    if (!(density > 0 && density <= 1))
      throw new RangeError(`randomReward: density must lie in (0, 1], got ${density}`);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (rng.uniform() < density) {
        R[i] = rng.normal();
        any = true;
      }
    }
    if (!any) R[rng.int(n)] = rng.normal();
  } else if (kind === 'state') {
    const r = rng.normals(nS);
    for (let sa = 0; sa < nS * nA; sa++) for (let sp = 0; sp < nS; sp++) R[sa * nS + sp] = r[sp];
  } else {
    throw new RangeError(`randomReward: unknown kind '${String(kind)}' (use 'dense' | 'sparse' | 'state')`);
  }
  if (scale !== 1 || shift !== 0) for (let i = 0; i < n; i++) R[i] = R[i] * scale + shift;
  return R;
}

/** A random MDP: `randomEnv` plus `randomReward` from independent sub-streams. */
export function randomMDP(rng: Rng, opts: RandomEnvOptions & { reward?: RandomRewardOptions }): TabularMDP {
  const env = randomEnv(rng.split('env'), opts);
  return { ...env, R: randomReward(rng.split('reward'), env, opts.reward) };
}

/** The uniformly random stochastic policy π(a|s) = 1/nA. */
export function uniformPolicy(env: { nS: number; nA: number }): Float64Array {
  return new Float64Array(env.nS * env.nA).fill(1 / env.nA);
}
