/** The reasoning protocol's RFT entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'rft',
  summary: 'likelihood of the correct samples only (rejection-sampling fine-tuning, Yuan et al. 2023), ' + 'token-mean',
  trainer: RECIPES.rft,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
