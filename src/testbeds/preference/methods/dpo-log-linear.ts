/**
 * DPO (Rafailov et al. 2023, eq. 7) with a log-linear policy over response features:
 *   log π_θ(y|x) = log π_ref(y|x) + θ·φ(x, y) − log Z_θ(x),   θ ∈ R^d, θ = 0 at π_ref.
 * The log-ratio margin of a comparison (x, a, b) is u = θ·(φ(x, a) − φ(x, b)), so the DPO loss is a logistic
 * regression of the labels on β·(φ_a − φ_b): its minimiser is θ = θ̂/β with θ̂ the (unregularised) linear
 * Bradley–Terry MLE on the same comparisons, i.e. π_θ ∝ π_ref·exp(θ̂·φ/β) — the exact optimum of the
 * KL-regularised objective for the linear reward model r̂ = θ̂·φ. Unlike a tabular policy, it generalises across
 * responses exactly as the reward model does.
 * Trained full batch with Adam from θ = 0 (π_ref); `onRecord` sees the logits at t = 0 and every `every` steps.
 */
import { Adam64 } from '../../../nn/adam';
import type { Comparisons } from '../data/comparisons';
import { logLinearModel } from '../policies/logit-model';
import type { TableShape } from '../policies/logit-table';
import { dpoLoss } from './dpo';

export interface DpoLogLinearOptions {
  /** KL coefficient β of the DPO loss. */
  beta: number;
  /** Full-batch Adam steps. */
  steps: number;
  /** Adam learning rate. */
  lr: number;
  /** Record every `every` steps (and at t = 0 and t = steps). */
  every: number;
  onRecord?: (step: number, logits: Float64Array, theta: Float64Array) => void;
}

/** Train a log-linear DPO policy; returns the final θ (logits = log π_ref + θ·φ). */
export function trainDpoLogLinear(
  data: Comparisons,
  logpRef: Float64Array,
  features: Float64Array,
  d: number,
  shape: TableShape,
  o: DpoLogLinearOptions,
): Float64Array {
  if (!(o.beta > 0)) throw new RangeError(`trainDpoLogLinear: beta must be > 0, got ${o.beta}`);
  if (!(Number.isInteger(o.every) && o.every >= 1))
    throw new RangeError(`trainDpoLogLinear: every must be a positive integer, got ${o.every}`);
  const model = logLinearModel(logpRef, features, d);
  const theta = new Float64Array(d);
  const adam = new Adam64(d, { lr: o.lr });
  o.onRecord?.(0, model.logits(theta), theta);
  for (let t = 1; t <= o.steps; t++) {
    const logits = model.logits(theta);
    adam.step(theta, model.backprop(dpoLoss(logits, logpRef, data, shape, o.beta).grad));
    if (t % o.every === 0 || t === o.steps) o.onRecord?.(t, model.logits(theta), theta);
  }
  return theta;
}
