/**
 * Implicit Q-learning, tabular (Kostrikov, Nair & Levine, "Offline Reinforcement Learning with Implicit
 * Q-Learning", ICLR 2022, arXiv:2110.06169):
 *   L_V = E_{(s,a)∼D}[L₂^τ(Q(s, a) − V(s))],  L₂^τ(u) = |τ − 1(u < 0)| u²                       (eq. 5)
 *   L_Q = E_{(s,a,s')∼D}[(r + γ V(s') − Q(s, a))²]                                              (eq. 6)
 *   L_π = −E_{(s,a)∼D}[exp(β (Q(s, a) − V(s))) log π(a|s)]                                       (eq. 7)
 * With a tabular function class each loss is minimised exactly: V(s) is the τ-expectile of Q(s, a) under the
 * data's action distribution at s, Q(s, a) the mean target over the samples of (s, a) (done and V_out as in
 * data/empirical.ts), alternated to the joint fixed point; the policy is π(a|s) ∝ n(s, a) · min(exp(β A), maxWeight)
 * (the official code clips the exponentiated advantage at 100). As τ → 1 the expectile tends to the in-sample
 * maximum and Q to fitted Q iteration's (tested).
 */
import type { OfflineDataset } from '../data/dataset';
import {
  empiricalIndex,
  iterateToFixedPoint,
  meanTargets,
  policyFromWeights,
  type EmpiricalIndex,
  type FixedPointOptions,
  type LearnedPolicy,
} from '../data/empirical';

export interface IqlOptions extends FixedPointOptions {
  /** Expectile τ ∈ (0, 1) (0.5: the mean, i.e. SARSA on the behaviour; → 1: the in-sample maximum). */
  tau: number;
  /** Inverse temperature β of the advantage-weighted extraction. */
  beta: number;
  /** Cap on exp(β A) (default 100, the official code's). */
  maxWeight?: number;
}

/**
 * The τ-expectile of a discrete distribution (values x_j with weights w_j > 0): the root v of
 * Σ_j w_j |τ − 1(x_j < v)| (x_j − v) = 0, found exactly (the left side is piecewise linear and decreasing in v).
 */
export function expectile(x: ArrayLike<number>, w: ArrayLike<number>, tau: number): number {
  const m = x.length;
  if (m === 0 || w.length !== m) throw new RangeError(`expectile: need matching non-empty values and weights`);
  if (!(tau > 0 && tau < 1)) throw new RangeError(`expectile: tau must lie in (0, 1), got ${tau}`);
  const ord = Array.from({ length: m }, (_, j) => j).sort((i, j) => x[i] - x[j]);
  // Split j: the j smallest values lie below v (weight 1 − τ), the rest at or above (weight τ).
  let sLo = 0,
    wLo = 0,
    sHi = 0,
    wHi = 0;
  for (let j = 0; j < m; j++) {
    sHi += w[j] * x[j];
    wHi += w[j];
  }
  for (let j = 0; j <= m; j++) {
    const v = (tau * sHi + (1 - tau) * sLo) / (tau * wHi + (1 - tau) * wLo);
    const lo = j === 0 ? -Infinity : x[ord[j - 1]];
    const hi = j === m ? Infinity : x[ord[j]];
    if (v >= lo && v <= hi) return v;
    if (j < m) {
      const k = ord[j];
      sHi -= w[k] * x[k];
      wHi -= w[k];
      sLo += w[k] * x[k];
      wLo += w[k];
    }
  }
  // Rounding can leave v a hair outside every segment: fall back to bisection.
  let a = x[ord[0]],
    b = x[ord[m - 1]];
  for (let it = 0; it < 200; it++) {
    const v = (a + b) / 2;
    let f = 0;
    for (let j = 0; j < m; j++) f += w[j] * (x[j] < v ? 1 - tau : tau) * (x[j] - v);
    if (f > 0) a = v;
    else b = v;
  }
  return (a + b) / 2;
}

/** V(s) = the τ-expectile of Q(s, ·) under n(s, ·) at states with data, V_out elsewhere. */
export function expectileValue(idx: EmpiricalIndex, Q: Float64Array, tau: number, out?: Float64Array): Float64Array {
  const { nS, nA, count, stateCount, outsideValue } = idx;
  const V = out ?? new Float64Array(nS);
  const xs: number[] = [],
    ws: number[] = [];
  for (let s = 0; s < nS; s++) {
    if (stateCount[s] === 0) {
      V[s] = outsideValue;
      continue;
    }
    xs.length = ws.length = 0;
    for (let a = 0; a < nA; a++)
      if (count[s * nA + a] > 0) {
        xs.push(Q[s * nA + a]);
        ws.push(count[s * nA + a]);
      }
    V[s] = expectile(xs, ws, tau);
  }
  return V;
}

export function iql(data: OfflineDataset, opts: IqlOptions): LearnedPolicy {
  const { tau, beta } = opts;
  const maxWeight = opts.maxWeight ?? 100;
  if (!(beta >= 0)) throw new RangeError(`iql: beta must be ≥ 0, got ${beta}`);
  const idx = empiricalIndex(data);
  const { nS, nA, count } = idx;
  const V = new Float64Array(nS);
  const Q = meanTargets(data, idx, expectileValue(idx, new Float64Array(nS * nA), tau, V));
  const iterations = iterateToFixedPoint(
    'iql',
    Q,
    (q, out) => meanTargets(data, idx, expectileValue(idx, q, tau, V), out),
    opts,
  );
  expectileValue(idx, Q, tau, V);
  const w = new Float64Array(nS * nA);
  for (let row = 0; row < nS * nA; row++) {
    if (count[row] === 0) continue;
    const adv = Q[row] - V[Math.floor(row / nA)];
    w[row] = count[row] * Math.min(Math.exp(beta * adv), maxWeight);
  }
  return { policy: policyFromWeights(idx, w), Q, V, iterations };
}
