/**
 * RLOO (Ahmadian et al. 2024) in the RLVR protocol: the leave-one-out baseline within each group of G answers.
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { advantageRecipe } from '../advantage-recipe';

export const recipe = advantageRecipe(
  'rloo',
  'A_i = r_i − mean of the other G − 1 rewards of its group (methods/rloo.ts)',
  { kind: 'rloo' },
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
