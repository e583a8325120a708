/** The reasoning protocol's BAPO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { BAPO_RECIPES } from '../../trainer/objectives/bapo';

export const recipe: ProtocolRecipe = {
  name: 'bapo',
  summary:
    'PPO surrogate with per-batch adaptive clip bounds balancing positive and negative contributions ' +
    '(Xi et al. 2025, eq. 8)',
  trainer: BAPO_RECIPES.bapo,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
