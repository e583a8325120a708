/**
 * Thompson sampling (Thompson 1933; Agrawal & Goyal 2012, "Analysis of Thompson Sampling for the Multi-armed
 * Bandit Problem"): sample a mean for every arm from its posterior and play the argmax.
 * - Beta–Bernoulli (Agrawal & Goyal 2012, Algorithm 1): θ_i ~ Beta(S_i + 1, F_i + 1), S_i / F_i = successes / failures.
 * - Gaussian (Agrawal & Goyal 2013, Algorithm 2, with known noise σ): θ_i ~ N(μ̂_i, σ² / (k_i + 1)),
 *   μ̂_i = Σ rewards_i / (k_i + 1).
 */
import type { Rng } from '../../../core/rng';
import { argmax, type ArmPolicy } from './policy';

/** One Beta(a, b) draw via two Gamma draws. */
export function sampleBeta(a: number, b: number, rng: Rng): number {
  const x = rng.gamma(a),
    y = rng.gamma(b);
  return x / (x + y);
}

export function betaBernoulliTs(K: number): ArmPolicy {
  const S = new Float64Array(K),
    F = new Float64Array(K),
    draw = new Float64Array(K);
  return {
    select(_t, rng) {
      for (let j = 0; j < K; j++) draw[j] = sampleBeta(S[j] + 1, F[j] + 1, rng);
      return argmax(draw);
    },
    update(arm, r) {
      if (r === 1) S[arm]++;
      else if (r === 0) F[arm]++;
      else throw new RangeError(`betaBernoulliTs: rewards must be 0 or 1, got ${r}`);
    },
  };
}

export function gaussianTs(K: number, std = 1): ArmPolicy {
  const sum = new Float64Array(K),
    k = new Float64Array(K),
    draw = new Float64Array(K);
  return {
    select(_t, rng) {
      for (let j = 0; j < K; j++) draw[j] = sum[j] / (k[j] + 1) + (std / Math.sqrt(k[j] + 1)) * rng.normal();
      return argmax(draw);
    },
    update(arm, r) {
      sum[arm] += r;
      k[arm]++;
    },
  };
}
