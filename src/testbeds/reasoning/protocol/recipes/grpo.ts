/** The reasoning protocol's GRPO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'grpo',
  summary: 'group-standardised A, sequence-mean, clip 0.2, k3 KL β = 0.04 in the loss (Shao et al. 2024, ' + 'eq. 3–4)',
  trainer: RECIPES.grpo,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
