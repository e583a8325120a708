/**
 * Optimistic Feasible Search (OFS; Du 2025, "Optimistic Feasible Search for Closed-Loop Fair Threshold
 * Decision-Making", arXiv:2512.22313), as its abstract defines it: a grid method that "maintains confidence bounds for
 * reward and constraint residuals for each candidate threshold. At each round, OFS selects the threshold that appears
 * feasible under confidence bounds and, among those, maximizes optimistic reward; if no threshold appears feasible,
 * OFS selects the threshold minimizing optimistic violation."
 *
 * The paper's method section was not reachable, so the bounds are reconstructed (no equation numbers):
 *   UCB_r(k)   = r̄_k + σ_r · sqrt(2 ln n / n_k)            (the UCB1 radius with a sub-Gaussian scale σ_r),
 *   LCB_j(k)   = ḡ_{k,j} − σ_j · sqrt(2 ln n / n_k)         (the optimistic, lower, bound of residual j),
 *   F_n        = { k : LCB_j(k) ≤ 0 for every constraint j } (thresholds that appear feasible),
 *   k_n        = argmax_{k ∈ F_n} UCB_r(k), or, if F_n = ∅, argmin_k Σ_j [LCB_j(k)]_+ (least optimistic violation);
 * n = rounds so far, n_k = plays of threshold k; an unplayed threshold has infinite radius (played first, in grid
 * order). Ties go to the lowest index.
 */
import type { Rng } from '../../../core/rng';

export interface ConstrainedArmPolicy {
  select(t: number, rng: Rng): number;
  /** The reward and the constraint residuals (feasible when ≤ 0) of the arm just played. */
  update(arm: number, reward: number, residuals: ArrayLike<number>): void;
}

export interface ConstrainedArmStats {
  K: number;
  J: number;
  pulls: Float64Array;
  /** Empirical mean reward per arm. */
  rewardMean: Float64Array;
  /** Empirical mean residual j of arm k at index k·J + j. */
  residualMean: Float64Array;
  /** Rounds so far. */
  n: number;
}

export function constrainedArmStats(K: number, J: number): ConstrainedArmStats {
  return {
    K,
    J,
    pulls: new Float64Array(K),
    rewardMean: new Float64Array(K),
    residualMean: new Float64Array(K * J),
    n: 0,
  };
}

export function updateConstrainedStats(s: ConstrainedArmStats, k: number, r: number, g: ArrayLike<number>): void {
  s.n++;
  const c = ++s.pulls[k];
  s.rewardMean[k] += (r - s.rewardMean[k]) / c;
  for (let j = 0; j < s.J; j++) s.residualMean[k * s.J + j] += (g[j] - s.residualMean[k * s.J + j]) / c;
}

/** The confidence radius σ · sqrt(2 ln n / n_k) (∞ for an unplayed arm; 0 at n ≤ 1). */
export function confidenceRadius(scale: number, n: number, pulls: number): number {
  if (pulls === 0) return Infinity;
  return n <= 1 ? 0 : scale * Math.sqrt((2 * Math.log(n)) / pulls);
}

export interface OfsOptions {
  /** Sub-Gaussian scale of the per-round reward observation. */
  rewardScale: number;
  /** Sub-Gaussian scale of each per-round residual observation (length J). */
  residualScales: number[];
  /**
   * How a threshold "appears feasible": 'optimistic' (default, LCB_j ≤ 0 for every j, the reading used for OFS) or
   * 'pessimistic' (UCB_j ≤ 0, a safe variant; the fallback is unchanged).
   */
  feasibility?: 'optimistic' | 'pessimistic';
}

export interface OfsChoice {
  arm: number;
  /** Whether some arm appeared feasible (else the fallback chose). */
  feasibleFound: boolean;
}

/** One OFS decision from the statistics (pure). */
export function ofsChoose(s: ConstrainedArmStats, opts: OfsOptions): OfsChoice {
  const pessimistic = opts.feasibility === 'pessimistic';
  let best = -1,
    bestU = -Infinity,
    fall = 0,
    fallV = Infinity;
  for (let k = 0; k < s.K; k++) {
    let feasible = true,
      optViol = 0;
    for (let j = 0; j < s.J; j++) {
      const mean = s.residualMean[k * s.J + j],
        rad = confidenceRadius(opts.residualScales[j], s.n, s.pulls[k]);
      const lcb = mean - rad;
      if (lcb > 0) optViol += lcb;
      if (pessimistic ? !(mean + rad <= 0) : lcb > 0) feasible = false;
    }
    if (feasible) {
      const u = s.rewardMean[k] + confidenceRadius(opts.rewardScale, s.n, s.pulls[k]);
      if (u > bestU) [best, bestU] = [k, u];
    } else if (optViol < fallV) [fall, fallV] = [k, optViol];
  }
  return best >= 0 ? { arm: best, feasibleFound: true } : { arm: fall, feasibleFound: false };
}

export function ofs(
  K: number,
  opts: OfsOptions,
): ConstrainedArmPolicy & { stats: ConstrainedArmStats; fallbacks: number } {
  const stats = constrainedArmStats(K, opts.residualScales.length);
  const self = {
    stats,
    fallbacks: 0,
    select() {
      const c = ofsChoose(stats, opts);
      if (!c.feasibleFound) self.fallbacks++;
      return c.arm;
    },
    update(k: number, r: number, g: ArrayLike<number>) {
      updateConstrainedStats(stats, k, r, g);
    },
  };
  return self;
}
