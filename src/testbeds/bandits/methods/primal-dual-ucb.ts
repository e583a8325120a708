/**
 * Primal–dual (Lagrangian) UCB for bandits with stochastic constraints g_j(k) ≤ 0, the baseline family that OFS is
 * compared with (Du 2025, arXiv:2512.22313, abstract: "primal–dual bandit baselines"; its exact variant was not
 * reachable). The standard optimistic Lagrangian form:
 *   k_n = argmax_k  UCB_r(k) − Σ_j λ_j · LCB_j(k)        (optimistic reward, optimistic residuals),
 *   λ_j ← clip(λ_j + η · ĝ_j(k_n), 0, λ_max)             (projected dual ascent on the observed residual),
 * with the same confidence radii as OFS (methods/ofs.ts `confidenceRadius`). An unplayed arm is played first.
 */
import type { Rng } from '../../../core/rng';
import {
  confidenceRadius,
  constrainedArmStats,
  updateConstrainedStats,
  type ConstrainedArmPolicy,
  type ConstrainedArmStats,
} from './ofs';

export interface PrimalDualUcbOptions {
  rewardScale: number;
  residualScales: number[];
  /** Dual step size η. */
  eta: number;
  /** Upper clip of each multiplier. */
  lambdaMax: number;
}

/** The Lagrangian index of arm k (∞ when unplayed). */
export function lagrangianIndex(s: ConstrainedArmStats, k: number, lambda: ArrayLike<number>, o: PrimalDualUcbOptions) {
  if (s.pulls[k] === 0) return Infinity;
  let v = s.rewardMean[k] + confidenceRadius(o.rewardScale, s.n, s.pulls[k]);
  for (let j = 0; j < s.J; j++)
    v -= lambda[j] * (s.residualMean[k * s.J + j] - confidenceRadius(o.residualScales[j], s.n, s.pulls[k]));
  return v;
}

export function primalDualUcb(
  K: number,
  o: PrimalDualUcbOptions,
): ConstrainedArmPolicy & { stats: ConstrainedArmStats; lambda: Float64Array } {
  const stats = constrainedArmStats(K, o.residualScales.length);
  const lambda = new Float64Array(o.residualScales.length);
  return {
    stats,
    lambda,
    select(_t: number, _rng: Rng) {
      let best = 0,
        bestV = -Infinity;
      for (let k = 0; k < K; k++) {
        const v = lagrangianIndex(stats, k, lambda, o);
        if (v > bestV) [best, bestV] = [k, v];
      }
      return best;
    },
    update(k: number, r: number, g: ArrayLike<number>) {
      updateConstrainedStats(stats, k, r, g);
      for (let j = 0; j < lambda.length; j++) lambda[j] = Math.min(o.lambdaMax, Math.max(0, lambda[j] + o.eta * g[j]));
    },
  };
}
