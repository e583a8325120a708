/** DARD (Wulfe et al. 2022): dynamics-aware canonicalisation and Pearson distance (STARC's baseline). */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { dardDistance } from '../../methods/reward-metrics';

export const recipe: ProtocolRecipe = {
  name: 'dard',
  summary: 'methods/reward-metrics.ts dardDistance',
  distance: (env, R1, R2) => dardDistance(env, R1, R2),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
