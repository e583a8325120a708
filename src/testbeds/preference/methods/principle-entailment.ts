/**
 * The principle-entailment scalar reward model of RLBFF (Wang et al. 2025, "RLBFF: Binary Flexible Feedback to bridge
 * between Human Feedback & Verifiable Rewards", arXiv:2509.21319): reward modelling as a binary entailment task. The
 * model reads (prompt, response, principle) and answers whether the response satisfies the principle with a single
 * Yes/No token; it is trained with the cross-entropy of that token on binary judgments, and its reward is
 *   r(prompt, response, principle) = log P(Yes) − log P(No)
 * (the paper's definition of the scalar RM's reward). With only the two answer tokens, P(Yes) = σ(ℓ) for the logit
 * difference ℓ = a_Yes − a_No, so the token cross-entropy is BCE(z, σ(ℓ)) and the reward is ℓ itself: the network
 * here outputs ℓ directly (one output instead of two redundant token logits; the loss and the reward are identical).
 *
 * A user can name the principles of interest at inference time; for a weighting w over several principles the
 * reward is the weighted sum of the per-principle rewards, Σ_k w_k r(·, ·, k) (`principleWeightedReward`; the
 * aggregation over several principles is this kit's, the paper scores one principle at a time).
 */
import type { Rng } from '../../../core/rng';
import { Adam } from '../../../nn/adam';
import { mlpOn, type AnyMlp } from '../../../nn/thread-engine';
import { bceWithLogit } from './bradley-terry-mlp';

export interface PrincipleEntailmentOptions {
  /** Input width (prompt, principle and response features concatenated). */
  dIn: number;
  hidden: readonly number[];
  lr: number;
}

/** log P(Yes) − log P(No) from the two answer-token logits (any common normaliser cancels). */
export function yesNoReward(logitYes: number, logitNo: number): number {
  return logitYes - logitNo;
}

export class PrincipleEntailmentReward {
  readonly net: AnyMlp;
  private readonly opt: Adam;
  readonly dIn: number;

  constructor(o: PrincipleEntailmentOptions, rng: Rng) {
    this.dIn = o.dIn;
    this.net = mlpOn('preference.principle-entailment', [o.dIn, ...o.hidden, 1], rng.split('net'));
    this.opt = new Adam(this.net.size, { lr: o.lr });
  }

  /** The reward r = log P(Yes) − log P(No) of n (prompt, principle, response) inputs (n × dIn). */
  reward(inputs: Float32Array, n: number): Float32Array {
    if (inputs.length !== n * this.dIn)
      throw new RangeError(`PrincipleEntailmentReward.reward: expected ${n} rows of ${this.dIn} inputs`);
    return this.net.forward(inputs, n);
  }

  /**
   * One Adam step on the mean Yes/No cross-entropy of n judged inputs, z_i = 1 for "Yes, the response satisfies the
   * principle". Returns the mean loss before the step.
   */
  step(inputs: Float32Array, z: ArrayLike<number>, n: number): number {
    if (z.length !== n) throw new RangeError(`PrincipleEntailmentReward.step: expected ${n} labels, got ${z.length}`);
    const l = this.reward(inputs, n);
    const dy = new Float32Array(n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const g = bceWithLogit(l[i], z[i]);
      loss += g.loss / n;
      dy[i] = g.dd / n;
    }
    this.net.zeroGrad();
    this.net.backward(dy);
    this.opt.step(this.net.params.f, this.net.grads.f);
    return loss;
  }
}

/**
 * Σ_k w_k r_k for n items: `perPrinciple[k]` holds the n rewards under principle k; principles with zero weight may
 * be left undefined.
 */
export function principleWeightedReward(
  perPrinciple: readonly (ArrayLike<number> | undefined)[],
  w: ArrayLike<number>,
  n: number,
): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < w.length; k++) {
    if (w[k] === 0) continue;
    const r = perPrinciple[k];
    if (!r) throw new RangeError(`principleWeightedReward: principle ${k} has weight ${w[k]} but no rewards`);
    for (let i = 0; i < n; i++) out[i] += w[k] * r[i];
  }
  return out;
}
