/** Plain L2 distance of the normalised rewards, no canonicalisation (the 'None' row of STARC's Figure 1). */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { l2Distance } from '../../methods/reward-metrics';

export const recipe: ProtocolRecipe = {
  name: 'l2',
  summary: 'methods/reward-metrics.ts l2Distance (normalised)',
  distance: (env, R1, R2) => l2Distance(R1, R2),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
