/**
 * Preference strength from a reward-model ensemble and the strength-aware reward-modeling losses of Wang et al.,
 * "Secrets of RLHF in Large Language Models Part II: Reward Modeling" (arXiv:2401.06080, §2.2–2.5):
 *
 * - strength (eq. 4): M reward models trained on the same pairs (different initialisation and data order) score
 *   each pair i (chosen c, rejected r) by d_{i,m} = r_m(c) − r_m(r); μ̂_i = (1/M) Σ_m d_{i,m},
 *   σ̂_i = √((1/M) Σ_m (d_{i,m} − μ̂_i)²) (population standard deviation, as eq. 4 divides by M);
 * - label flipping (§2.4.1): the labels of the pairs with the lowest μ̂ (a fixed fraction) are reversed;
 * - label smoothing (eq. 5): −[(1 − α) log σ(Δ) + α log(1 − σ(Δ))], Δ = r(c) − r(r), the binary cross-entropy
 *   against the soft target 1 − α;
 * - adaptive margin (eq. 6): −log σ(Δ − μ̂), the margin the preference strength itself. (Eq. 6 is printed as
 *   log σ(Δ) − μ̂, which does not depend on μ̂ through the parameters; the margin inside σ is the form of the
 *   cited Llama 2 margin loss and of the text, "larger margins for pairs with distinct responses".)
 *
 * Both together: ℓ = −[t log σ(Δ − m) + (1 − t) log(1 − σ(Δ − m))] for target t and margin m; t = 1, m = 0 is
 * the Bradley–Terry loss (eq. 2).
 */
import type { Rng } from '../../../core/rng';
import { Adam } from '../../../nn/adam';
import { mlpOn, type AnyMlp } from '../../../nn/thread-engine';
import { bceWithLogit } from './bradley-terry-mlp';

/**
 * Eq. 4 from the ensemble's reward differences: diffs[m][i] = r_m(chosen_i) − r_m(rejected_i) (M arrays of n).
 * Returns the per-pair mean μ̂ and population standard deviation σ̂.
 */
export function ensembleStrength(diffs: readonly ArrayLike<number>[]): { mean: Float64Array; std: Float64Array } {
  const M = diffs.length;
  if (M < 1) throw new RangeError('ensembleStrength: need at least one reward model');
  const n = diffs[0].length;
  if (diffs.some((d) => d.length !== n))
    throw new RangeError(`ensembleStrength: every model must score the same ${n} pairs`);
  const mean = new Float64Array(n),
    std = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let m = 0; m < M; m++) s += diffs[m][i];
    const mu = s / M;
    let v = 0;
    for (let m = 0; m < M; m++) v += (diffs[m][i] - mu) ** 2;
    mean[i] = mu;
    std[i] = Math.sqrt(v / M);
  }
  return { mean, std };
}

/**
 * §2.4.1's rule: flag the ⌊fraction·n⌋ pairs of lowest mean strength μ̂ (ties towards the lower index) for a label
 * flip. Returns 1 for a flagged pair, else 0.
 */
export function lowestStrengthFlags(mean: ArrayLike<number>, fraction: number): Uint8Array {
  if (!(fraction >= 0 && fraction <= 1))
    throw new RangeError(`lowestStrengthFlags: fraction must lie in [0, 1], got ${fraction}`);
  const n = mean.length;
  const k = Math.floor(fraction * n);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => mean[a] - mean[b] || a - b);
  const out = new Uint8Array(n);
  for (let j = 0; j < k; j++) out[order[j]] = 1;
  return out;
}

/**
 * Eqs. 5 and 6 together: the cross-entropy of the soft target t (P(chosen ≻ rejected); t = 1 − α for label
 * smoothing) against σ(Δ − m) for reward difference Δ and margin m, and its derivative in Δ (σ(Δ − m) − t).
 */
export function marginSmoothedLoss(delta: number, target: number, margin: number): { loss: number; dd: number } {
  return bceWithLogit(delta - margin, target);
}

export interface StrengthAwareOptions {
  /** Response feature dimension. */
  dIn: number;
  /** Hidden layer widths. */
  hidden: readonly number[];
  lr: number;
}

/**
 * An MLP reward model r(x) trained on pairs (chosen, rejected) with a per-pair soft target and margin
 * (`marginSmoothedLoss`); the batch loss is the mean over its pairs. Target 1 and margin 0 everywhere is the
 * Bradley–Terry reward model (eq. 2).
 */
export class StrengthAwareReward {
  readonly net: AnyMlp;
  private readonly opt: Adam;
  readonly dIn: number;

  constructor(o: StrengthAwareOptions, rng: Rng) {
    this.dIn = o.dIn;
    this.net = mlpOn('preference.preference-strength', [o.dIn, ...o.hidden, 1], rng.split('net'));
    this.opt = new Adam(this.net.size, { lr: o.lr });
  }

  /** Rewards of n responses (n × dIn, row-major). */
  reward(x: Float32Array, n: number): Float32Array {
    return this.net.forward(x, n);
  }

  /** r(chosen_i) − r(rejected_i) for n pairs. */
  differences(xc: Float32Array, xr: Float32Array, n: number): Float64Array {
    const rc = this.reward(xc, n),
      rr = this.reward(xr, n);
    return Float64Array.from({ length: n }, (_, i) => rc[i] - rr[i]);
  }

  /** Mean loss of n pairs and its gradient (left in net.grads), at the current parameters; no step. */
  lossAndGrad(
    xc: Float32Array,
    xr: Float32Array,
    target: ArrayLike<number>,
    margin: ArrayLike<number>,
    n: number,
  ): number {
    const d = this.dIn;
    if (xc.length !== n * d || xr.length !== n * d || target.length !== n || margin.length !== n)
      throw new RangeError(`StrengthAwareReward: expected ${n} pairs of ${d} features, ${n} targets and margins`);
    const x = new Float32Array(2 * n * d);
    x.set(xc);
    x.set(xr, n * d);
    const r = this.net.forward(x, 2 * n);
    const dy = new Float32Array(2 * n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      const g = marginSmoothedLoss(r[i] - r[n + i], target[i], margin[i]);
      loss += g.loss / n;
      dy[i] = g.dd / n;
      dy[n + i] = -g.dd / n;
    }
    this.net.zeroGrad();
    this.net.backward(dy);
    return loss;
  }

  /** One Adam step on the mean loss of a batch; returns the loss before the step. */
  step(xc: Float32Array, xr: Float32Array, target: ArrayLike<number>, margin: ArrayLike<number>, n: number): number {
    const loss = this.lossAndGrad(xc, xr, target, margin, n);
    this.applyGradient();
    return loss;
  }

  /** One Adam step with the gradient currently in net.grads (e.g. a meta-gradient computed elsewhere). */
  applyGradient(): void {
    this.opt.step(this.net.params.f, this.net.grads.f);
  }
}
