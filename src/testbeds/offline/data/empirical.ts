/**
 * The empirical view of a dataset that every tabular offline learner shares: counts n(s, a), the samples of each
 * (s, a) (CSR over the transitions), in-sample Bellman targets, and the value of leaving the data.
 *
 * Support: (s, a) is supported when n(s, a) > 0; a state has data when n(s) = Σ_a n(s, a) > 0.
 * Leaving the data: a successor s' that is not terminal and has no data gets the pessimistic value
 *   V_out = min(0, min_i r_i) / (1 − γ)
 * (the return of collecting the worst observed reward forever, or 0 when rewards are non-negative) in every
 * learner's targets and in the best data-supported reference (solvers/evaluation.ts), so all agree on it.
 */
import type { OfflineDataset } from './dataset';

export interface EmpiricalIndex {
  readonly nS: number;
  readonly nA: number;
  readonly gamma: number;
  /** n(s, a), length nS·nA (index s·nA + a). */
  readonly count: Float64Array;
  /** n(s), length nS. */
  readonly stateCount: Float64Array;
  /** Transitions of (s, a) are order[rowPtr[s·nA + a] .. rowPtr[s·nA + a + 1]). */
  readonly rowPtr: Int32Array;
  readonly order: Int32Array;
  /** V_out, the value of a non-terminal successor without data. */
  readonly outsideValue: number;
}

/** Build the empirical index of a dataset (throws on out-of-range states or actions, naming the transition). */
export function empiricalIndex(data: OfflineDataset): EmpiricalIndex {
  const { nS, nA, gamma, size } = data;
  const count = new Float64Array(nS * nA);
  const stateCount = new Float64Array(nS);
  let rMin = 0;
  for (let i = 0; i < size; i++) {
    const s = data.s[i],
      a = data.a[i],
      sp = data.sp[i];
    if (!(s >= 0 && s < nS && a >= 0 && a < nA && sp >= 0 && sp < nS))
      throw new RangeError(`empiricalIndex: transition ${i} (s=${s}, a=${a}, s'=${sp}) is outside ${nS}×${nA}`);
    count[s * nA + a]++;
    stateCount[s]++;
    if (data.r[i] < rMin) rMin = data.r[i];
  }
  const rowPtr = new Int32Array(nS * nA + 1);
  for (let row = 0; row < nS * nA; row++) rowPtr[row + 1] = rowPtr[row] + count[row];
  const fill = rowPtr.slice(0, nS * nA);
  const order = new Int32Array(size);
  for (let i = 0; i < size; i++) order[fill[data.s[i] * nA + data.a[i]]++] = i;
  return { nS, nA, gamma, count, stateCount, rowPtr, order, outsideValue: rMin / (1 - gamma) };
}

/**
 * In-sample Bellman targets: ȳ(s, a) = mean over the samples i of (s, a) of r_i + γ (1 − done_i) V(s'_i), where
 * V(s') is `V[s']` when s' has data and V_out otherwise (length nS·nA; NaN at unsupported (s, a)).
 */
export function meanTargets(
  data: OfflineDataset,
  idx: EmpiricalIndex,
  V: Float64Array,
  out?: Float64Array,
): Float64Array {
  const { nS, nA, gamma, rowPtr, order, stateCount, outsideValue } = idx;
  const y = out ?? new Float64Array(nS * nA);
  for (let row = 0; row < nS * nA; row++) {
    const lo = rowPtr[row],
      hi = rowPtr[row + 1];
    if (hi === lo) {
      y[row] = NaN;
      continue;
    }
    let acc = 0;
    for (let k = lo; k < hi; k++) {
      const i = order[k];
      const sp = data.sp[i];
      const v = data.done[i] ? 0 : stateCount[sp] > 0 ? V[sp] : outsideValue;
      acc += data.r[i] + gamma * v;
    }
    y[row] = acc / (hi - lo);
  }
  return y;
}

