/**
 * BNPO, Beta Normalization Policy Optimization (Xiao et al. 2025, eq. 6): the advantage of a group
 * with success rate p̂ is normalised by a Beta density,
 *   A_i = (r_i − p̂)/f_N(p̂; α, β),
 * f_N the Beta(α, β) density. With (α, β) = (1, 1) this is REINFORCE with baseline; (3/2, 3/2) is GRPO
 * up to the constant 8/π. The adaptive (α, β) = (max(1 + a/3, 1), max(1 + b/3, 1)) minimises the
 * gradient variance when p ~ Beta(a, b) (their Theorem 2), with (a, b) fitted to the batch's p̂'s.
 */
import { logGamma } from '../../../stats/distributions';

/** Beta(α, β) density at p, with the boundary conventions 0^0 = 1 (so α = 1 or β = 1 are finite at the ends). */
export function betaPdf(p: number, alpha: number, beta: number): number {
  if (!(alpha > 0 && beta > 0)) throw new RangeError(`rlvr.betaPdf: α and β must be positive, got ${alpha}, ${beta}`);
  if (p < 0 || p > 1) return 0;
  const logB = logGamma(alpha) + logGamma(beta) - logGamma(alpha + beta);
  const ta = alpha === 1 ? 0 : (alpha - 1) * Math.log(p);
  const tb = beta === 1 ? 0 : (beta - 1) * Math.log(1 - p);
  return Math.exp(ta + tb - logB);
}

/**
 * BNPO's Beta parameters from the batch's success rates (official code, `compute_bnpo_outcome_advantage`):
 * method-of-moments fit (a, b) of a Beta to the p̂'s (sample mean m, unbiased variance v):
 * a = (m(1 − m)/v − 1)·m, b = (m(1 − m)/v − 1)·(1 − m); then α = max(1 + a/3, 1), β = max(1 + b/3, 1),
 * the minimiser of the gradient variance under p ~ Beta(a, b) (their Theorem 2). With no spread (v = 0)
 * the fit is undefined and α = β = 1 (REINFORCE with baseline) is returned.
 */
export function bnpoParameters(pHat: ArrayLike<number>): { alpha: number; beta: number; a: number; b: number } {
  const n = pHat.length;
  if (n < 2) return { alpha: 1, beta: 1, a: NaN, b: NaN };
  let m = 0;
  for (let i = 0; i < n; i++) m += pHat[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (pHat[i] - m) * (pHat[i] - m);
  v /= n - 1;
  if (!(v > 1e-12) || m <= 0 || m >= 1) return { alpha: 1, beta: 1, a: NaN, b: NaN };
  const k = (m * (1 - m)) / v - 1;
  const a = k * m;
  const b = k * (1 - m);
  return { alpha: Math.max(1 + a / 3, 1), beta: Math.max(1 + b / 3, 1), a, b };
}

/** Largest BNPO weight 1/f_N (the official code clamps at 1e6). */
export const BNPO_MAX_WEIGHT = 1e6;

/**
 * BNPO advantages of the group rewards[offset … offset + G) into out[offset …] for a fixed (α, β);
 * p̂ = `pGroup` (e.g. the exact p(q)) or the group mean.
 */
export function bnpoAdvantages(
  rewards: ArrayLike<number>,
  offset: number,
  G: number,
  out: Float64Array,
  ab: { alpha: number; beta: number },
  pGroup?: number,
): void {
  let sum = 0;
  for (let i = 0; i < G; i++) sum += rewards[offset + i];
  const p = pGroup ?? sum / G;
  const w = Math.min(1 / betaPdf(p, ab.alpha, ab.beta), BNPO_MAX_WEIGHT);
  for (let i = 0; i < G; i++) {
    const d = rewards[offset + i] - p;
    out[offset + i] = d === 0 ? 0 : w * d;
  }
}
