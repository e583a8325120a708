/** UCB1 (Auer et al. 2002, Fig. 1, c = 1) in the bandit protocol: the task's actions as independent arms. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { ucb1 } from '../../methods/ucb1';

export const recipe: ProtocolRecipe = {
  name: 'ucb1',
  summary: 'methods/ucb1.ts ucb1 (c = 1), the actions as independent arms',
  learner: (w) => ucb1(w.K),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
