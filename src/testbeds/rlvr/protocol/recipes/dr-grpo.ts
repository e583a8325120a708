/**
 * Dr. GRPO (Liu et al. 2025, eq. 3) in the RLVR protocol: GRPO without the std division; its other change (no 1/|o|
 * length normalisation) is void for one-token answers, where it equals REINFORCE with the group-mean baseline.
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { advantageRecipe } from '../advantage-recipe';

export const recipe = advantageRecipe(
  'dr-grpo',
  'A_i = r_i − r̄ (no std, no length normalisation; methods/reinforce.ts)',
  { kind: 'dr-grpo' },
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
