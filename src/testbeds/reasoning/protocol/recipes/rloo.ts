/** The reasoning protocol's RLOO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'rloo',
  summary: 'leave-one-out baseline A_i = r_i − mean_{j≠i} r_j, sequence-mean, no clip (Ahmadian et al. ' + '2024)',
  trainer: RECIPES.rloo,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
