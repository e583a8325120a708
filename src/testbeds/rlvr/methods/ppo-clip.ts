/**
 * The clipped surrogate of PPO (Schulman et al. 2017, eq. 7), which GRPO optimises per token (Shao et
 * al. 2024, eq. 3): with the importance ratio ρ_t = π_θ(o_t)/π_old(o_t) and the advantage A,
 *   ℓ_t = −c_t · min(ρ_t A, clip(ρ_t, 1 − ε_low, 1 + ε_high) A),
 * c_t the token's aggregation weight (methods/token-aggregation.ts). The min takes the clipped,
 * constant branch — zero gradient — exactly when A > 0 and ρ_t > 1 + ε_high or A < 0 and ρ_t < 1 − ε_low
 * (`ppoClipped`); otherwise ∂ℓ_t/∂log π_θ(o_t) = −c_t·A·ρ_t (`clippedSurrogateGrad`). Every GRU loop and
 * the bandit's and ROVER's updates take the clip decision from `ppoClipped`.
 */

/** Whether the one-sided PPO clip cuts a sample's gradient (ratio outside the band on the side of A's sign). */
export function ppoClipped(A: number, ratio: number, lo: number, hi: number): boolean {
  return (A > 0 && ratio > hi) || (A < 0 && ratio < lo);
}

/**
 * ∂ℓ_t/∂log π_θ(o_t) of ℓ_t = −c·min(ρA, clip(ρ)A): 0 where the clip cut the token, else
 * −c · A · w · v, with w the importance weight (ρ; 1 for the variants that drop it, e.g. REC-NoIS) and
 * v an extra advantage weight (RED-Weight's exp(A/T); 1 otherwise). Multiplying by 1 is exact, so the
 * default arguments reproduce −c·A·ρ bit for bit.
 */
export function clippedSurrogateGrad(
  c: number,
  A: number,
  ratio: number,
  clipped: boolean,
  importanceWeight = ratio,
  advantageWeight = 1,
): number {
  return clipped ? 0 : -c * A * importanceWeight * advantageWeight;
}
