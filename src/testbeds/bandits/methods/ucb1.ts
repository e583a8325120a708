/**
 * UCB1 (Auer, Cesa-Bianchi & Fischer 2002, "Finite-time Analysis of the Multiarmed Bandit Problem", Fig. 1): play
 * each arm once, then the arm maximising x̄_j + c·sqrt(2 ln n / n_j) (n = rounds so far, n_j = pulls of j; c = 1 for
 * rewards in [0, 1]). Theorem 1: E[regret after n rounds] ≤ Σ_{i: Δ_i>0} 8 ln n / Δ_i + (1 + π²/3) Σ_i Δ_i.
 */
import { argmax, type ArmPolicy } from './policy';

/** The UCB1 index of an arm with empirical mean `mean` after `pulls` pulls, at round count n. */
export function ucb1Index(mean: number, pulls: number, n: number, c = 1): number {
  return pulls === 0 ? Infinity : mean + c * Math.sqrt((2 * Math.log(n)) / pulls);
}

/** The UCB1 upper bound of Theorem 1 on the expected regret after n rounds. */
export function ucb1RegretBound(gaps: ArrayLike<number>, n: number): number {
  let s = 0;
  for (const g of Array.from(gaps)) if (g > 0) s += (8 * Math.log(n)) / g + (1 + Math.PI ** 2 / 3) * g;
  return s;
}

export function ucb1(K: number, c = 1): ArmPolicy & { pulls: Float64Array; means: Float64Array } {
  const pulls = new Float64Array(K),
    means = new Float64Array(K),
    idx = new Float64Array(K);
  let n = 0;
  return {
    pulls,
    means,
    select() {
      for (let j = 0; j < K; j++) idx[j] = ucb1Index(means[j], pulls[j], n, c);
      return argmax(idx);
    },
    update(arm, r) {
      n++;
      pulls[arm]++;
      means[arm] += (r - means[arm]) / pulls[arm];
    },
  };
}
