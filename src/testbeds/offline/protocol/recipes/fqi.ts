/** Fitted Q iteration in the offline protocol: the greedy policy of the data's Bellman optimality fixed point. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { fittedQIteration } from '../../methods/fqi';

export const recipe: ProtocolRecipe = {
  name: 'fqi',
  summary: 'methods/fqi.ts fittedQIteration: in-sample greedy policy of the empirical Bellman fixed point',
  learn: (data) => fittedQIteration(data),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
