/**
 * KL-Cov (Cui et al. 2025, "The Entropy Mechanism of Reinforcement Learning for Reasoning Language
 * Models", §4, KL-Cov): the max(1, ⌊k·N_tokens⌋) tokens with the largest covariance (token-covariance.ts)
 * get the extra loss β·|log π_θ(y_i) − log π_old(y_i)|, a KL-like penalty on exactly the tokens that
 * drive the entropy down (`klCovTokenGrad` is its sub-gradient with respect to log π_θ).
 */

/** KL-Cov's choice: the max(1, ⌊ratio·n⌋) positions with the largest covariance (ties by index). */
export function klCovSelect(cov: ArrayLike<number>, ratio: number): number[] {
  const n = cov.length;
  if (n === 0) return [];
  const k = Math.min(n, Math.max(1, Math.floor(ratio * n)));
  const idx = Array.from({ length: n }, (_, i) => i);
  idx.sort((a, b) => cov[b] - cov[a] || a - b);
  return idx.slice(0, k);
}

/**
 * d/dlog π_θ of β·c·|log π_θ − log π_old| (c: the token's aggregation weight): β·c·sign(log π_θ − log π_old),
 * with the sub-gradient 0 at equality.
 */
export function klCovTokenGrad(beta: number, c: number, logp: number, oldLogp: number): number {
  return beta * c * Math.sign(logp - oldLogp);
}
