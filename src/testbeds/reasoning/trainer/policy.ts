/**
 * The model-agnostic policy the reasoning trainer drives: it samples completions, scores token sequences
 * (teacher-forced log-probabilities and entropies of the completion tokens), accumulates the gradient of
 * Σ w·log π (+ Σ e·H) and takes an optimiser step. `LmPolicy` adapts any of the kit's language models with
 * that shape (the transformer, src/nn/transformer-lm.ts, and the GRU, src/nn/gru-lm.ts) with Adam.
 */
import type { Rng } from '../../../core/rng';
import { Adam, type AdamOptions } from '../../../nn/adam';

/** Sampled completions of N prompts: N × L tokens, log-probabilities and entropies (0 after the end). */
export interface Completions {
  N: number;
  L: number;
  tokens: Int32Array;
  logp: Float32Array;
  /** Tokens per row, the stop token included when produced. */
  lengths: Int32Array;
  /** Predictive entropy per generated position (N × L), when the model reports it. */
  entropy?: Float32Array;
}

/** A teacher-forced scoring of N sequences of T tokens from position P: N × (T − P) completion tokens. */
export interface Scored {
  logp: Float32Array;
  entropy?: Float32Array;
}

/** What the trainer needs from a policy. */
export interface RlPolicy {
  /** Completions of N prompts (N × P tokens) of up to L tokens, stopping at `eos`, `pad` after. */
  sample(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: { eos: number; pad: number; greedy?: boolean },
  ): Completions;
  /** Log-probabilities (and entropies) of tokens P … T−1 of each row of seq (N × T). */
  score(seq: Int32Array, N: number, T: number, P: number): Scored;
  /** Accumulates ∇ of Σ w·logp (+ Σ e·entropy) for the last `score` (call once per score). */
  backward(s: Scored, w: Float32Array, entropyWeights?: Float32Array): void;
  /** One optimiser step on the accumulated gradient, which is then zeroed; returns the gradient's norm. */
  step(): number;
  /** The parameters as one flat vector (a copy). */
  snapshot(): Float32Array;
  /** Sets the parameters from a `snapshot` (needed to sample from an older policy: the loop's staleness). */
  load?(values: Float32Array): void;
}

/** The shape of the kit's language models (TransformerLm, GruLm). */
export interface LanguageModel<F extends { logp: Float32Array; entropy?: Float32Array }> {
  readonly size: number;
  readonly params: { f: Float32Array };
  readonly grads: { f: Float32Array };
  zeroGrad(): void;
  forward(tokens: Int32Array, N: number, T: number, outFrom: number): F;
  backward(f: F, w: Float32Array, o?: { entropy?: Float32Array }): void;
  sample(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: { eos?: number; pad?: number; greedy?: boolean },
  ): Completions;
  releaseCaches(): void;
  snapshot(): Float32Array;
  load(values: Float32Array): void;
}

/** A language model trained by Adam (PyTorch's convention, src/nn/adam.ts) as a `RlPolicy`. */
export class LmPolicy<F extends { logp: Float32Array; entropy?: Float32Array }> implements RlPolicy {
  readonly opt: Adam;
  private readonly forwards = new WeakMap<Scored, F>();

  constructor(
    readonly model: LanguageModel<F>,
    adam: AdamOptions,
  ) {
    this.opt = new Adam(model.size, adam);
    model.zeroGrad();
  }

  sample(
    prompts: Int32Array,
    N: number,
    P: number,
    L: number,
    rng: Rng,
    o: { eos: number; pad: number; greedy?: boolean },
  ): Completions {
    return this.model.sample(prompts, N, P, L, rng, o);
  }

  score(seq: Int32Array, N: number, T: number, P: number): Scored {
    const f = this.model.forward(seq, N, T, P - 1);
    const s: Scored = { logp: f.logp, entropy: f.entropy };
    this.forwards.set(s, f);
    return s;
  }

  backward(s: Scored, w: Float32Array, entropyWeights?: Float32Array): void {
    const f = this.forwards.get(s);
    if (!f) throw new Error('reasoning.LmPolicy.backward: this scoring was not made by this policy, or was used');
    this.forwards.delete(s);
    if (entropyWeights) this.model.backward(f, w, { entropy: entropyWeights });
    else this.model.backward(f, w);
  }

  step(): number {
    const norm = this.opt.step(this.model.params.f, this.model.grads.f);
    this.model.zeroGrad();
    return norm;
  }

  snapshot(): Float32Array {
    return this.model.snapshot();
  }

  load(values: Float32Array): void {
    this.model.load(values);
  }
}
