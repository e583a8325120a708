/**
 * ReMax (Li et al. 2024, "ReMax: A Simple, Effective, and Efficient Reinforcement Learning Method for
 * Aligning Large Language Models"): the baseline of a prompt's responses is the reward of the
 * greedy answer of the policy that sampled them, A_i = r_i − r(greedy).
 */

/** Advantages of B groups of G (group-major) against each group's greedy-answer reward. */
export function remaxAdvantages(
  rewards: ArrayLike<number>,
  greedyRewards: ArrayLike<number>,
  B: number,
  G: number,
  out: Float64Array = new Float64Array(B * G),
): Float64Array {
  for (let b = 0; b < B; b++) {
    const rg = greedyRewards[b];
    for (let i = 0; i < G; i++) out[b * G + i] = rewards[b * G + i] - rg;
  }
  return out;
}
