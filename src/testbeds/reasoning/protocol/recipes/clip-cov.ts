/** The reasoning protocol's Clip-Cov entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'clip-cov',
  summary: 'GRPO without KL; gradients of a random 2·10⁻⁴ of high-covariance tokens cut (Cui et al. 2025, ' + '§4)',
  trainer: RECIPES['clip-cov'],
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
