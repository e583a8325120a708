/** The reasoning protocol's Dr. GRPO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'dr-grpo',
  summary: 'A = r − mean_group (no std), constant normaliser, clip 0.2, no KL (Liu et al. 2025, eq. 3)',
  trainer: RECIPES['dr-grpo'],
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
