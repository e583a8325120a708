/**
 * A Bradley–Terry reward model with an MLP reward r_φ(s) on item features, the unimodal reward model of standard
 * RLHF (Christiano et al. 2017; Ouyang et al. 2022 eq. 1):
 *   P(s¹ ≻ s²) = σ(r_φ(s¹) − r_φ(s²)),   L(φ) = Σ_i BCE(y_i, σ(r_φ(s¹_i) − r_φ(s²_i))),
 * with soft labels y ∈ [0, 1] (a tie is y = ½). Trained by Adam on minibatches of pairs; the loss of a batch is the
 * mean over its pairs. It pools every annotator's labels into one reward: with annotators of different utilities
 * its maximum-likelihood reward averages them (the failure Variational Preference Learning addresses).
 */
import type { Rng } from '../../../core/rng';
import { Adam } from '../../../nn/adam';
import { mlpOn, type AnyMlp } from '../../../nn/thread-engine';
import { softplus } from '../../tabular/methods/reward-learning';

/** Binary cross-entropy of a soft label y against σ(d), and its derivative in d (σ(d) − y). */
export function bceWithLogit(d: number, y: number): { loss: number; dd: number } {
  return { loss: y * softplus(-d) + (1 - y) * softplus(d), dd: 1 / (1 + Math.exp(-d)) - y };
}

export interface BtMlpOptions {
  /** Item feature dimension. */
  dIn: number;
  /** Hidden layer widths. */
  hidden: readonly number[];
  lr: number;
}

/** An MLP Bradley–Terry reward model. */
export class BtMlpReward {
  readonly net: AnyMlp;
  private readonly opt: Adam;
  readonly dIn: number;

  constructor(o: BtMlpOptions, rng: Rng) {
    this.dIn = o.dIn;
    this.net = mlpOn('preference.bradley-terry-mlp', [o.dIn, ...o.hidden, 1], rng.split('net'));
    this.opt = new Adam(this.net.size, { lr: o.lr });
  }

  /** Rewards of n items (features n × dIn, row-major). */
  reward(x: Float32Array, n: number): Float32Array {
    return this.net.forward(x, n);
  }

  /**
   * One Adam step on a batch of n pairs: x1, x2 (n × dIn) and soft labels y (P(first ≻ second)). Returns the mean
   * BCE before the step.
   */
  step(x1: Float32Array, x2: Float32Array, y: ArrayLike<number>, n: number): number {
    return this.stepWeighted(x1, x2, y, new Float64Array(n).fill(1 / n), n).loss;
  }

  /**
   * One Adam step on Σ_i w_i BCE_i (pair weights w, e.g. 1/n for the mean). Returns the weighted loss and the
   * mean BCE before the step.
   */
  stepWeighted(
    x1: Float32Array,
    x2: Float32Array,
    y: ArrayLike<number>,
    w: ArrayLike<number>,
    n: number,
  ): { weighted: number; loss: number } {
    const { r, dd, loss } = this.pairForward(x1, x2, y, n, 'stepWeighted');
    const dy = new Float32Array(2 * n);
    let weighted = 0;
    for (let i = 0; i < n; i++) {
      weighted += w[i] * bceWithLogit(r[i] - r[n + i], y[i]).loss;
      dy[i] = w[i] * dd[i];
      dy[n + i] = -w[i] * dd[i];
    }
    this.net.zeroGrad();
    this.net.backward(dy);
    this.opt.step(this.net.params.f, this.net.grads.f);
    return { weighted, loss };
  }

  /**
   * Per group g of pairs (group[i] ∈ 0..G−1), the gradient of the group's mean BCE with respect to the weights of
   * the output layer (the "reward head", dims[-2] values), at the current parameters; no step is taken.
   */
  headGradients(
    x1: Float32Array,
    x2: Float32Array,
    y: ArrayLike<number>,
    group: ArrayLike<number>,
    G: number,
    n: number,
  ) {
    const { dd } = this.pairForward(x1, x2, y, n, 'headGradients');
    const last = this.net.offsets[this.net.offsets.length - 1];
    const h = this.net.dims[this.net.dims.length - 2];
    const count = new Float64Array(G);
    for (let i = 0; i < n; i++) count[group[i]]++;
    const out: Float64Array[] = [];
    for (let g = 0; g < G; g++) {
      const dy = new Float32Array(2 * n);
      for (let i = 0; i < n; i++)
        if (group[i] === g) {
          dy[i] = dd[i] / count[g];
          dy[n + i] = -dd[i] / count[g];
        }
      this.net.zeroGrad();
      this.net.backward(dy);
      out.push(Float64Array.from(this.net.grads.f.subarray(last.W, last.W + h)));
    }
    this.net.zeroGrad();
    return out;
  }

  private pairForward(x1: Float32Array, x2: Float32Array, y: ArrayLike<number>, n: number, where: string) {
    const d = this.dIn;
    if (x1.length !== n * d || x2.length !== n * d || y.length !== n)
      throw new RangeError(`BtMlpReward.${where}: expected ${n} pairs of ${d} features and ${n} labels`);
    const x = new Float32Array(2 * n * d);
    x.set(x1);
    x.set(x2, n * d);
    const r = this.net.forward(x, 2 * n);
    const dd = new Float64Array(n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const g = bceWithLogit(r[i] - r[n + i], y[i]);
      loss += g.loss / n;
      dd[i] = g.dd;
    }
    return { r, dd, loss };
  }
}
