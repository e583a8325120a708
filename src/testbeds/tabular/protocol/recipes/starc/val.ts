/**
 * STARC (Skalse et al. 2024, Def. 3) with VAL canonicalisation (Prop. 2), L2 normalisation and L2 metric: the paper's
 * main instance.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../../core';
import { runRecipe } from '../../core';
import { starcDistance } from '../../../methods/reward-metrics';

export const recipe: ProtocolRecipe = {
  name: 'starc-val',
  summary: 'methods/reward-metrics.ts starcDistance (VAL canonicalisation, L2 norm, L2 metric)',
  distance: (env, R1, R2) => starcDistance(env, R1, R2),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
