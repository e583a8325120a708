/**
 * The noise-prediction network ε_θ(x_t, t[, prompt]): a ReLU MLP (float32; on the engine of the task's thread,
 * `nn/thread-engine`: the kit's wasm `Mlp` by default, its tfjs twin where RLMINI_ENGINE names one; pre-trained base
 * models are always built on the wasm engine, `{ wasm: true }`) on the
 * features [x_t/2, τ, sin(2^j π τ), cos(2^j π τ) for j < E, one-hot(prompt)] with τ = t/T, batched over rows that
 * may each have their own step and prompt (all T steps of a batch of trajectories go through in one forward pass).
 */
import { Rng } from '../../../core/rng';
import { Mlp } from '../../../nn/mlp';
import { mlpOn, type AnyMlp } from '../../../nn/thread-engine';

export interface EpsMlpShape {
  /** Hidden widths, e.g. [128, 128, 128]. */
  hidden: number[];
  /** Number of sinusoid frequencies E of the step embedding. */
  frequencies: number;
  /** Number of prompts for a class-conditional model (one-hot input); 0 for an unconditional one. */
  prompts: number;
  /** Number of diffusion steps T (τ = t/T). */
  T: number;
}

export function epsMlpInputs(shape: EpsMlpShape): number {
  return 2 + 1 + 2 * shape.frequencies + shape.prompts;
}

export class EpsMlp {
  readonly shape: EpsMlpShape;
  readonly mlp: AnyMlp;
  readonly inputs: number;

  /** `o.wasm`: on the kit's wasm engine whatever the thread's engine (the cached base models). */
  constructor(shape: EpsMlpShape, rng: Rng, o: { wasm?: boolean } = {}) {
    this.shape = { ...shape, hidden: [...shape.hidden] };
    this.inputs = epsMlpInputs(shape);
    const dims = [this.inputs, ...shape.hidden, 2];
    this.mlp = o.wasm ? new Mlp(dims, rng) : mlpOn('diffusion2d.EpsMlp', dims, rng);
  }

  /** The input rows (N × inputs, float32) for points x (2N), steps t (one per row, or one for all), prompts. */
  features(x: ArrayLike<number>, t: Int32Array | number, N: number, prompt?: Int32Array | number): Float32Array {
    const D = this.inputs,
      E = this.shape.frequencies,
      P = this.shape.prompts,
      T = this.shape.T;
    const f = new Float32Array(N * D);
    for (let n = 0; n < N; n++) {
      const o = n * D;
      const tn = typeof t === 'number' ? t : t[n];
      const tau = tn / T;
      f[o] = x[2 * n] / 2;
      f[o + 1] = x[2 * n + 1] / 2;
      f[o + 2] = tau;
      for (let j = 0; j < E; j++) {
        const w = Math.PI * 2 ** j * tau;
        f[o + 3 + 2 * j] = Math.sin(w);
        f[o + 4 + 2 * j] = Math.cos(w);
      }
      if (P > 0) {
        const p = prompt === undefined ? 0 : typeof prompt === 'number' ? prompt : prompt[n];
        f[o + 3 + 2 * E + p] = 1;
      }
    }
    return f;
  }

  /** ε_θ for N rows (2N, float64); keeps the activations for `backward`. */
  predict(x: ArrayLike<number>, t: Int32Array | number, N: number, prompt?: Int32Array | number): Float64Array {
    return Float64Array.from(this.mlp.forward(this.features(x, t, N, prompt), N));
  }

  /** Accumulates the parameter gradient for ∂loss/∂ε_θ = dEps (2N) of the last `predict`. */
  backward(dEps: ArrayLike<number>): void {
    this.mlp.backward(Float32Array.from(dEps));
  }

  /** A copy with the same parameters (e.g. the frozen reference of a fine-tuning run). */
  clone(): EpsMlp {
    const m = new EpsMlp(this.shape, new Rng(0));
    m.mlp.params.f.set(this.mlp.params.f);
    return m;
  }
}
