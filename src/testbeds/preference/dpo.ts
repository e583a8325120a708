/**
 * Direct Preference Optimization (Rafailov et al. 2023) on a tabular softmax policy.
 *
 * Policy logits θ[x, y]; log π(y|x) = θ[x,y] − logsumexp_y' θ[x,y']. For a comparison (x, a, b) the
 * log-ratio margin is u = log π(a|x)/π_ref(a|x) − log π(b|x)/π_ref(b|x) = (θ_a − θ_b) − (log π_ref(a) − log π_ref(b))
 * (the normaliser cancels). DPO loss (eq. 7), with soft label p = P(a ≻ b):
 *   L_DPO(θ) = (1/W) Σ_i w_i [−p_i log σ(β u_i) − (1 − p_i) log σ(−β u_i)].
 * Its implicit reward is β·log π/π_ref; its minimiser over all policies is π* ∝ π_ref·exp(r̂/β) with r̂ the
 * Bradley–Terry MLE on the same data (eq. 5–6), which the tests check.
 * Shared here: margins, the supervised (SFT) negative log-likelihood, and the full-batch trainer that
 * IPO and RPO reuse.
 */
import { checkComparisons, type Comparisons } from './data';
import { logSigmoid, logSoftmaxRows, makeOptimiser, sigmoid, type TableShape } from './tabular-policy';

export interface LossAndGrad {
  loss: number;
  grad: Float64Array;
}

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

function sumWeights(c: Comparisons): number {
  let W = 0;
  for (let i = 0; i < c.n; i++) W += c.w[i];
  if (!(W > 0)) throw new RangeError('direct alignment: the comparison set is empty or has zero total weight.');
  return W;
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
  const W = sumWeights(c);
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
  const W = sumWeights(c);
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

/** Where the supervised term's responses come from: the chosen responses of the data, or a policy table. */
export type SftTarget = { kind: 'chosen' } | { kind: 'policy'; probs: Float64Array; contextWeights?: Float64Array };

/**
 * Supervised negative log-likelihood E[−log π(y|x)] over the target distribution, and its gradient
 * −(e_y − π(·|x)) per sample. 'chosen': every comparison contributes its chosen response (for soft labels,
 * a with weight p and b with weight 1 − p), weighted like the comparisons.
 */
export function sftLoss(logits: Float64Array, shape: TableShape, target: SftTarget, c?: Comparisons): LossAndGrad {
  const { nX, nY } = shape;
  const logp = logSoftmaxRows(logits, shape);
  const grad = new Float64Array(logits.length);
  // mass[x·nY + y]: weight of (x, y) in the target; ctx[x]: total weight of context x.
  const mass = new Float64Array(nX * nY);
  if (target.kind === 'chosen') {
    if (!c) throw new RangeError("sftLoss: target 'chosen' needs the comparison set.");
    const W = sumWeights(c);
    for (let i = 0; i < c.n; i++) {
      const w = c.w[i] / W;
      mass[c.x[i] * nY + c.a[i]] += w * c.p[i];
      mass[c.x[i] * nY + c.b[i]] += w * (1 - c.p[i]);
    }
  } else {
    for (let x = 0; x < nX; x++) {
      const cw = target.contextWeights ? target.contextWeights[x] : 1 / nX;
      for (let y = 0; y < nY; y++) mass[x * nY + y] = cw * target.probs[x * nY + y];
    }
  }
  let loss = 0;
  for (let x = 0; x < nX; x++) {
    let tot = 0;
    for (let y = 0; y < nY; y++) {
      const m = mass[x * nY + y];
      if (m > 0) loss -= m * logp[x * nY + y];
      tot += m;
    }
    if (tot === 0) continue;
    for (let y = 0; y < nY; y++) grad[x * nY + y] = tot * Math.exp(logp[x * nY + y]) - mass[x * nY + y];
  }
  return { loss, grad };
}

export interface TrainOptions {
  /** Loss of the method (built from the functions above). */
  loss: (logits: Float64Array) => LossAndGrad;
  /** Initial logits (copied), usually log π_ref. */
  init: Float64Array;
  steps: number;
  optimiser: 'adam' | 'sgd';
  lr: number;
  /** Called at step 0 and every `every` steps (and at the end) with the current logits. */
  onRecord?: (step: number, logits: Float64Array) => void;
  every?: number;
}

/** Full-batch training of tabular logits on a loss; returns the final logits. */
export function trainLogits(o: TrainOptions): Float64Array {
  const theta = Float64Array.from(o.init);
  const opt = makeOptimiser(o.optimiser, theta.length, o.lr);
  const every = o.every ?? 0;
  if (o.onRecord) o.onRecord(0, theta);
  for (let t = 1; t <= o.steps; t++) {
    const { grad } = o.loss(theta);
    opt.step(theta, grad);
    if (o.onRecord && every > 0 && (t % every === 0 || t === o.steps)) o.onRecord(t, theta);
  }
  return theta;
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
