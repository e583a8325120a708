/**
 * CLASSP, Continual Learning through Adjustment Suppression and Sparsity Promotion (Ludwig 2024,
 * arXiv:2405.09637), an optimiser. Per weight i at step t, with g = ∂L/∂w_{i,t}:
 *
 *   if g² > threshold:   S_i ← S_i + |g|^p                       (adjustment suppression: the accumulated gradient
 *                        w_{i,t+1} = w_{i,t} − α g / (ε + S_i)^{1/p}   magnitude of this weight, never reset)
 *   otherwise:           w_{i,t+1} = w_{i,t}                     (sparsity promotion: small gradients move nothing)
 *
 * This is the paper's update rule (its CLASSP equation, `equation_CLASSP.png` in the official repository
 * github.com/oswaldoludwig/CLASSP) in the order of the repository's pseudocode (README, lines 9–15): the threshold
 * test comes first, the sum is updated only for a weight that passes it, and the sum includes the current gradient.
 * (The equation image writes the sum over k = 0..t−1, which taken literally would make the first step α g/ε^{1/p};
 * the released `CLASSP.py` also adds the current gradient before scaling.) A weight that has received many large
 * gradients gets a small learning rate; with p = 2 and threshold 0 it is AdaGrad (Duchi et al. 2011), the
 * generalisation the paper states. The test and the sum are per weight, as the paper's text and pseudocode say;
 * the released code tests `(grad ** 2).any() > threshold` per tensor (a boolean against the threshold) and adds
 * |g| rather than |g|^p (`add_(grad.abs()) ** power` discards the power), see the notebook's deviations. Memory:
 * one accumulator per weight, whatever the number of tasks.
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
  /** S_i = Σ_k |g_{i,k}|^p over the steps so far at which weight i passed the threshold (float64). */
  readonly accum: Float64Array;
  readonly o: ClasspOptions;
  /** Steps taken, and weights moved in all of them together (for the update density). */
  steps = 0;
  moved = 0;

  constructor(size: number, o: ClasspOptions) {
    if (!(o.lr > 0) || !(o.p > 0) || !(o.threshold >= 0) || !(o.eps > 0))
      throw new RangeError(`continual.Classp: need lr > 0, p > 0, threshold ≥ 0, eps > 0; got ${JSON.stringify(o)}`);
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
      if (gi * gi > threshold) {
        S[i] += Math.abs(gi) ** p;
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
