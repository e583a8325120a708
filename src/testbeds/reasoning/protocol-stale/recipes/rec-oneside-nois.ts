/**
 * REC-OneSide-NoIS (Yao et al. 2025): regularise by clipping, without importance sampling.
 * The trainer's recipe RECIPES['rec-oneside-nois'] unchanged (trainer/recipes.ts, the authors' Trinity-RFT rec_gsm8k
 * coefficients), on completions sampled k updates ago (the stale protocol's staleness).
 */
import type { StaleProtocolConfig, StaleProtocolRecipe } from '../core';
import { runStaleRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: StaleProtocolRecipe = {
  name: 'rec-oneside-nois',
  summary: 'group-mean A, PPO clip ε = 0.2 as a regulariser without the importance weight (Yao et al. 2025, REC)',
  trainer: RECIPES['rec-oneside-nois'],
};

export const run = (config: StaleProtocolConfig, seed: number) => runStaleRecipe(recipe, config, seed);
