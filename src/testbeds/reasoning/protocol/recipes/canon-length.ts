/** The reasoning protocol's CANON (length) entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { canonRecipe } from '../../trainer/objectives/canon';

export const recipe: ProtocolRecipe = {
  name: 'canon-length',
  summary:
    'Dr. GRPO whose advantage compares each response with the group half of the other length (inter-group, ' +
    'eq. 5, μ = 1), clip-higher 0.28 (Chen et al. 2025)',
  trainer: canonRecipe('length'),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
