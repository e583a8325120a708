/**
 * The KL-regularised optimum in closed form: π*(y|x) ∝ π_ref(y|x)·exp(r(x, y)/β), the argmax of
 * E_π r − β·KL(π‖π_ref) (Rafailov et al. 2023, eq. 4; the policy RLHF aims at, and DPO's minimiser
 * for the Bradley–Terry MLE reward).
 *
 * Two forms, one per policy representation of the testbed; they normalise differently (exp(l − max)/Σ
 * versus l − logsumexp), so their float results differ and each keeps its own name:
 * - `klRegularisedOptimum`: a `TabularPolicy` (probabilities) from a `TabularPolicy` reference;
 * - `klRegularisedOptimumLogp`: log-probabilities from a log-probability table (logit-table.ts).
 * And `klMatchedBeta`: the β at which the optimum sits at a given KL from the reference.
 */
import { logSoftmaxRows, type TableShape } from '../policies/logit-table';
import { kl, tabularPolicyFromLogits, type TabularPolicy } from '../policies/tabular-policy';

/** π* ∝ π_ref·exp(r/β) as a tabular policy (probabilities). */
export function klRegularisedOptimum(ref: TabularPolicy, reward: ArrayLike<number>, beta: number): TabularPolicy {
  if (!(beta > 0)) throw new RangeError(`klRegularisedOptimum: beta must be > 0, got ${beta}`);
  if (reward.length !== ref.probs.length)
    throw new RangeError(`klRegularisedOptimum: reward has length ${reward.length}, expected ${ref.probs.length}`);
  const l = new Float64Array(ref.probs.length);
  for (let i = 0; i < l.length; i++) l[i] = Math.log(ref.probs[i]) + reward[i] / beta;
  return tabularPolicyFromLogits(ref.nX, ref.nY, l);
}

/** log π* = log π_ref + r/β − log Z, from the log-probabilities of π_ref (a table of shape `shape`). */
export function klRegularisedOptimumLogp(
  logpRef: Float64Array,
  reward: Float64Array,
  beta: number,
  shape: TableShape,
): Float64Array {
  if (!(beta > 0)) throw new RangeError(`klRegularisedOptimumLogp: beta must be > 0, got ${beta}`);
  const l = new Float64Array(logpRef.length);
  for (let i = 0; i < l.length; i++) l[i] = logpRef[i] + reward[i] / beta;
  return logSoftmaxRows(l, shape);
}

/**
 * The KL coefficient at which the optimum ref·exp(r/β) has E_x KL(π‖ref) = targetKl (bisection on
 * log β over [1e-6, 1e6], 200 halvings; KL decreases monotonically in β). One β for all contexts, as
 * in a single RLHF run: the baselines of Nash-MD, DNO and INPO are compared at equal KL this way.
 */
export function klMatchedBeta(ref: TabularPolicy, reward: Float64Array, targetKl: number): number {
  let lo = Math.log(1e-6),
    hi = Math.log(1e6);
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    const k = kl(klRegularisedOptimum(ref, reward, Math.exp(mid)), ref);
    if (k > targetKl) lo = mid;
    else hi = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}
