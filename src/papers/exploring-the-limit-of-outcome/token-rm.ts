/**
 * OREAL's token-level reward model in miniature. The paper initialises it from the SFT policy and replaces the language
 * head by a linear head with one output (train_oreal.py: `lm_head = Linear(hidden, 1, bias=False)`), reads its score
 * s_t at the positions whose hidden state predicts each response token (the same slice as the log-probabilities), and
 * trains the whole model by eq. (12), the cross-entropy of σ(mean_t s_t) against the outcome, with AdamW and a
 * gradient-norm clip of 1. Here the backbone is the frozen base model (the SFT policy of the testbed) and only the
 * linear head v ∈ R^d is trained: s_t = v · h_t with h_t the base model's final hidden state (after the last layer
 * norm) at the position that predicts token t. Deviation: the backbone is not fine-tuned.
 */
import { Adam } from '../../nn/adam';
import type { Rng } from '../../core/rng';
import type { TransformerLm } from '../../nn/transformer-lm';
import { tokenRmLoss } from '../../testbeds/reasoning/trainer/objectives/oreal';

/** The base model's log-probabilities (the KL reference) and hidden features of a batch's response tokens. */
export interface BaseScores {
  /** log π_ref(o_t), N × L. */
  refLogp: Float32Array;
  /** h_t, N × L × d (d = the model width). */
  features: Float32Array;
  d: number;
}

/** One forward of the frozen base model on N rows of P + L tokens: the reference log-probabilities and features. */
export function baseScores(base: TransformerLm, seq: Int32Array, N: number, P: number, L: number): BaseScores {
  const T = P + L;
  const f = base.forward(seq, N, T, P - 1);
  const d = base.config.dModel,
    S = T - 1;
  const hf = f.hf.f;
  const features = new Float32Array(N * L * d);
  for (let n = 0; n < N; n++)
    for (let t = 0; t < L; t++) {
      const src = (n * S + P - 1 + t) * d;
      features.set(hf.subarray(src, src + d), (n * L + t) * d);
    }
  return { refLogp: Float32Array.from(f.logp), features, d };
}

/** The linear token reward head on frozen features, trained by eq. (12) with Adam (global-norm clip 1). */
export class LinearTokenRm {
  readonly v: Float32Array;
  private readonly opt: Adam;
  constructor(
    readonly d: number,
    lr: number,
    rng: Rng,
  ) {
    // PyTorch's Linear default: U(−1/√d, 1/√d).
    const bound = 1 / Math.sqrt(d);
    this.v = Float32Array.from({ length: d }, () => rng.range(-bound, bound));
    this.opt = new Adam(d, { lr, maxGradNorm: 1 });
  }

  /** s_t = v · h_t for every token (N × L; 0 after each end). */
  scores(x: BaseScores, lengths: ArrayLike<number>, L: number): Float64Array {
    const N = lengths.length,
      d = this.d;
    const out = new Float64Array(N * L);
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) {
        const o = (i * L + t) * d;
        let s = 0;
        for (let k = 0; k < d; k++) s += this.v[k] * x.features[o + k];
        out[i * L + t] = s;
      }
    return out;
  }

  /** One Adam step on eq. (12) over the batch; returns the loss before the step. */
  train(x: BaseScores, lengths: ArrayLike<number>, rewards: ArrayLike<number>, L: number): number {
    const N = lengths.length,
      d = this.d;
    const s = this.scores(x, lengths, L);
    const { loss, grad } = tokenRmLoss(s, lengths, rewards, L);
    const g = new Float32Array(d);
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) {
        const gi = grad[i * L + t];
        if (gi === 0) continue;
        const o = (i * L + t) * d;
        for (let k = 0; k < d; k++) g[k] += gi * x.features[o + k];
      }
    this.opt.step(this.v, g);
    return loss;
  }
}
