/**
 * GRPO (Shao et al. 2024, eq. 3) in the RLVR protocol: group-normalised advantages with the unbiased std (as verl
 * and TRL); one update per batch, so the clipped surrogate is at ratio 1 and equals this gradient.
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { advantageRecipe } from '../advantage-recipe';

export const recipe = advantageRecipe(
  'grpo',
  'A_i = (r_i − r̄)/(s + 10⁻⁶), s the unbiased group std (methods/grpo.ts)',
  { kind: 'grpo', std: 'unbiased', eps: 1e-6 },
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
