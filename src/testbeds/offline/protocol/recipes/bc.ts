/** Behaviour cloning in the offline protocol: the data's maximum-likelihood policy. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { behaviourCloning } from '../../methods/bc';

export const recipe: ProtocolRecipe = {
  name: 'bc',
  summary: 'methods/bc.ts behaviourCloning: π(a|s) = n(s, a) / n(s)',
  learn: (data) => behaviourCloning(data),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
