/**
 * Stale REINFORCE (grpo-off-policy's REINFORCE at staleness k): A = r − r̄ with the group-mean baseline, no importance
 * weight, no clip, no KL — the recipe of papers/grpo-off-policy/transformer.ts (`RECIPES.reinforce` with the
 * 'baseline' advantage and importance 'none'), on completions sampled k updates ago. The family's other members add
 * one term each to this update; this row is the plain off-policy gradient they correct.
 */
import type { StaleProtocolConfig, StaleProtocolRecipe } from '../core';
import { runStaleRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: StaleProtocolRecipe = {
  name: 'reinforce-stale',
  summary:
    'stale samples (k updates old): A = r − r̄ (group mean), no importance weight, no clip, no KL (Yao et al. 2025)',
  trainer: { ...RECIPES.reinforce, name: 'REINFORCE (group-mean baseline)', advantage: 'baseline', importance: 'none' },
};

export const run = (config: StaleProtocolConfig, seed: number) => runStaleRecipe(recipe, config, seed);
