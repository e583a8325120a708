/**
 * OPMD (Yao et al. 2025): REINFORCE regularised towards the sampling policy by a k2 term.
 * The trainer's recipe RECIPES.opmd unchanged (trainer/recipes.ts, the authors' Trinity-RFT rec_gsm8k
 * coefficients), on completions sampled k updates ago (the stale protocol's staleness).
 */
import type { StaleProtocolConfig, StaleProtocolRecipe } from '../core';
import { runStaleRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: StaleProtocolRecipe = {
  name: 'opmd',
  summary:
    'group-mean A, no IS, + τ(log π − log μ)² per token, τ = 0.1 (online policy mirror descent, ' +
    'as Yao et al. 2025 read it)',
  trainer: RECIPES.opmd,
};

export const run = (config: StaleProtocolConfig, seed: number) => runStaleRecipe(recipe, config, seed);
