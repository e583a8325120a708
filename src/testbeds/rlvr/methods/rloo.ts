/**
 * RLOO, REINFORCE leave-one-out (Kool et al. 2019; Ahmadian et al. 2024, "Back to Basics", the RLOO
 * estimator): each response's baseline is the mean reward of the other G − 1 responses to its prompt,
 *   A_i = r_i − (Σ_j r_j − r_i)/(G − 1).
 */

/** RLOO advantages of the group rewards[offset … offset + G) into out[offset …]. */
export function rlooAdvantages(rewards: ArrayLike<number>, offset: number, G: number, out: Float64Array): void {
  if (G < 2) throw new RangeError('rlvr.groupAdvantages: RLOO needs groups of at least 2');
  let sum = 0;
  for (let i = 0; i < G; i++) sum += rewards[offset + i];
  for (let i = 0; i < G; i++) out[offset + i] = rewards[offset + i] - (sum - rewards[offset + i]) / (G - 1);
}
