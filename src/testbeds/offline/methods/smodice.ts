/**
 * SMODICE with the χ² divergence, tabular (Ma, Shen, Jayaraman & Bastani, "Versatile Offline Imitation from
 * Observations and Examples via Regularized State-Occupancy Matching", ICML 2022, arXiv:2202.02433), the
 * coverage-assuming offline imitation method that Dual RL (Sikchi et al., ICLR 2024, arXiv:2302.08560, §5.1) casts
 * as dual RL: with the offline data's distribution d^O covering the expert's (d^O(s) > 0 wherever d^E(s) > 0),
 *   D_KL(d^π(s) ‖ d^E(s)) ≤ E_{s∼d^π}[log(d^O(s)/d^E(s))] + D_f(d^π(s, a) ‖ d^O(s, a)),
 * so SMODICE solves the regularised RL problem with reward R(s) = log(d^E(s)/d^O(s)) (a state discriminator):
 *   max_{d ≥ 0} E_d[R(s)] − D_f(d ‖ d^O)   s.t. Bellman flow,
 * in its dual-V form min_V (1 − γ) E_{μ₀}[V] + E_{d^O}[f*_p(R(s) + γ V(s') − V(s))], and extracts the policy by
 * weighted behaviour cloning on D^O with weights f*_p'(·) = d* ÷ d^O.
 * Tabular: f = χ², d^O the distribution of the offline data D^O, the flow constraints on D^O's empirical MDP
 * (data/imitation.ts), solved exactly (solvers/chi2-dual-v.ts with e = d^O, c = 0, β = 1). The discriminator is
 * the tabular optimum c(s) = d^E(s)/(d^E(s) + d^O(s)) on smoothed state frequencies (n(s) + κ)/(N + κ|S|) (κ = ½,
 * the Krichevsky–Trofimov estimator), so R(s) = log c/(1 − c) = log(p̂^E(s)/p̂^O(s)) is finite everywhere.
 * Policy: π(a|s) ∝ d*(s, a) over D^O's pairs (uniform over supported actions where d* = 0, uniform without data).
 */
import type { OfflineDataset } from '../data/dataset';
import { empiricalMdp, pairDistribution } from '../data/imitation';
import { empiricalIndex, policyFromWeights } from '../data/empirical';
import { pairWeights, solveChi2DualV, type Chi2DualProblem } from '../solvers/chi2-dual-v';
import type { ImitationResult } from './recoil';

export interface SmodiceOptions {
  /** Additive smoothing κ ≥ 0 of the state frequencies of the discriminator (default ½). */
  smoothing?: number;
}

/** log(p̂^E(s) / p̂^O(s)) with p̂(s) = (n(s) + κ)/(N + κ|S|) (length nS). */
export function discriminatorReward(expert: OfflineDataset, offline: OfflineDataset, smoothing = 0.5): Float64Array {
  const nS = expert.nS;
  const nE = new Float64Array(nS),
    nO = new Float64Array(nS);
  for (let i = 0; i < expert.size; i++) nE[expert.s[i]]++;
  for (let i = 0; i < offline.size; i++) nO[offline.s[i]]++;
  return Float64Array.from(
    nE,
    (x, s) =>
      Math.log((x + smoothing) / (expert.size + smoothing * nS)) -
      Math.log((nO[s] + smoothing) / (offline.size + smoothing * nS)),
  );
}

export function smodiceProblem(
  expert: OfflineDataset,
  offline: OfflineDataset,
  opts: SmodiceOptions = {},
): Chi2DualProblem {
  const mdp = empiricalMdp(offline);
  const R = discriminatorReward(expert, offline, opts.smoothing ?? 0.5);
  const e = pairDistribution(offline, mdp);
  return { mdp, e, c: new Float64Array(mdp.nPairs), R: Float64Array.from(mdp.pairState, (s) => R[s]), beta: 1 };
}

export function smodice(expert: OfflineDataset, offline: OfflineDataset, opts: SmodiceOptions = {}): ImitationResult {
  const problem = smodiceProblem(expert, offline, opts);
  const solution = solveChi2DualV(problem);
  const idx = empiricalIndex(offline);
  return { policy: policyFromWeights(idx, pairWeights(problem.mdp, solution.d)), solution, problem };
}
