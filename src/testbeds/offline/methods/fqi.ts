/**
 * Fitted Q iteration on the data with the in-sample maximum (Ernst, Geurts & Wehenkel, "Tree-Based Batch Mode
 * Reinforcement Learning", JMLR 2005, §3.1, with a tabular regressor; the max restricted to supported actions as in
 * batch-constrained Q-learning, Fujimoto et al. 2019, §4):
 *   Q_{k+1}(s, a) = mean_{i ∈ D(s,a)} [ r_i + γ (1 − done_i) max_{a': n(s'_i, a') > 0} Q_k(s'_i, a') ]
 * iterated to its fixed point (V_out at successors without data, data/empirical.ts). Policy: greedy over supported
 * actions. On deterministic data this is the best data-supported value (solvers/evaluation.ts).
 */
import type { OfflineDataset } from '../data/dataset';
import {
  empiricalIndex,
  greedyInSupport,
  inSampleMax,
  iterateToFixedPoint,
  meanTargets,
  type FixedPointOptions,
  type LearnedPolicy,
} from '../data/empirical';

export function fittedQIteration(data: OfflineDataset, opts: FixedPointOptions = {}): LearnedPolicy {
  const idx = empiricalIndex(data);
  const V = new Float64Array(idx.nS);
  const Q = meanTargets(data, idx, inSampleMax(idx, new Float64Array(idx.nS * idx.nA), V));
  const iterations = iterateToFixedPoint(
    'fittedQIteration',
    Q,
    (q, out) => meanTargets(data, idx, inSampleMax(idx, q, V), out),
    opts,
  );
  inSampleMax(idx, Q, V);
  return { policy: greedyInSupport(idx, Q), Q, V, iterations };
}
