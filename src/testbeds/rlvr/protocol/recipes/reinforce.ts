/**
 * REINFORCE (Williams 1992) in the RLVR protocol: the advantage of a sampled answer is its 0/1 reward, A_i = r_i.
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { advantageRecipe } from '../advantage-recipe';

export const recipe = advantageRecipe('reinforce', 'A_i = r_i (no baseline; methods/reinforce.ts)', {
  kind: 'reinforce',
});

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
