/**
 * Adam (Kingma & Ba 2015), the kit's one optimiser module, in two precisions that are kept apart on
 * purpose (their float operations differ, and each one's results are recorded):
 * - `Adam`: one flat float32 parameter vector (the `nn` engine's models), PyTorch's convention:
 *   bias-corrected moments, ε added to √v̂ (torch.optim.Adam defaults β = (0.9, 0.999), ε = 1e-8,
 *   no weight decay), optional global-norm gradient clipping before the step;
 * - `Adam64`: one flat float64 parameter vector (tabular and log-linear models of the testbeds),
 *   the paper's form θ ← θ − lr·m̂/(√v̂ + ε) with m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t); no clipping.
 */
export interface AdamOptions {
  lr: number;
  beta1?: number;
  beta2?: number;
  eps?: number;
  /** Clip the gradient to this global L2 norm before the step (off when undefined). */
  maxGradNorm?: number;
}

export class Adam {
  readonly m: Float32Array;
  readonly v: Float32Array;
  t = 0;
  lr: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;
  private readonly maxGradNorm?: number;

  constructor(size: number, o: AdamOptions) {
    if (!(o.lr > 0) || !Number.isFinite(o.lr))
      throw new RangeError(`nn.Adam: lr must be a positive number, got ${o.lr}`);
    this.m = new Float32Array(size);
    this.v = new Float32Array(size);
    this.lr = o.lr;
    this.b1 = o.beta1 ?? 0.9;
    this.b2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.maxGradNorm = o.maxGradNorm;
    if (!(this.b1 >= 0 && this.b1 < 1 && this.b2 >= 0 && this.b2 < 1))
      throw new RangeError(`nn.Adam: betas must lie in [0, 1), got ${this.b1}, ${this.b2}`);
  }

  /** One step on params (in place) with gradient g; returns the gradient's L2 norm before clipping. */
  step(params: Float32Array, g: Float32Array): number {
    if (params.length !== this.m.length || g.length !== this.m.length)
      throw new RangeError(
        `nn.Adam.step: expected ${this.m.length} parameters and gradients, got ${params.length} and ${g.length}`,
      );
    let sq = 0;
    for (let i = 0; i < g.length; i++) sq += g[i] * g[i];
    const norm = Math.sqrt(sq);
    if (!Number.isFinite(norm)) throw new RangeError('nn.Adam.step: the gradient contains NaN or Infinity');
    const scale = this.maxGradNorm !== undefined && norm > this.maxGradNorm ? this.maxGradNorm / norm : 1;
    this.t++;
    const b1 = this.b1,
      b2 = this.b2,
      m = this.m,
      v = this.v;
    const c1 = 1 - b1 ** this.t;
    const c2 = Math.sqrt(1 - b2 ** this.t);
    const stepSize = this.lr / c1;
    const eps = this.eps;
    for (let i = 0; i < g.length; i++) {
      const gi = g[i] * scale;
      const mi = (m[i] = b1 * m[i] + (1 - b1) * gi);
      const vi = (v[i] = b2 * v[i] + (1 - b2) * gi * gi);
      params[i] -= (stepSize * mi) / (Math.sqrt(vi) / c2 + eps);
    }
    return norm;
  }
}

/**
 * Adam over one flat float64 parameter vector, in the paper's form (Kingma & Ba 2015, Algorithm 1):
 * m̂ = m/(1 − β1^t), v̂ = v/(1 − β2^t), θ ← θ − lr·m̂/(√v̂ + ε). Same defaults as `Adam`; the float32
 * `Adam` computes the same update in PyTorch's rearranged form, so the two are not bit-identical.
 */
export class Adam64 {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;
  lr: number;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;

  constructor(size: number, o: Omit<AdamOptions, 'maxGradNorm'>) {
    if (!(o.lr > 0) || !Number.isFinite(o.lr))
      throw new RangeError(`nn.Adam64: lr must be a positive number, got ${o.lr}`);
    this.m = new Float64Array(size);
    this.v = new Float64Array(size);
    this.lr = o.lr;
    this.b1 = o.beta1 ?? 0.9;
    this.b2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    if (!(this.b1 >= 0 && this.b1 < 1 && this.b2 >= 0 && this.b2 < 1))
      throw new RangeError(`nn.Adam64: betas must lie in [0, 1), got ${this.b1}, ${this.b2}`);
  }

  /** θ ← θ − lr·m̂/(√v̂ + ε) for the gradient g of the loss being minimised (in place). */
  step(theta: Float64Array, g: Float64Array): void {
    this.t++;
    const { b1, b2, eps } = this;
    const c1 = 1 - Math.pow(b1, this.t),
      c2 = 1 - Math.pow(b2, this.t);
    const m = this.m,
      v = this.v;
    for (let i = 0; i < theta.length; i++) {
      m[i] = b1 * m[i] + (1 - b1) * g[i];
      v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
      theta[i] -= (this.lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + eps);
    }
  }
}
