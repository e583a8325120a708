/**
 * IPO, Identity Preference Optimisation (Azar et al. 2024, "A General Theoretical Paradigm to Understand
 * Learning from Human Preferences", eq. 17), on a tabular softmax policy. With the log-ratio margin u
 * (see dpo.ts) and regularisation τ (written β here, as in TRL):
 *   hard label (a chosen):  (u − 1/(2τ))²
 *   soft label p = P(a ≻ b): p·(u − 1/(2τ))² + (1 − p)·(u + 1/(2τ))²   (minimised at u = (2p − 1)/(2τ))
 * averaged over the data. Unlike DPO the target margin is finite, so it does not diverge on
 * deterministic preferences.
 */
import type { Comparisons } from './data';
import { marginLoss, type LossAndGrad } from './dpo';
import type { TableShape } from './tabular-policy';

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
