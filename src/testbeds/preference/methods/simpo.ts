/**
 * SimPO, Simple Preference Optimization (Meng, Xia & Chen 2024, "SimPO: Simple Preference Optimization with a
 * Reference-Free Reward", eq. 6), on a tabular softmax policy. The implicit reward is the length-normalised
 * log-likelihood (β/|y|)·log π(y|x), with no reference model, and the Bradley–Terry margin is shifted by a target
 * reward margin γ:
 *   L_SimPO(θ) = (1/W) Σ_i w_i [−p_i log σ(z_i) − (1 − p_i) log σ(−z_i)],
 *   z_i = (β/|a_i|) log π(a_i|x_i) − (β/|b_i|) log π(b_i|x_i) − γ
 * (p_i = 1 is the paper's hard-label loss; soft labels are the same cross-entropy). Response lengths |y| default to 1.
 */
import { sigmoid } from '../../../math';
import { totalWeight, type Comparisons } from '../data/comparisons';
import type { LossAndGrad } from '../loops/full-batch';
import { logSigmoid, logSoftmaxRows, type TableShape } from '../policies/logit-table';

export interface SimpoOptions {
  /** Reward scale β > 0. */
  beta: number;
  /** Target reward margin γ ≥ 0. */
  margin: number;
  /** Response lengths |y| (nX·nY, all > 0); every response has length 1 when omitted. */
  lengths?: Float64Array;
}

/** SimPO loss (eq. 6) and its gradient in the logits. */
export function simpoLoss(logits: Float64Array, c: Comparisons, shape: TableShape, o: SimpoOptions): LossAndGrad {
  if (!(o.beta > 0)) throw new RangeError(`simpoLoss: beta must be > 0, got ${o.beta}`);
  if (!(o.margin >= 0)) throw new RangeError(`simpoLoss: margin γ must be ≥ 0, got ${o.margin}`);
  const { nY } = shape;
  const W = totalWeight(c, 'simpoLoss');
  const logp = logSoftmaxRows(logits, shape);
  const grad = new Float64Array(logits.length);
  let loss = 0;
  for (let i = 0; i < c.n; i++) {
    const off = c.x[i] * nY;
    const ia = off + c.a[i],
      ib = off + c.b[i];
    const ka = o.beta / (o.lengths ? o.lengths[ia] : 1),
      kb = o.beta / (o.lengths ? o.lengths[ib] : 1);
    const z = ka * logp[ia] - kb * logp[ib] - o.margin;
    const p = c.p[i],
      w = c.w[i] / W;
    loss -= w * (p * logSigmoid(z) + (1 - p) * logSigmoid(-z));
    // dz/dθ[x, y] = ka·(1[y = a] − π_y) − kb·(1[y = b] − π_y)
    const g = w * (sigmoid(z) - p);
    grad[ia] += g * ka;
    grad[ib] -= g * kb;
    if (ka !== kb) for (let y = 0; y < nY; y++) grad[off + y] -= g * (ka - kb) * Math.exp(logp[off + y]);
  }
  return { loss, grad };
}
