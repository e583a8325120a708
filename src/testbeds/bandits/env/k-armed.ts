/**
 * Stochastic K-armed bandits with known means (Lattimore & Szepesvári 2020, ch. 4): Bernoulli arms (reward 1 with
 * probability μ_i) or Gaussian arms (μ_i + σ·N(0, 1)). The means are known to the environment, so the pseudo-regret
 * Σ_t (μ* − μ_{A_t}) of any trajectory is exact.
 */
import type { Rng } from '../../../core/rng';

export interface KArmedBandit {
  kind: 'bernoulli' | 'gaussian';
  /** Arm means μ_i. */
  means: Float64Array;
  /** Gaussian noise standard deviation σ (unused for Bernoulli arms). */
  std: number;
}

export function bernoulliBandit(means: ArrayLike<number>): KArmedBandit {
  for (const m of Array.from(means))
    if (!(m >= 0 && m <= 1)) throw new RangeError(`bernoulliBandit: means must lie in [0, 1], got ${m}`);
  return { kind: 'bernoulli', means: Float64Array.from(means), std: 0 };
}

export function gaussianBandit(means: ArrayLike<number>, std: number): KArmedBandit {
  if (!(std > 0)) throw new RangeError(`gaussianBandit: std must be > 0, got ${std}`);
  return { kind: 'gaussian', means: Float64Array.from(means), std };
}

/** One reward of `arm`. */
export function pull(env: KArmedBandit, arm: number, rng: Rng): number {
  const m = env.means[arm];
  return env.kind === 'bernoulli' ? (rng.uniform() < m ? 1 : 0) : m + env.std * rng.normal();
}

/** μ* = max_i μ_i. */
export function bestMean(env: KArmedBandit): number {
  let b = -Infinity;
  for (const m of env.means) if (m > b) b = m;
  return b;
}

/** Gaps Δ_i = μ* − μ_i. */
export function gaps(env: KArmedBandit): Float64Array {
  const b = bestMean(env);
  return env.means.map((m) => b - m);
}
