/**
 * Full-batch training of a flat float64 parameter vector (tabular logits, log-linear weights, reward
 * tables) on a loss that returns its value and exact gradient: the loop the offline methods (DPO,
 * IPO, RPO, SFT, the Bradley–Terry maximin objective) plug into, and the optimisers it steps with.
 */
import { Adam64 } from '../../../nn/adam';

/** A loss value and its gradient in the parameters. */
export interface LossAndGrad {
  loss: number;
  grad: Float64Array;
}

/** Plain gradient descent θ ← θ − lr·g (same interface as Adam64). */
export class Sgd {
  constructor(public lr: number) {}
  step(theta: Float64Array, g: Float64Array): void {
    for (let i = 0; i < theta.length; i++) theta[i] -= this.lr * g[i];
  }
}

export type Optimiser = Adam64 | Sgd;

/** Adam (float64, nn/adam.ts `Adam64`, default β and ε) or plain gradient descent on n parameters. */
export function makeOptimiser(kind: 'adam' | 'sgd', n: number, lr: number): Optimiser {
  return kind === 'adam' ? new Adam64(n, { lr }) : new Sgd(lr);
}

export interface TrainOptions {
  /** Loss of the method (e.g. methods/dpo.ts `dpoLoss` bound to its data). */
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
