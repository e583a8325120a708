/** The interface a finite-action bandit learner plugs into the loops with: choose, then observe. */
import type { Rng } from '../../../core/rng';

export interface ArmPolicy {
  /** The arm to play at round t (0-based). */
  select(t: number, rng: Rng): number;
  /** The reward of the arm just played. */
  update(arm: number, reward: number): void;
}

/** argmax with ties to the lowest index. */
export function argmax(v: ArrayLike<number>): number {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
}
