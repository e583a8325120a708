/**
 * Token-control parts: covariance-based interventions on individual tokens of the batch (Cui et al. 2025,
 * "The Entropy Mechanism of Reinforcement Learning for Reasoning Language Models", §4). Every kept response
 * token i gets the centred covariance of its current log-probability and its advantage,
 *   Cov_i = (A_i − mean_j A_j)·(log π_θ(y_i) − mean_j log π_θ(y_j))            (rlvr/methods/token-covariance.ts)
 * over the kept tokens of the batch, recomputed each gradient pass as in the official verl implementation, and
 *   clip-cov   among the tokens with lb < Cov_i < ub that the ratio clip has not already cut, max(1, ⌊r·N⌋)
 *              chosen uniformly at random are detached (zero gradient)  (rlvr/methods/clip-cov.ts)
 *   kl-cov     the max(1, ⌊k·N⌋) tokens with the largest Cov_i get the extra loss β·|log π_θ − log μ|, sub-gradient
 *              β·c_t·sign(log π_θ − log μ), zero on an on-policy first pass (rlvr/methods/kl-cov.ts). The
 *              official KL-Cov uses the unclipped surrogate, so its recipe sets `clipping: { kind: 'none' }`.
 * The GRU loop of the same paper (rlvr/loops/gru-entropy-control.ts) uses the same selection functions.
 */
export type TokenControl =
  { kind: 'clip-cov'; ratio: number; lb: number; ub: number } | { kind: 'kl-cov'; ratio: number; beta: number };

/** Checks a token control's settings, naming the bad one. */
export function checkTokenControl(c: TokenControl): void {
  if (!(c.ratio > 0 && c.ratio <= 1))
    throw new RangeError(`reasoning.tokenControl: ${c.kind} ratio must be in (0, 1], got ${c.ratio}`);
  if (c.kind === 'clip-cov' && !(c.lb < c.ub))
    throw new RangeError(`reasoning.tokenControl: clip-cov needs lb < ub, got lb ${c.lb}, ub ${c.ub}`);
  if (c.kind === 'kl-cov' && !(c.beta >= 0))
    throw new RangeError(`reasoning.tokenControl: kl-cov beta must be ≥ 0, got ${c.beta}`);
}
