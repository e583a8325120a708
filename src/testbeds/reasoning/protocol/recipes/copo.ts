/** The reasoning protocol's COPO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { COPO_RECIPES } from '../../trainer/objectives/copo';

export const recipe: ProtocolRecipe = {
  name: 'copo',
  summary:
    'GRPO blended with a global advantage (batch-standardised group accuracy) by the group answer entropy, ' +
    'soft-with-zero as released (Han et al. 2025)',
  trainer: COPO_RECIPES.copo,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
