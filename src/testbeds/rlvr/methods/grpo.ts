/**
 * GRPO's group-relative advantage (Shao et al. 2024, "DeepSeekMath", eq. 3 with outcome supervision):
 * the reward standardised within the group of G responses to the same prompt,
 *   A_i = (r_i − r̄)/(s + ε),
 * s the group's standard deviation: 'unbiased' (torch.std, as verl and TRL) or 'population'.
 * The clipped surrogate GRPO optimises with it is methods/ppo-clip.ts.
 */

/** GRPO advantages of the group rewards[offset … offset + G) into out[offset …]. */
export function grpoAdvantages(
  rewards: ArrayLike<number>,
  offset: number,
  G: number,
  out: Float64Array,
  std: 'unbiased' | 'population' = 'unbiased',
  eps = 1e-6,
): void {
  let sum = 0;
  for (let i = 0; i < G; i++) sum += rewards[offset + i];
  const mean = sum / G;
  let ss = 0;
  for (let i = 0; i < G; i++) ss += (rewards[offset + i] - mean) ** 2;
  const unbiased = std === 'unbiased';
  if (unbiased && G < 2)
    throw new RangeError('rlvr.groupAdvantages: GRPO with the unbiased std needs groups of at least 2');
  const s = Math.sqrt(ss / (unbiased ? G - 1 : G));
  for (let i = 0; i < G; i++) out[offset + i] = (rewards[offset + i] - mean) / (s + eps);
}
