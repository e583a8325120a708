/** The reasoning protocol's ReMax entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'remax',
  summary: 'A = r − r(greedy answer), sequence-mean, no clip (Li et al. 2024)',
  trainer: RECIPES.remax,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
