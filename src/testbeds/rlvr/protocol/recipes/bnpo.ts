/**
 * BNPO (Xiao et al. 2025, eq. 6) in the RLVR protocol: advantages normalised by the Beta density whose (α, β) are
 * fitted to the batch's group success rates (the adaptive variant).
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { advantageRecipe } from '../advantage-recipe';

export const recipe = advantageRecipe(
  'bnpo',
  'A_i = (r_i − p̂)/f_N(p̂; α, β), (α, β) fitted to the batch (methods/bnpo.ts, adaptive)',
  { kind: 'bnpo', bnpo: 'adaptive' },
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
