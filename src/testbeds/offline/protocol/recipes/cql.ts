/** Conservative Q-learning, CQL(H), in the offline protocol (α = 1). */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { cql } from '../../methods/cql';

export const recipe: ProtocolRecipe = {
  name: 'cql',
  summary: 'methods/cql.ts cql (α = 1): Bellman error plus the log-sum-exp conservative penalty, greedy policy',
  learn: (data) => cql(data, { alpha: 1 }),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
