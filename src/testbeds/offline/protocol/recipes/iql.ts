/** Implicit Q-learning in the offline protocol, with the paper's AntMaze settings (τ = 0.9, β = 10). */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { iql } from '../../methods/iql';

export const recipe: ProtocolRecipe = {
  name: 'iql',
  summary: 'methods/iql.ts iql (τ = 0.9, β = 10): expectile V, SARSA-style Q, advantage-weighted extraction',
  learn: (data) => iql(data, { tau: 0.9, beta: 10 }),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
