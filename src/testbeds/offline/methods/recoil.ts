/**
 * ReCOIL, tabular (Sikchi, Zheng, Zhang & Niekum, "Dual RL: Unification and New Methods for Reinforcement and
 * Imitation Learning", ICLR 2024, arXiv:2302.08560, §5.2 "ReCOIL: relaxed coverage for off-policy imitation").
 * Instead of matching d^π to the expert's d^E (which needs d^E/d^S ratios, i.e. a discriminator and coverage of the
 * expert by the data), ReCOIL matches mixtures with the suboptimal (replay) distribution d^S:
 *   min_{d ≥ 0}  D_f( β d + (1 − β) d^S  ‖  β d^E + (1 − β) d^S )   s.t. d satisfies the Bellman flow constraints,
 * whose right-hand mixture covers every pair of D^E ∪ D^S, so no coverage assumption and no discriminator is needed;
 * its dual is an unconstrained problem over V (or Q) whose terms are expectations under the mixture and under d^S.
 * Tabular: f = χ² (the divergence of the official code's stable least-squares critic), the flow constraints on the
 * empirical MDP of D^E ∪ D^S (data/imitation.ts), solved exactly in its dual-V form (solvers/chi2-dual-v.ts, with
 * e = β d^E + (1 − β) d^S, c = (1 − β) d^S, R = 0); the policy is π(a|s) ∝ d*(s, a) (uniform over supported actions
 * where d* = 0, uniform at states without data).
 */
import type { OfflineDataset } from '../data/dataset';
import { concatDatasets, empiricalMdp, pairDistribution } from '../data/imitation';
import { empiricalIndex, policyFromWeights } from '../data/empirical';
import { pairWeights, solveChi2DualV, type Chi2DualProblem, type Chi2DualSolution } from '../solvers/chi2-dual-v';

export interface RecoilOptions {
  /** Mixing weight β ∈ (0, 1) of the learner's (and the expert's) distribution in the mixtures. */
  beta: number;
}

export interface ImitationResult {
  policy: Float64Array;
  solution: Chi2DualSolution;
  problem: Chi2DualProblem;
}

/** The ReCOIL dual problem of expert data D^E and suboptimal data D^S. */
export function recoilProblem(
  expert: OfflineDataset,
  suboptimal: OfflineDataset,
  opts: RecoilOptions,
): Chi2DualProblem {
  const { beta } = opts;
  if (!(beta > 0 && beta < 1)) throw new RangeError(`recoil: beta must lie in (0, 1), got ${beta}`);
  const mdp = empiricalMdp(concatDatasets([expert, suboptimal], 'expert+suboptimal'));
  const dE = pairDistribution(expert, mdp);
  const dS = pairDistribution(suboptimal, mdp);
  const e = Float64Array.from(dE, (x, k) => beta * x + (1 - beta) * dS[k]);
  const c = Float64Array.from(dS, (x) => (1 - beta) * x);
  return { mdp, e, c, R: new Float64Array(mdp.nPairs), beta };
}

export function recoil(expert: OfflineDataset, suboptimal: OfflineDataset, opts: RecoilOptions): ImitationResult {
  const problem = recoilProblem(expert, suboptimal, opts);
  const solution = solveChi2DualV(problem);
  const idx = empiricalIndex(concatDatasets([expert, suboptimal], 'expert+suboptimal'));
  return { policy: policyFromWeights(idx, pairWeights(problem.mdp, solution.d)), solution, problem };
}
