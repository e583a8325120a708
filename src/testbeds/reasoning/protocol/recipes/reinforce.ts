/** The reasoning protocol's REINFORCE entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'reinforce',
  summary: 'A = r, sequence-mean, no clip, no KL (Williams 1992; trainer/recipes.ts)',
  trainer: RECIPES.reinforce,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
