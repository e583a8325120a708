/**
 * The preference learners of the kit's tabular papers, each with its own notebook's settings:
 *   regret-pm  Knox et al. (2024) regret preference model, linear reward, L-BFGS (200 iterations, 4 random
 *              restarts, the lowest training loss kept), then the greedy policy (the regret-preference-model notebook);
 *   pr-bt      the partial-return Bradley–Terry model (Christiano et al. 2017), linear reward, L-BFGS 200 iterations,
 *              greedy policy (the same notebook's baseline);
 *   cpl        Contrastive Preference Learning (Hejna et al. 2024, Eq. 5 with the conservative λ = 0.5, α = 1), a
 *              tabular softmax policy from behaviour cloning of every segment (smoothing 1), Adam lr 0.05 × 1000
 *              steps (the cpl notebook); its policy is scored as it is (stochastic).
 * Initial linear weights ~ U(−1/√k, 1/√k) (torch.nn.Linear's default, as in the authors' code).
 */
import type { Rng } from '../../../../core/rng';
import type { ProtocolRecipe, LearningInstance } from '../core';
import { greedyForLinearReward } from '../core';
import { fitCpl, segmentActionCounts } from '../../methods/cpl';
import { fitPartialReturnLinear, fitRegretLinear, pairFeatureDifferences } from '../../methods/reward-learning';
import type { FitOptimizer } from '../../methods/reward-learning';
import { segmentFeatureSums } from '../../env/preferences';
import { countsPolicy, logitsFromPolicy, softmaxPolicy } from '../../policies/softmax';

export const LBFGS_ITERATIONS = 200,
  REGRET_RESTARTS = 4,
  CPL_ALPHA = 1,
  CPL_LAMBDA = 0.5,
  CPL_LR = 0.05,
  CPL_STEPS = 1000,
  BC_SMOOTHING = 1;

const lbfgs: FitOptimizer = { kind: 'lbfgs', maxIterations: LBFGS_ITERATIONS, gtol: 1e-9, ftol: 1e-12 };

const initWeights = (nF: number, rng: Rng) =>
  Float64Array.from({ length: nF }, () => rng.range(-1 / Math.sqrt(nF), 1 / Math.sqrt(nF)));

export const regretPm: ProtocolRecipe = {
  name: 'regret-pm',
  summary:
    `methods/reward-learning.ts fitRegretLinear (L-BFGS ${LBFGS_ITERATIONS}, best of ${REGRET_RESTARTS}) ` + '→ greedy',
  budget: 'labels',
  learn: (t: LearningInstance, rng: Rng) => {
    let best = fitRegretLinear(t.world, t.segs, t.pairs, t.labels, lbfgs, initWeights(t.world.nF, rng.split(0)));
    for (let k = 1; k < REGRET_RESTARTS; k++) {
      const r = fitRegretLinear(t.world, t.segs, t.pairs, t.labels, lbfgs, initWeights(t.world.nF, rng.split(k)));
      if (r.loss < best.loss) best = r;
    }
    return greedyForLinearReward(t.world, best.x);
  },
};

export const partialReturnBt: ProtocolRecipe = {
  name: 'pr-bt',
  summary: `methods/reward-learning.ts fitPartialReturnLinear (L-BFGS ${LBFGS_ITERATIONS}) → greedy`,
  budget: 'labels',
  learn: (t: LearningInstance, rng: Rng) => {
    const dPhi = pairFeatureDifferences(segmentFeatureSums(t.world, t.segs, 1), t.world.nF, t.pairs);
    const fit = fitPartialReturnLinear(dPhi, t.labels, t.world.nF, lbfgs, initWeights(t.world.nF, rng.split(0)));
    return greedyForLinearReward(t.world, fit.x);
  },
};

export const cpl: ProtocolRecipe = {
  name: 'cpl',
  summary: `methods/cpl.ts fitCpl (α = ${CPL_ALPHA}, λ = ${CPL_LAMBDA}, Adam ${CPL_STEPS} steps) from BC`,
  budget: 'labels',
  learn: (t: LearningInstance) => {
    const { nS, nA, gamma } = t.world;
    const bc = countsPolicy(nS, nA, segmentActionCounts(t.segs, nS, nA), BC_SMOOTHING);
    const fit = fitCpl(
      nS,
      nA,
      t.segs,
      t.pairs,
      t.labels,
      { alpha: CPL_ALPHA, lambda: CPL_LAMBDA, g: gamma },
      { kind: 'adam', lr: CPL_LR, steps: CPL_STEPS, keepBest: false },
      logitsFromPolicy(nS, nA, bc),
    );
    return softmaxPolicy(nS, nA, fit.x);
  },
};
