/**
 * RED-Weight (Yao et al. 2025): REINFORCE with advantage-weighted data.
 * The trainer's recipe RECIPES['red-weight'] unchanged (trainer/recipes.ts, the authors' Trinity-RFT rec_gsm8k
 * coefficients), on completions sampled k updates ago (the stale protocol's staleness).
 */
import type { StaleProtocolConfig, StaleProtocolRecipe } from '../core';
import { runStaleRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: StaleProtocolRecipe = {
  name: 'red-weight',
  summary: 'group-mean A, no IS, each response weighted by exp(A/T), T = 1 (Yao et al. 2025, data weighting)',
  trainer: RECIPES['red-weight'],
};

export const run = (config: StaleProtocolConfig, seed: number) => runStaleRecipe(recipe, config, seed);
