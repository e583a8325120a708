/** The reasoning protocol's Lite PPO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'lite-ppo',
  summary: 'A = (r − mean_group)/std_batch, token-mean, clip 0.2, no KL (Liu et al. 2025, Tricks or Traps ' + '§5)',
  trainer: RECIPES['lite-ppo'],
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
