/**
 * RPO, Regularized Preference Optimization (Liu et al. 2024, "Provably Mitigating Overoptimization in
 * RLHF: Your SFT Loss is Implicitly an Adversarial Regularizer", Algorithm 2):
 *   L_RPO(θ) = L_DPO(θ) + η·β·E_{x, y ~ π_base}[−log π_θ(y|x)].
 * It is the reparametrisation of the maximin objective max_π min_r { η⁻¹·L_BT(r) + E_π[r] − E_{π_base}[r] −
 * β·KL(π‖π_ref) }
 * (Algorithm 1) through r = β log π/π_ref + β log Z. The authors' code (alignment-handbook/scripts/rpo_trainer.py,
 * `losses -= policy_chosen_logps * beta * eta`) takes π_base = the chosen responses of the data, the default here.
 * `adversarialRewardObjective` is Algorithm 1's inner problem in the reward (for the equivalence check).
 */
import type { Comparisons } from '../data/comparisons';
import type { LossAndGrad } from '../loops/full-batch';
import { logSoftmaxRows, type TableShape } from '../policies/logit-table';
import { btLossTabular } from './bradley-terry';
import { dpoLoss } from './dpo';
import { sftLoss, type SftTarget } from './sft';

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

/**
 * The maximin objective of Algorithm 1 in the reward (contexts weighted uniformly, d_x = 1/nX):
 * F(r) = η_a·L_BT(r) + β Σ_x d_x log Σ_y π_ref e^{r/β} − Σ_x d_x E_{π_base}[r], with its gradient.
 * Its minimiser r̂ gives the maximin policy π ∝ π_ref·exp(r̂/β), which Algorithm 2 (RPO) reaches
 * directly.
 */
export function adversarialRewardObjective(
  r: Float64Array,
  c: Comparisons,
  shape: TableShape,
  logpRef: Float64Array,
  baseProbs: Float64Array,
  etaA: number,
  beta: number,
): LossAndGrad {
  const { nX, nY } = shape;
  const bt = btLossTabular(r, c, shape);
  const grad = new Float64Array(r.length);
  let loss = etaA * bt.loss;
  for (let i = 0; i < r.length; i++) grad[i] = etaA * bt.grad[i];
  const z = new Float64Array(r.length);
  for (let i = 0; i < r.length; i++) z[i] = logpRef[i] + r[i] / beta;
  const lp = logSoftmaxRows(z, shape);
  for (let x = 0; x < nX; x++) {
    let m = -Infinity;
    for (let y = 0; y < nY; y++) m = Math.max(m, z[x * nY + y]);
    let s = 0;
    for (let y = 0; y < nY; y++) s += Math.exp(z[x * nY + y] - m);
    loss += (beta * (m + Math.log(s))) / nX;
    for (let y = 0; y < nY; y++) {
      const i = x * nY + y;
      loss -= (baseProbs[i] * r[i]) / nX;
      grad[i] += (Math.exp(lp[i]) - baseProbs[i]) / nX;
    }
  }
  return { loss, grad };
}
