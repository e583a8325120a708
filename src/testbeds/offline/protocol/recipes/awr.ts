/** Advantage-weighted regression in the offline protocol (β = 1, one iteration on the fixed data). */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { awr } from '../../methods/awr';

export const recipe: ProtocolRecipe = {
  name: 'awr',
  summary: 'methods/awr.ts awr (β = 1): Monte Carlo returns, advantage-weighted behaviour cloning',
  learn: (data) => awr(data, { beta: 1 }),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
