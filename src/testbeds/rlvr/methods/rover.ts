/**
 * ROVER, Random Policy Valuation for Diverse Reasoning (He et al. 2025, "Random Policy Valuation is
 * Enough for LLM Reasoning with Verifiable Rewards"), as in the official code (github.com/yuxiaooye/ROVER,
 * `DataParallelROVERActor.update_policy`): the Q-value of a token is the policy's log-probability
 * relative to the rollout policy,
 *   Q(s_t, a_t) = ρ (log π_θ(a_t|s_t) − log π_old(a_t|s_t)),
 * so that π_θ(·|s) ∝ π_old(·|s) exp(Q(s, ·)/ρ) (sampling from a softmax over Q); the target is the
 * group-centred reward plus the *uniform* mean of the successor state's Q over the whole vocabulary
 * (random policy valuation: the value of the uniform policy, their Thm. 3.1),
 *   y_t = (r − mean_group r) + ρ · (1/|V|) Σ_a' (log π_θ(a'|s_{t+1}) − log π_old(a'|s_{t+1})),
 * (0 after the last token), held fixed (stop-gradient), and the loss is mean_t ½ (Q − y)².
 * The update loop is loops/sequence-policy.ts.
 */

/** Q(s_t, a_t) = ρ (log π_θ(a_t|s_t) − log π_old(a_t|s_t)). */
export function roverQ(rho: number, logp: number, oldLogp: number): number {
  return rho * (logp - oldLogp);
}

/**
 * Σ_a' (log π_θ(a'|s') − log π_old(a'|s')) over the vocabulary of the successor state s', summed as the
 * official code does: the new log-probabilities first, then the old ones subtracted.
 */
export function successorLogRatioSum(logp: ArrayLike<number>, oldLogp: ArrayLike<number>, V: number): number {
  let m = 0;
  for (let b = 0; b < V; b++) m += logp[b];
  for (let b = 0; b < V; b++) m -= oldLogp[b];
  return m;
}

/** y_t = r̃ + ρ·(Σ_a' log-ratio)/|V|; `successor` null after the last token (y = r̃). */
export function roverTarget(centredReward: number, rho: number, successor: number | null, V: number): number {
  let y = centredReward;
  if (successor !== null) y += (rho * successor) / V;
  return y;
}

/** The per-token loss ½ (Q − y)². */
export function roverLoss1(Q: number, y: number): number {
  return 0.5 * (Q - y) ** 2;
}

/**
 * The ascent weight w on (e_a − π) of the token's logits: −∂/∂z ½(Q − y)² = −(Q − y)·ρ·(e_a − π),
 * so w = −(Q − y)·ρ.
 */
export function roverLogitWeight(Q: number, y: number, rho: number): number {
  return -(Q - y) * rho;
}
