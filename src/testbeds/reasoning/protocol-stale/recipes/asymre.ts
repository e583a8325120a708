/**
 * AsymRE (Yao et al. 2025): REINFORCE with the baseline lowered by τ.
 * The trainer's recipe RECIPES.asymre unchanged (trainer/recipes.ts, the authors' Trinity-RFT rec_gsm8k
 * coefficients), on completions sampled k updates ago (the stale protocol's staleness).
 */
import type { StaleProtocolConfig, StaleProtocolRecipe } from '../core';
import { runStaleRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: StaleProtocolRecipe = {
  name: 'asymre',
  summary: 'group-mean A lowered by τ = 0.1, no IS (asymmetric REINFORCE, as Yao et al. 2025 read it)',
  trainer: RECIPES.asymre,
};

export const run = (config: StaleProtocolConfig, seed: number) => runStaleRecipe(recipe, config, seed);
