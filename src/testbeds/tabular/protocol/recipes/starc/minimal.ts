/** STARC with the minimal-L2 canonicalisation (Skalse et al. 2024, §2), L2 normalisation and L2 metric. */
import type { ProtocolConfig, ProtocolRecipe } from '../../core';
import { runRecipe } from '../../core';
import { starcDistance } from '../../../methods/reward-metrics';

export const recipe: ProtocolRecipe = {
  name: 'starc-minimal',
  summary: 'methods/reward-metrics.ts starcDistance (minimal-L2 canonicalisation)',
  distance: (env, R1, R2) => starcDistance(env, R1, R2, { canonicalisation: 'minimal' }),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
