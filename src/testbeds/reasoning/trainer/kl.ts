/**
 * KL-to-reference parts: per-token estimators of KL(π_θ ‖ π_ref) from a sample o_t ~ π_θ, with
 * log-ratio x = log π_θ(o_t) − log π_ref(o_t) (Schulman 2020, "Approximating KL Divergence"):
 *   k1 = x                 unbiased, high variance
 *   k2 = x²/2              biased, low variance
 *   k3 = e^{−x} − 1 + x    unbiased, low variance, ≥ 0 (GRPO, Shao et al. 2024, eq. 4)
 * and their derivatives in log π_θ (π_ref fixed): 1, x, 1 − e^{−x}. A recipe puts the penalty either in
 * the loss (β·Σ_t c_t·k_t, differentiated: GRPO) or in the reward (r_i − β·Σ_t k_t, treated as a constant
 * and seen only through the advantage: the InstructGPT/PPO-RLHF form, Ouyang et al. 2022, eq. 2).
 */

export type KlEstimator = 'k1' | 'k2' | 'k3';

/** The penalty of a recipe: none, or estimator, coefficient β and where it enters. */
export type KlPenalty = { kind: 'none' } | { kind: 'loss' | 'reward'; estimator: KlEstimator; beta: number };

/** The estimator's value at log-ratio x = log π_θ − log π_ref. */
export function klEstimate(estimator: KlEstimator, x: number): number {
  if (estimator === 'k1') return x;
  if (estimator === 'k2') return 0.5 * x * x;
  return Math.exp(-x) - 1 + x;
}

/** d k / d log π_θ at log-ratio x. */
export function klGrad(estimator: KlEstimator, x: number): number {
  if (estimator === 'k1') return 1;
  if (estimator === 'k2') return x;
  return 1 - Math.exp(-x);
}
