/**
 * Clip-Cov (Cui et al. 2025, "The Entropy Mechanism of Reinforcement Learning for Reasoning Language
 * Models", §4, Clip-Cov): among the tokens whose covariance (token-covariance.ts) lies in (lb, ub) and
 * that the PPO clip has not already cut, max(1, ⌊r·N_tokens⌋) chosen uniformly at random are detached
 * (zero gradient) in the update, which stops the high-covariance tokens from collapsing the entropy.
 */
import type { Rng } from '../../../core/rng';

/** Clip-Cov's choice: up to max(1, ⌊ratio·n⌋) random positions with lb < cov < ub and not excluded. */
export function clipCovSelect(
  cov: ArrayLike<number>,
  excluded: ArrayLike<boolean> | null,
  ratio: number,
  lb: number,
  ub: number,
  rng: Rng,
): number[] {
  const cand: number[] = [];
  for (let i = 0; i < cov.length; i++) if (cov[i] > lb && cov[i] < ub && !(excluded && excluded[i])) cand.push(i);
  const want = Math.min(cand.length, Math.max(1, Math.floor(ratio * cov.length)));
  // partial Fisher–Yates: the first `want` entries are a uniform random subset
  for (let i = 0; i < want; i++) {
    const j = i + rng.int(cand.length - i);
    const t = cand[i];
    cand[i] = cand[j];
    cand[j] = t;
  }
  return cand.slice(0, want);
}
