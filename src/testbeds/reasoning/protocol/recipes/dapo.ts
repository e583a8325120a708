/** The reasoning protocol's DAPO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'dapo',
  summary:
    'group-standardised A, token-mean, clip-higher (0.2, 0.28), dynamic sampling (≤ 3 draws), no KL ' +
    '(Yu et al. 2025)',
  trainer: RECIPES.dapo,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
