/**
 * CLASSP, Continual Learning through Adjustment Suppression and Sparsity Promotion (Ludwig 2024,
 * arXiv:2405.09637), an optimiser: per weight i at step t,
 *
 *   S_{i,t} = Σ_{k ≤ t} |∇L(w_{i,k})|^p                                    (adjustment suppression: accumulated
 *                                                                            gradient magnitude, never reset)
 *   w_{i,t+1} = w_{i,t} − α ∇L(w_{i,t}) / (ε + S_{i,t})^{1/p}   if (∇L(w_{i,t}))² > threshold   (sparsity promotion)
 *   w_{i,t+1} = w_{i,t}                                          otherwise.
 *
 * This is the paper's update rule (its CLASSP equation, as rendered in the paper's summary pages; the paper's own
 * method section was not readable here): a weight that has received many large gradients gets a small learning
 * rate; a gradient whose square does not exceed the threshold moves nothing. With p = 2 and threshold 0 it is
 * AdaGrad (Duchi et al. 2011), the generalisation the paper states. Conventions that the rendering leaves open and
 * are fixed here: the sum includes the current gradient (AdaGrad's convention, so that p = 2, threshold 0 is exactly
 * AdaGrad; with the current gradient excluded the first step would be α·g/ε^{1/p}), and every gradient is
 * accumulated, also those below the threshold (the sum runs over all past steps). Memory: one accumulator per
 * weight, whatever the number of tasks.
 */

export interface ClasspOptions {
  /** Learning rate α. */
  lr: number;
  /** Exponent p of the accumulated gradient magnitude (p = 2: AdaGrad's). */
  p: number;
  /** Threshold on the squared gradient: a weight moves only when (∂L/∂w)² > threshold (0: every weight). */
  threshold: number;
  /** ε inside the p-th root. */
  eps: number;
}

export class Classp {
  /** S_i = Σ_k |g_{i,k}|^p over every step so far (float64). */
  readonly accum: Float64Array;
  readonly o: ClasspOptions;
  /** Steps taken, and weights moved in all of them together (for the update density). */
  steps = 0;
  moved = 0;

  constructor(size: number, o: ClasspOptions) {
    if (!(o.lr > 0) || !(o.p > 0) || !(o.threshold >= 0) || !(o.eps > 0))
      throw new RangeError(
        `continual.Classp: need lr > 0, p > 0, threshold ≥ 0, eps > 0; got ${JSON.stringify(o)}`,
      );
    this.accum = new Float64Array(size);
    this.o = { ...o };
  }

  /** One CLASSP step on params (in place) with gradient g; returns the number of weights that moved. */
  step(params: Float32Array, g: Float32Array): number {
    const S = this.accum;
    if (params.length !== S.length || g.length !== S.length)
      throw new RangeError(
        `continual.Classp.step: expected ${S.length} parameters and gradients, got ${params.length}, ${g.length}`,
      );
    const { lr, p, threshold, eps } = this.o;
    const invP = 1 / p;
    let moved = 0;
    for (let i = 0; i < S.length; i++) {
      const gi = g[i];
      S[i] += Math.abs(gi) ** p;
      if (gi * gi > threshold) {
        params[i] -= (lr * gi) / (eps + S[i]) ** invP;
        moved++;
      }
    }
    this.steps++;
    this.moved += moved;
    return moved;
  }

  /** Share of (weight, step) pairs that moved so far (1 = dense updates). */
  density(): number {
    return this.steps ? this.moved / (this.steps * this.accum.length) : 0;
  }
}
