/** The reasoning protocol's GSPO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'gspo',
  summary:
    'group-standardised A, length-normalised sequence ratio clipped to (1 − 3·10⁻⁴, 1 + 4·10⁻⁴), no ' +
    'KL (Zheng et al. 2025)',
  trainer: RECIPES.gspo,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
