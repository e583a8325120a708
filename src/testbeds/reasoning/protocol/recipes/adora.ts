/** The reasoning protocol's ADORA entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { adoraRecipe } from '../../trainer/objectives/adora';

export const recipe: ProtocolRecipe = {
  name: 'adora',
  summary:
    'GRPO whose advantages are scaled by λ = 0.1 for prompts whose longest correct answer is not longer than ' +
    'their wrong answers (the released length rule, Ren et al. 2026)',
  trainer: adoraRecipe(0.1),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