/** Fraction of the given states' state-action pairs that are supported (default: all states). */
export function coverage(idx: EmpiricalIndex, states?: ArrayLike<number>): number {
  const { nA, count } = idx;
  const list = states ?? Array.from({ length: idx.nS }, (_, s) => s);
  let hit = 0;
  for (let k = 0; k < list.length; k++) for (let a = 0; a < nA; a++) if (count[list[k] * nA + a] > 0) hit++;
  return list.length ? hit / (list.length * nA) : 0;
}

/**
 * The tabular policy of per-(s, a) non-negative weights: π(a|s) ∝ w(s, a) over supported actions of a state with
 * data (uniform over its supported actions if all weights are 0), uniform over all actions at a state without data.
 */
export function policyFromWeights(idx: EmpiricalIndex, w: Float64Array): Float64Array {
  const { nS, nA, count, stateCount } = idx;
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    const base = s * nA;
    if (stateCount[s] === 0) {
      for (let a = 0; a < nA; a++) pi[base + a] = 1 / nA;
      continue;
    }
    let z = 0,
      m = 0;
    for (let a = 0; a < nA; a++)
      if (count[base + a] > 0) {
        z += w[base + a];
        m++;
      }
    for (let a = 0; a < nA; a++)
      pi[base + a] = count[base + a] > 0 ? (z > 0 && Number.isFinite(z) ? w[base + a] / z : 1 / m) : 0;
  }
  return pi;
}

/** Greedy policy over supported actions (lowest index on ties); uniform at states without data. */
export function greedyInSupport(idx: EmpiricalIndex, Q: Float64Array): Float64Array {
  const { nS, nA, count } = idx;
  const w = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let best = -1;
    for (let a = 0; a < nA; a++)
      if (count[s * nA + a] > 0 && (best < 0 || Q[s * nA + a] > Q[s * nA + best])) best = a;
    if (best >= 0) w[s * nA + best] = 1;
  }
  return policyFromWeights(idx, w);
}

/** V(s) = max over supported actions of Q(s, ·) at states with data, V_out elsewhere. */
export function inSampleMax(idx: EmpiricalIndex, Q: Float64Array, out?: Float64Array): Float64Array {
  const { nS, nA, count, outsideValue } = idx;
  const V = out ?? new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) if (count[s * nA + a] > 0 && Q[s * nA + a] > m) m = Q[s * nA + a];
    V[s] = m === -Infinity ? outsideValue : m;
  }
  return V;
}

/** What a tabular offline learner returns. */
export interface LearnedPolicy {
  /** π(a|s), length nS·nA. */
  policy: Float64Array;
  /** Q(s, a) where the method learns one (NaN at unsupported (s, a)). */
  Q?: Float64Array;
  /** V(s) where the method learns one (V_out at states without data). */
  V?: Float64Array;
  /** Sweeps until the fixed point (iterative methods). */
  iterations?: number;
}

export interface FixedPointOptions {
  /** Stop when max |ΔQ| ≤ tol (default 1e-10). */
  tol?: number;
  /** Give up after this many sweeps (default 100000); throws then, naming the method. */
  maxIterations?: number;
}

/** Iterate Q ← step(Q) from Q₀ until max |ΔQ| over supported entries ≤ tol; returns the sweeps taken. */
export function iterateToFixedPoint(
  where: string,
  Q: Float64Array,
  step: (Q: Float64Array, out: Float64Array) => void,
  opts: FixedPointOptions = {},
): number {
  const tol = opts.tol ?? 1e-10;
  const maxIterations = opts.maxIterations ?? 100_000;
  const next = new Float64Array(Q.length);
  for (let it = 1; it <= maxIterations; it++) {
    step(Q, next);
    let d = 0;
    for (let i = 0; i < Q.length; i++) {
      const x = next[i];
      if (x === x) d = Math.max(d, Math.abs(x - Q[i]));
      Q[i] = x;
    }
    if (d <= tol) return it;
  }
  throw new RangeError(`${where}: no fixed point within ${maxIterations} sweeps (tol ${tol}); raise maxIterations`);
}
