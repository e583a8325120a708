/**
 * Conservative Q-learning, tabular (Kumar, Zhou, Tucker & Levine, "Conservative Q-Learning for Offline
 * Reinforcement Learning", NeurIPS 2020, arXiv:2006.04779), the CQL(H) objective (eq. 4) with the max backup:
 *   Q_{k+1} = argmin_Q α E_{s∼D}[ log Σ_a exp Q(s, a) − E_{a∼π̂_β(·|s)} Q(s, a) ]
 *                      + ½ E_{(s,a,s')∼D}[ (Q(s, a) − r − γ (1 − done) max_{a'} Q_k(s', a'))² ]
 * With a tabular Q the objective separates over states. At a state s with n(s) samples, n(s, a) of action a and
 * mean target ȳ(s, a), the per-state objective is
 *   α n(s) logsumexp_a Q(s, a) − α Σ_a n(s, a) Q(s, a) + ½ Σ_a n(s, a) (Q(s, a) − ȳ(s, a))².
 * An unsupported action (n(s, a) = 0) only enters through the logsumexp, which pushes it to −∞ for any α > 0: its
 * Q is −∞ (stored as NaN), it drops out of the logsumexp and of the max backup. The remaining strictly convex
 * problem over supported actions is solved by damped Newton steps; outer sweeps iterate to the fixed point
 * (successors without data: V_out, data/empirical.ts). With α = 0 the minimiser is ȳ: fitted Q iteration (tested).
 * Policy: greedy over supported actions.
 */
import type { OfflineDataset } from '../data/dataset';
import {
  empiricalIndex,
  greedyInSupport,
  inSampleMax,
  iterateToFixedPoint,
  meanTargets,
  type EmpiricalIndex,
  type FixedPointOptions,
  type LearnedPolicy,
} from '../data/empirical';
import { solveLinearSystem } from '../../tabular/solvers/exact';

export interface CqlOptions extends FixedPointOptions {
  /** Weight α ≥ 0 of the conservative regulariser (per sample, in reward units). */
  alpha: number;
}

/** The per-state CQL(H) objective over the supported actions (q, n, ȳ of those actions). */
function stateObjective(q: number[], n: number[], y: number[], alpha: number): number {
  let m = -Infinity;
  for (const v of q) m = Math.max(m, v);
  let z = 0,
    N = 0,
    f = 0;
  for (let j = 0; j < q.length; j++) {
    z += Math.exp(q[j] - m);
    N += n[j];
    f += -alpha * n[j] * q[j] + 0.5 * n[j] * (q[j] - y[j]) ** 2;
  }
  return f + alpha * N * (m + Math.log(z));
}

/** Minimise the per-state objective by damped Newton from q = ȳ (the exact minimiser when α = 0). */
export function cqlStateSolve(n: number[], y: number[], alpha: number): number[] {
  const k = n.length;
  const q = y.slice();
  if (alpha === 0) return q;
  let N = 0;
  for (const c of n) N += c;
  const H = new Float64Array(k * k);
  const g = new Float64Array(k);
  for (let it = 0; it < 100; it++) {
    let m = -Infinity;
    for (const v of q) m = Math.max(m, v);
    const p = q.map((v) => Math.exp(v - m));
    const z = p.reduce((u, v) => u + v, 0);
    let gmax = 0;
    for (let a = 0; a < k; a++) {
      p[a] /= z;
      g[a] = alpha * N * p[a] - alpha * n[a] + n[a] * (q[a] - y[a]);
      gmax = Math.max(gmax, Math.abs(g[a]));
    }
    if (gmax <= 1e-13 * (1 + N)) break;
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++)
        H[a * k + b] = alpha * N * ((a === b ? p[a] : 0) - p[a] * p[b]) + (a === b ? n[a] : 0);
    const d = solveLinearSystem(H, g, k);
    // Near the minimiser take the full Newton step (quadratic convergence; objective comparisons are at rounding
    // level there); farther away halve it until the objective does not increase.
    let t = 1;
    if (gmax > 1e-6 * (1 + N)) {
      const f0 = stateObjective(q, n, y, alpha);
      for (let ls = 0; ls < 60; ls++, t /= 2)
        if (
          stateObjective(
            q.map((v, a) => v - t * d[a]),
            n,
            y,
            alpha,
          ) <= f0
        )
          break;
    }
    for (let a = 0; a < k; a++) q[a] -= t * d[a];
  }
  return q;
}

/** One CQL sweep: the per-state minimisers given the mean targets of V = in-sample max of Q. */
function cqlSweep(data: OfflineDataset, idx: EmpiricalIndex, alpha: number, Q: Float64Array, out: Float64Array): void {
  const { nS, nA, count } = idx;
  const y = meanTargets(data, idx, inSampleMax(idx, Q));
  const n: number[] = [],
    ys: number[] = [],
    acts: number[] = [];
  for (let s = 0; s < nS; s++) {
    n.length = ys.length = acts.length = 0;
    for (let a = 0; a < nA; a++) {
      out[s * nA + a] = NaN;
      if (count[s * nA + a] > 0) {
        n.push(count[s * nA + a]);
        ys.push(y[s * nA + a]);
        acts.push(a);
      }
    }
    if (acts.length === 0) continue;
    const q = cqlStateSolve(n, ys, alpha);
    acts.forEach((a, j) => (out[s * nA + a] = q[j]));
  }
}

export function cql(data: OfflineDataset, opts: CqlOptions): LearnedPolicy {
  const { alpha } = opts;
  if (!(alpha >= 0)) throw new RangeError(`cql: alpha must be ≥ 0, got ${alpha}`);
  const idx = empiricalIndex(data);
  const Q = new Float64Array(idx.nS * idx.nA);
  cqlSweep(data, idx, alpha, new Float64Array(idx.nS * idx.nA), Q);
  const iterations = iterateToFixedPoint('cql', Q, (q, out) => cqlSweep(data, idx, alpha, q, out), opts);
  return { policy: greedyInSupport(idx, Q), Q, V: inSampleMax(idx, Q), iterations };
}
