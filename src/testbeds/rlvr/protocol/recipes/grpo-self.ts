/**
 * GRPO with the SELF data curation of the reasoning-boundary paper (Nguyen et al. 2025, official code): before each
 * update the problems whose greedy answer is already correct are dropped; the loss keeps the nominal B·G normaliser.
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { advantageRecipe } from '../advantage-recipe';

export const recipe = advantageRecipe(
  'grpo-self',
  'GRPO after dropping the problems whose greedy answer is correct (loss still over B·G)',
  { kind: 'grpo', std: 'unbiased', eps: 1e-6 },
  true,
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
