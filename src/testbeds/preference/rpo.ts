/**
 * RPO, Regularized Preference Optimization (Liu et al. 2024, "Provably Mitigating Overoptimization in
 * RLHF: Your SFT Loss is Implicitly an Adversarial Regularizer", Algorithm 2):
 *   L_RPO(θ) = L_DPO(θ) + η·β·E_{x, y ~ π_base}[−log π_θ(y|x)].
 * It is the reparametrisation of the maximin objective max_π min_r { η⁻¹·L_BT(r) + E_π[r] − E_{π_base}[r] − β·KL(π‖π_ref) }
 * (Algorithm 1) through r = β log π/π_ref + β log Z. The authors' code (alignment-handbook/scripts/rpo_trainer.py,
 * `losses -= policy_chosen_logps * beta * eta`) takes π_base = the chosen responses of the data, the default here.
 */
import type { Comparisons } from './data';
import { dpoLoss, sftLoss, type LossAndGrad, type SftTarget } from './dpo';
import type { TableShape } from './tabular-policy';

export function rpoLoss(
  logits: Float64Array,
  logpRef: Float64Array,
  c: Comparisons,
  shape: TableShape,
  beta: number,
  eta: number,
  baseline: SftTarget = { kind: 'chosen' },
): LossAndGrad {
  if (!(eta >= 0)) throw new RangeError(`rpoLoss: eta must be ≥ 0, got ${eta}`);
  const d = dpoLoss(logits, logpRef, c, shape, beta);
  if (eta === 0) return d;
  const s = sftLoss(logits, shape, baseline, c);
  const k = eta * beta;
  const grad = new Float64Array(d.grad.length);
  for (let i = 0; i < grad.length; i++) grad[i] = d.grad[i] + k * s.grad[i];
  return { loss: d.loss + k * s.loss, grad };
}
