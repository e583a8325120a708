/** EPIC (Gleave et al. 2021): Pearson distance of the EPIC-canonicalised rewards (STARC's baseline). */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { epicDistance } from '../../methods/reward-metrics';

export const recipe: ProtocolRecipe = {
  name: 'epic',
  summary: 'methods/reward-metrics.ts epicDistance',
  distance: (env, R1, R2) => epicDistance(env, R1, R2),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
