/**
 * A softmax classifier on the kit's MLP (`nn/mlp.ts`): the mean cross-entropy of a batch and its gradient with
 * respect to the logits, test accuracy, plain SGD, and minibatch epochs over one labelled set with any optimiser
 * (`Stepper`) and an optional extra gradient term (a regulariser such as EWC's penalty).
 */
import type { Rng } from '../../../core/rng';
import type { AnyMlp } from '../../../nn/thread-engine';
import type { LabelledSet } from '../env/permuted-clusters';

/** Row-wise softmax of logits (n × C) in place; returns the same array. */
export function softmaxInPlace(z: Float32Array, n: number, C: number): Float32Array {
  for (let r = 0; r < n; r++) {
    const o = r * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, z[o + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += z[o + c] = Math.exp(z[o + c] - m);
    for (let c = 0; c < C; c++) z[o + c] /= s;
  }
  return z;
}

/** Mean cross-entropy of logits (n × C) against labels y, and its gradient in the logits ((p − e_y)/n). */
export function crossEntropyWithLogits(
  logits: Float32Array,
  y: ArrayLike<number>,
  n: number,
  C: number,
): { loss: number; dLogits: Float32Array } {
  const p = softmaxInPlace(Float32Array.from(logits), n, C);
  let loss = 0;
  for (let r = 0; r < n; r++) {
    loss -= Math.log(Math.max(p[r * C + y[r]], 1e-30));
    p[r * C + y[r]] -= 1;
  }
  for (let i = 0; i < p.length; i++) p[i] /= n;
  return { loss: loss / n, dLogits: p };
}

/** Share of a set's samples whose largest logit is the label. */
export function classifierAccuracy(net: AnyMlp, set: LabelledSet): number {
  const C = net.dims[net.dims.length - 1];
  const z = net.forward(set.x, set.n);
  let hit = 0;
  for (let r = 0; r < set.n; r++) {
    let best = 0;
    for (let c = 1; c < C; c++) if (z[r * C + c] > z[r * C + best]) best = c;
    if (best === set.y[r]) hit++;
  }
  return hit / set.n;
}

/** Anything that takes one step on a flat parameter vector from its gradient (nn.Adam, Classp, PlainSgd). */
export interface Stepper {
  step(params: Float32Array, grads: Float32Array): unknown;
}

/** Plain SGD: θ ← θ − lr·g. */
export class PlainSgd implements Stepper {
  constructor(readonly lr: number) {
    if (!(lr > 0)) throw new RangeError(`continual.PlainSgd: lr must be > 0, got ${lr}`);
  }
  step(params: Float32Array, g: Float32Array): void {
    for (let i = 0; i < g.length; i++) params[i] -= this.lr * g[i];
  }
}

export interface EpochOptions {
  epochs: number;
  batch: number;
  /** Adds a regulariser's gradient to `grads` at `params` before each step (e.g. EwcPenalty.addGradient). */
  extraGradient?: (params: Float32Array, grads: Float32Array) => void;
}

/**
 * `epochs` passes over `set` in shuffled minibatches of `batch` (the last one smaller), one optimiser step per
 * minibatch on the mean cross-entropy (+ the extra gradient). Returns the number of steps taken.
 */
export function trainEpochs(net: AnyMlp, set: LabelledSet, opt: Stepper, o: EpochOptions, rng: Rng): number {
  const dIn = net.dims[0],
    C = net.dims[net.dims.length - 1];
  const xb = new Float32Array(o.batch * dIn);
  const yb = new Int32Array(o.batch);
  let steps = 0;
  for (let e = 0; e < o.epochs; e++) {
    const order = rng.split(`epoch${e}`).shuffle(Array.from({ length: set.n }, (_, i) => i));
    for (let lo = 0; lo < set.n; lo += o.batch) {
      const b = Math.min(o.batch, set.n - lo);
      for (let r = 0; r < b; r++) {
        const s = order[lo + r];
        xb.set(set.x.subarray(s * dIn, (s + 1) * dIn), r * dIn);
        yb[r] = set.y[s];
      }
      const logits = net.forward(b === o.batch ? xb : xb.subarray(0, b * dIn), b);
      const { dLogits } = crossEntropyWithLogits(logits, yb, b, C);
      net.zeroGrad();
      net.backward(dLogits);
      o.extraGradient?.(net.params.f, net.grads.f);
      opt.step(net.params.f, net.grads.f);
      steps++;
    }
  }
  return steps;
}
