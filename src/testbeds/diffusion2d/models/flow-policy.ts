/**
 * A trainable rectified-flow velocity on the K-step grid of models/flow.ts: the pre-trained velocity plus a learned
 * residual, v_θ(x, t_k) = v_base(x, t_k) + g_θ(x, k), with g_θ the testbed's step-conditioned ReLU MLP (denoiser.ts
 * EpsMlp, τ = k/K = t_k, no prompt) whose output layer starts at zero, so that fine-tuning starts exactly at the
 * pre-trained model. With v_base the exact velocity of the target mixture (flow.ts `exactVelocity`), the
 * pre-trained model is the ideal flow model of p_ref and its sampler's only error is discretisation.
 */
import type { Rng } from '../../../core/rng';
import { EpsMlp } from './denoiser';
import { flowOdeSample, type VelocityFn } from './flow';

export class ResidualVelocityMlp {
  readonly net: EpsMlp;
  readonly base: VelocityFn;
  readonly K: number;

  constructor(base: VelocityFn, K: number, hidden: number[], rng: Rng, frequencies = 4) {
    this.base = base;
    this.K = K;
    this.net = new EpsMlp({ hidden, frequencies, prompts: 0, T: K }, rng);
    const mlp = this.net.mlp;
    const last = mlp.offsets[mlp.offsets.length - 1];
    mlp.params.f.fill(0, last.W, last.b + 2);
  }

  /** The residual g_θ (2M) at M rows with one step index k ∈ 1…K each (keeps activations for backward). */
  residual(x: ArrayLike<number>, k: Int32Array | number, M: number): Float64Array {
    return this.net.predict(x, k, M);
  }

  /** v_θ and v_base (2N) at N points at step k (time t_k = k/K). */
  velocity(x: Float64Array, k: number, N: number): { v: Float64Array; vs: Float64Array } {
    const vs = this.base(x, k / this.K, N);
    const g = this.residual(x, k, N);
    const v = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) v[i] = vs[i] + g[i];
    return { v, vs };
  }

  /** The velocity as a VelocityFn on the grid (t rounded to the nearest k/K). */
  velocityFn(): VelocityFn {
    return (x, t, N) => this.velocity(x, Math.round(t * this.K), N).v;
  }

  /** Euler ODE samples of the current model (x_1 ~ N(0, I)). */
  sampleOde(N: number, rng: Rng): Float64Array {
    return flowOdeSample(this.velocityFn(), this.K, N, rng);
  }

  get params(): Float32Array {
    return this.net.mlp.params.f;
  }

  get grads(): Float32Array {
    return this.net.mlp.grads.f;
  }

  get size(): number {
    return this.net.mlp.size;
  }

  zeroGrad(): void {
    this.net.mlp.zeroGrad();
  }

  /** Accumulates the parameter gradient for ∂loss/∂g (2M) of the last `residual` call. */
  backwardResidual(dG: ArrayLike<number>): void {
    this.net.backward(dG);
  }
}

/**
 * The run settings that the flow-policy papers share (grpo-guard, advantage-weighted-matching,
 * diffusion-reinforcement-learning-via-centered): the policy, the SDE sampler, the budget and the evaluation.
 */
export interface FlowRunSettings {
  /** Flow grid steps K and SDE noise level a (σ_t = a·√(t/(1 − t))). */
  K: number;
  noise: number;
  /** Residual MLP hidden widths. */
  hidden: number[];
  /** Rounds; groups per round × samples per group G; inner epochs × minibatches (Adam steps per round). */
  rounds: number;
  groups: number;
  G: number;
  epochs: number;
  minibatches: number;
  /** Clip range ε of Flow-GRPO's ratio; bound on |advantage|. */
  clip: number;
  advClipMax: number;
  /** Adam learning rate (global-norm clip 1), the same for every method of a paper. */
  lr: number;
  /** ODE samples for the final metrics. */
  evalSamples: number;
}
