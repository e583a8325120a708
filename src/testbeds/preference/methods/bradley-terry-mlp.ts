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
import { Mlp } from '../../../nn/mlp';
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
  readonly net: Mlp;
  private readonly opt: Adam;
  readonly dIn: number;

  constructor(o: BtMlpOptions, rng: Rng) {
    this.dIn = o.dIn;
    this.net = new Mlp([o.dIn, ...o.hidden, 1], rng.split('net'));
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
    const d = this.dIn;
    if (x1.length !== n * d || x2.length !== n * d || y.length !== n)
      throw new RangeError(`BtMlpReward.step: expected ${n} pairs of ${d} features and ${n} labels`);
    const x = new Float32Array(2 * n * d);
    x.set(x1);
    x.set(x2, n * d);
    const r = this.net.forward(x, 2 * n);
    const dy = new Float32Array(2 * n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const g = bceWithLogit(r[i] - r[n + i], y[i]);
      loss += g.loss;
      dy[i] = g.dd / n;
      dy[n + i] = -g.dd / n;
    }
    this.net.zeroGrad();
    this.net.backward(dy);
    this.opt.step(this.net.params.f, this.net.grads.f);
    return loss / n;
  }
}
