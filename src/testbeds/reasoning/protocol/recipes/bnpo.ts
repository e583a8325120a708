/** The reasoning protocol's BNPO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'bnpo',
  summary:
    'Beta-normalised advantage with adaptive (α, β), sequence-mean, clip 0.2, no KL (Xiao et al. ' + '2025, eq. 6)',
  trainer: RECIPES.bnpo,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
