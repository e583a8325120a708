/** The cpl learner of the tabular reward-learning protocol (a task module: one per method); see learners.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { cpl as learner } from './learners';

export const recipe = learner;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
