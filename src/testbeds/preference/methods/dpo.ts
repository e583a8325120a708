/**
 * DPO, Direct Preference Optimization (Rafailov et al. 2023, "Direct Preference Optimization: Your
 * Language Model is Secretly a Reward Model"), on a tabular softmax policy.
 *
 * Policy logits θ[x, y]; log π(y|x) = θ[x,y] − logsumexp_y' θ[x,y']. For a comparison (x, a, b) the
 * log-ratio margin is u = log π(a|x)/π_ref(a|x) − log π(b|x)/π_ref(b|x) = (θ_a − θ_b) − (log π_ref(a) − log π_ref(b))
 * (the normaliser cancels). DPO loss (eq. 7), with soft label p = P(a ≻ b):
 *   L_DPO(θ) = (1/W) Σ_i w_i [−p_i log σ(β u_i) − (1 − p_i) log σ(−β u_i)].
 * Its implicit reward is β·log π/π_ref; its minimiser over all policies is π* ∝ π_ref·exp(r̂/β) with r̂ the
 * Bradley–Terry MLE on the same data (eq. 5–6), which the tests check.
 * Shared here: margins and the generic margin loss that IPO reuses; `trainDpo` (full batch, from
 * π_ref, loops/full-batch.ts); and `dpoGradientSteps`, the per-context-mean variant the iterative
 * methods (DNO-Prct, iterative DPO) take a few steps of from their current iterate.
 */
import { sigmoid } from '../../../math';
import { checkComparisons, totalWeight, type Comparisons } from '../data/comparisons';
import type { PreferencePairs } from '../data/game';
import { trainLogits, type LossAndGrad } from '../loops/full-batch';
import { logSigmoid, logSoftmaxRows, type TableShape } from '../policies/logit-table';

/** Log-ratio margins u_i (see header). */
export function logRatioMargins(logits: Float64Array, logpRef: Float64Array, c: Comparisons, nY: number): Float64Array {
  const u = new Float64Array(c.n);
  for (let i = 0; i < c.n; i++) {
    const ia = c.x[i] * nY + c.a[i],
      ib = c.x[i] * nY + c.b[i];
    u[i] = logits[ia] - logits[ib] - (logpRef[ia] - logpRef[ib]);
  }
  return u;
}

/**
 * A loss that depends on the data only through the margins: (1/W) Σ w_i f(u_i, p_i); `f` returns the
 * value and df/du. Gradient in θ: +df/du at (x, a), −df/du at (x, b).
 */
export function marginLoss(
  logits: Float64Array,
  logpRef: Float64Array,
  c: Comparisons,
  shape: TableShape,
  f: (u: number, p: number) => { loss: number; du: number },
): LossAndGrad {
  const { nY } = shape;
  const W = totalWeight(c, 'direct alignment');
  const grad = new Float64Array(logits.length);
  let loss = 0;
  for (let i = 0; i < c.n; i++) {
    const ia = c.x[i] * nY + c.a[i],
      ib = c.x[i] * nY + c.b[i];
    const u = logits[ia] - logits[ib] - (logpRef[ia] - logpRef[ib]);
    const r = f(u, c.p[i]);
    const w = c.w[i] / W;
    loss += w * r.loss;
    grad[ia] += w * r.du;
    grad[ib] -= w * r.du;
  }
  return { loss, grad };
}

/** DPO loss (Rafailov et al. 2023, eq. 7) and its gradient in the logits (inlined marginLoss). */
export function dpoLoss(
  logits: Float64Array,
  logpRef: Float64Array,
  c: Comparisons,
  shape: TableShape,
  beta: number,
): LossAndGrad {
  if (!(beta > 0)) throw new RangeError(`dpoLoss: beta must be > 0, got ${beta}`);
  const { nY } = shape;
  const W = totalWeight(c, 'direct alignment');
  const grad = new Float64Array(logits.length);
  let loss = 0;
  for (let i = 0; i < c.n; i++) {
    const ia = c.x[i] * nY + c.a[i],
      ib = c.x[i] * nY + c.b[i];
    const z = beta * (logits[ia] - logits[ib] - (logpRef[ia] - logpRef[ib]));
    const p = c.p[i],
      w = c.w[i] / W;
    loss -= w * (p * logSigmoid(z) + (1 - p) * logSigmoid(-z));
    const g = w * beta * (sigmoid(z) - p);
    grad[ia] += g;
    grad[ib] -= g;
  }
  return { loss, grad };
}

/** DPO trained from π_ref (convenience). */
export function trainDpo(
  c: Comparisons,
  logpRef: Float64Array,
  shape: TableShape,
  o: { beta: number; steps: number; lr: number; optimiser?: 'adam' | 'sgd' },
): Float64Array {
  checkComparisons(c, shape, 'trainDpo');
  return logSoftmaxRows(
    trainLogits({
      loss: (th) => dpoLoss(th, logpRef, c, shape, o.beta),
      init: logpRef,
      steps: o.steps,
      optimiser: o.optimiser ?? 'sgd',
      lr: o.lr,
    }),
    shape,
  );
}

/** DPO's implicit reward β·log π(y|x)/π_ref(y|x) (table; defined up to a per-context constant). */
export function implicitReward(logp: Float64Array, logpRef: Float64Array, beta: number): Float64Array {
  const r = new Float64Array(logp.length);
  for (let i = 0; i < r.length; i++) r[i] = beta * (logp[i] - logpRef[i]);
  return r;
}

export interface DpoStepOptions {
  /** KL strength β of the DPO loss −log σ(β·[(log π/π_ref)(y_w) − (log π/π_ref)(y_l)]). */
  beta: number;
  /** Full-batch gradient-descent steps on the logits. */
  steps: number;
  /** Step size, in units of 1/β² (so the update does not depend on the scale of β): lr = lrScale/β². */
  lrScale: number;
}

/**
 * Gradient descent on the DPO loss (eq. 7, hard labels) of tabular logits θ (in place), each
 * context's loss being the mean over its pairs (x, y_w ≻ y_l); refLogp is log π_ref. Only differences
 * θ(y_w) − θ(y_l) enter the loss, so the softmax normaliser cancels. (Per-context means, unlike
 * `dpoLoss`'s mean over all comparisons: the two are different objectives.)
 */
export function dpoGradientSteps(
  theta: Float64Array,
  refLogp: Float64Array,
  nY: number,
  pairs: PreferencePairs,
  o: DpoStepOptions,
): void {
  if (!(o.beta > 0)) throw new RangeError(`dpoGradientSteps: beta must be > 0, got ${o.beta}`);
  const nX = theta.length / nY;
  const count = new Float64Array(nX);
  for (let k = 0; k < pairs.n; k++) count[pairs.x[k]]++;
  const lr = o.lrScale / (o.beta * o.beta);
  const grad = new Float64Array(theta.length);
  for (let s = 0; s < o.steps; s++) {
    grad.fill(0);
    for (let k = 0; k < pairs.n; k++) {
      const x = pairs.x[k],
        w = x * nY + pairs.yw[k],
        l = x * nY + pairs.yl[k];
      if (w === l) continue;
      const z = o.beta * (theta[w] - refLogp[w] - (theta[l] - refLogp[l]));
      const gk = (-o.beta * (1 - sigmoid(z))) / count[x];
      grad[w] += gk;
      grad[l] -= gk;
    }
    for (let i = 0; i < theta.length; i++) theta[i] -= lr * grad[i];
  }
}
