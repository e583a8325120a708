/**
 * Importance-sampling parts: which ratio weights (and is clipped in) the policy-gradient term of a token,
 * given log π_θ (current) and log μ (the policy that sampled the batch, `Rollouts.oldLogp`):
 *   token      ρ_t = π_θ(o_t)/μ(o_t) per token: PPO (Schulman et al. 2017, eq. 6–7), GRPO (Shao et al. 2024, eq. 3)
 *   sequence   s_i = (π_θ(o_i)/μ(o_i))^{1/|o_i|} = exp((1/|o_i|) Σ_t (log π_θ(o_it) − log μ(o_it))), one ratio for
 *              every token of response i, clipped per sequence: GSPO (Zheng et al. 2025, "Group Sequence Policy
 *              Optimization": its sequence-level ratio and objective). With sequence-mean aggregation (weights
 *              c_t = c_i/|o_i|) the per-token gradient −c_t·A·s_i is exactly ∂/∂log π_t of −c_i·s_i·A, since
 *              ∂s_i/∂log π_t = s_i/|o_i|
 *   none       the ratio decides the clip but does not weight the gradient (−A, not −ρA): the REC-…-NoIS
 *              variants of Yao et al. 2025 ("Group-Relative REINFORCE Is Secretly an Off-Policy Algorithm":
 *              clipping as a regulariser without importance weights)
 * On-policy with one gradient pass every ratio is 1 and the three coincide; the update then skips them.
 */

export type ImportanceName = 'token' | 'sequence' | 'none';

export const IMPORTANCE_NAMES: readonly ImportanceName[] = ['token', 'sequence', 'none'];

/** GSPO's length-normalised sequence ratio s_i = exp(mean_t (logp_t − oldLogp_t)) over the first `len` tokens. */
export function sequenceRatio(
  logp: ArrayLike<number>,
  oldLogp: ArrayLike<number>,
  offset: number,
  len: number,
): number {
  if (!(len >= 1)) throw new RangeError(`reasoning.sequenceRatio: a response needs at least one token, got ${len}`);
  let d = 0;
  for (let t = 0; t < len; t++) d += logp[offset + t] - oldLogp[offset + t];
  return Math.exp(d / len);
}
