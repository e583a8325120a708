/**
 * Adam (Kingma & Ba 2015) over one flat float32 parameter vector, PyTorch's convention: bias-corrected
 * moments, ε added to √v̂ (torch.optim.Adam defaults β = (0.9, 0.999), ε = 1e-8, no weight decay),
 * optional global-norm gradient clipping before the step.
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
