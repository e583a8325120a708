/**
 * REINFORCE advantages of one group of G responses to the same prompt (rewards r_1 … r_G, group
 * mean r̄), written into out[offset … offset + G):
 *   REINFORCE             A_i = r_i                (Williams 1992: the return itself)
 *   REINFORCE + baseline  A_i = r_i − b, b = r̄ or a given per-group baseline (e.g. the exact success
 *                         probability p(q)); with b = r̄ this is also Dr. GRPO's advantage (Liu et al.
 *                         2025, eq. 3), which differs from GRPO's only by not dividing by the group std.
 */

/** Mean of rewards[offset … offset + G), summed in index order. */
export function groupMean(rewards: ArrayLike<number>, offset: number, G: number): number {
  let sum = 0;
  for (let i = 0; i < G; i++) sum += rewards[offset + i];
  return sum / G;
}

/** A_i = r_i. */
export function reinforceAdvantages(rewards: ArrayLike<number>, offset: number, G: number, out: Float64Array): void {
  for (let i = 0; i < G; i++) out[offset + i] = rewards[offset + i];
}

/** A_i = r_i − b with b = `baseline`, or the group mean r̄ when it is not given. */
export function baselineAdvantages(
  rewards: ArrayLike<number>,
  offset: number,
  G: number,
  out: Float64Array,
  baseline?: number,
): void {
  const b = baseline ?? groupMean(rewards, offset, G);
  for (let i = 0; i < G; i++) out[offset + i] = rewards[offset + i] - b;
}
