/**
 * IPO, Identity Preference Optimisation (Azar et al. 2024, "A General Theoretical Paradigm to Understand
 * Learning from Human Preferences", eq. 17), on a tabular softmax policy. With the log-ratio margin u
 * (see dpo.ts) and regularisation τ (written β here, as in TRL):
 *   hard label (a chosen):  (u − 1/(2τ))²
 *   soft label p = P(a ≻ b): p·(u − 1/(2τ))² + (1 − p)·(u + 1/(2τ))²   (minimised at u = (2p − 1)/(2τ))
 * averaged over the data. Unlike DPO the target margin is finite, so it does not diverge on
 * deterministic preferences. `onlineIpoUpdate`: the same loss on on-policy pairs, solved exactly
 * (the online-IPO baseline of INPO, Zhang et al. 2024).
 */
import type { Comparisons } from '../data/comparisons';
import type { LossAndGrad } from '../loops/full-batch';
import type { TableShape } from '../policies/logit-table';
import { tabularPolicyFromLogits, type TabularPolicy } from '../policies/tabular-policy';
import { solvePairwiseSquare } from '../solvers/pairwise-square';
import { marginLoss } from './dpo';

export function ipoLoss(
  logits: Float64Array,
  logpRef: Float64Array,
  c: Comparisons,
  shape: TableShape,
  tau: number,
): LossAndGrad {
  if (!(tau > 0)) throw new RangeError(`ipoLoss: tau (β) must be > 0, got ${tau}`);
  const h = 1 / (2 * tau);
  return marginLoss(logits, logpRef, c, shape, (u, p) => ({
    loss: p * (u - h) * (u - h) + (1 - p) * (u + h) * (u + h),
    du: 2 * (u - (2 * p - 1) * h),
  }));
}

/**
 * Online IPO (the IPO loss (log π/π_ref(y_w) − log π/π_ref(y_l) − 1/(2τ))² on pairs from the current
 * policy), solved exactly: π ∝ π_ref·exp(φ).
 */
export function onlineIpoUpdate(ref: TabularPolicy, pairs: Comparisons, tau: number, ridge = 1e-10): TabularPolicy {
  if (!(tau > 0)) throw new RangeError(`onlineIpoUpdate: τ must be > 0, got ${tau}`);
  const { nX, nY } = ref;
  const phi = solvePairwiseSquare(nX, nY, pairs, 1 / (2 * tau), ridge);
  const l = new Float64Array(nX * nY);
  for (let i = 0; i < l.length; i++) l[i] = Math.log(ref.probs[i]) + phi[i];
  return tabularPolicyFromLogits(nX, nY, l);
}
