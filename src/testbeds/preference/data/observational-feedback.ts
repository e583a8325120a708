/**
 * Observational user feedback on single responses (clicks, upvotes): the data-generating process of
 * observational reward modelling (Wang et al. 2026, "CausalRM"), as simulated by the public code of that
 * setting (github.com/yhc-666/Causal-RM, simulate_bias_noisy.py):
 *  - every response x in a pool has a gold utility u(x) and a true binary preference y ~ Bernoulli(σ(u));
 *  - a user gives feedback on x with propensity p(x) = k·α^(L_max − L(x)), where L maps u linearly onto
 *    the rating scale [1, 5] of the pool, and k scales the mean propensity to a target observation rate
 *    (capped at 1): responses users like get feedback more often (selection bias, α < 1 ⇒ stronger);
 *  - the feedback on an observed response is the true label flipped with class-dependent annotation
 *    error rates ρ10 = P(ỹ = 1 | y = 0) and ρ01 = P(ỹ = 0 | y = 1) (the paper's convention, as noted
 *    in the code's scripts).
 * Arrays are row-major Float64Array (pool of n responses × d features); masks are Uint8Array.
 */
import type { Rng } from '../../../core/rng';
import { sigmoid } from '../../../math';

export interface FeedbackOptions {
  /** Selection strength α ∈ (0, 1]: propensity ∝ α^(L_max − L); α = 1 ⇒ no selection bias. */
  alpha: number;
  /** Mean propensity before capping at 1 (the code's target_observation_rate). */
  observationRate: number;
  /** ρ10 = P(ỹ = 1 | y = 0). */
  rho10: number;
  /** ρ01 = P(ỹ = 0 | y = 1). */
  rho01: number;
}

export interface ObservationalFeedback {
  n: number;
  /** True propensities p(x_i). */
  propensity: Float64Array;
  /** o_i = 1 if the user gave feedback on x_i. */
  observed: Uint8Array;
  /** True (clean) preference labels y_i ∈ {0, 1} for every response (observed or not). */
  clean: Uint8Array;
  /** Observed labels ỹ_i (noisy; 0 where not observed). */
  noisy: Uint8Array;
}

/** p(u) = min(1, k·α^(5 − L(u))), L(u) = 1 + 4(u − u_min)/(u_max − u_min), mean of k·α^(…) = observationRate. */
export function propensityFromUtility(utility: Float64Array, alpha: number, observationRate: number): Float64Array {
  if (!(alpha > 0 && alpha <= 1)) throw new RangeError(`propensityFromUtility: alpha must be in (0, 1], got ${alpha}`);
  if (!(observationRate > 0 && observationRate <= 1))
    throw new RangeError(`propensityFromUtility: observationRate must be in (0, 1], got ${observationRate}`);
  let lo = Infinity,
    hi = -Infinity;
  for (const u of utility) {
    lo = Math.min(lo, u);
    hi = Math.max(hi, u);
  }
  const span = hi > lo ? hi - lo : 1;
  const p = new Float64Array(utility.length);
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const level = 1 + (4 * (utility[i] - lo)) / span;
    p[i] = Math.pow(alpha, 5 - level);
    s += p[i];
  }
  const k = (observationRate * p.length) / s;
  for (let i = 0; i < p.length; i++) p[i] = Math.min(1, k * p[i]);
  return p;
}

/** Draws true labels, the feedback mask and the annotation errors for a pool with gold utilities. */
export function sampleObservationalFeedback(
  rng: Rng,
  utility: Float64Array,
  o: FeedbackOptions,
): ObservationalFeedback {
  if (!(o.rho10 >= 0 && o.rho01 >= 0 && o.rho10 + o.rho01 < 1))
    throw new RangeError(
      `sampleObservationalFeedback: need ρ10, ρ01 ≥ 0 and ρ10 + ρ01 < 1, got ${o.rho10}, ${o.rho01}`,
    );
  const n = utility.length;
  const propensity = propensityFromUtility(utility, o.alpha, o.observationRate);
  const rl = rng.split('labels'),
    ro = rng.split('observe'),
    rf = rng.split('flips');
  const observed = new Uint8Array(n),
    clean = new Uint8Array(n),
    noisy = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    clean[i] = rl.uniform() < sigmoid(utility[i]) ? 1 : 0;
    observed[i] = ro.uniform() < propensity[i] ? 1 : 0;
    const flip = rf.uniform() < (clean[i] === 1 ? o.rho01 : o.rho10);
    noisy[i] = observed[i] ? (flip ? 1 - clean[i] : clean[i]) : 0;
  }
  return { n, propensity, observed, clean, noisy };
}
