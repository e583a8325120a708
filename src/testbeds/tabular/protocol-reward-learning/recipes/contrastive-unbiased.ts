/**
 * Unbiased CPL in the tabular reward-learning protocol (a task module): Contrastive Preference Learning (Hejna et al.
 * 2024, Eq. 5) with λ = 1, where the conservative λ < 1 of the authors' configs (the `cpl` entry, learners.ts) is
 * removed — the cpl notebook's `cpl-unbiased`. Everything else is the `cpl` entry's: α, the Adam budget, the BC
 * initialisation with add-1 smoothing, the within-segment discount γ of the world.
 */
import type { LearningInstance, ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { fitCpl, segmentActionCounts } from '../../methods/cpl';
import { countsPolicy, logitsFromPolicy, softmaxPolicy } from '../../policies/softmax';
import { BC_SMOOTHING, CPL_ALPHA, CPL_LR, CPL_STEPS } from './learners';

export const recipe: ProtocolRecipe = {
  name: 'cpl-unbiased',
  summary: `methods/cpl.ts fitCpl (α = ${CPL_ALPHA}, λ = 1: no conservative bias, Adam ${CPL_STEPS} steps) from BC`,
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
      { alpha: CPL_ALPHA, lambda: 1, g: gamma },
      { kind: 'adam', lr: CPL_LR, steps: CPL_STEPS, keepBest: false },
      logitsFromPolicy(nS, nA, bc),
    );
    return softmaxPolicy(nS, nA, fit.x);
  },
};
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
