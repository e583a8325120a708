/** The pr-bt learner of the tabular reward-learning protocol (a task module: one per method); see learners.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { partialReturnBt } from './learners';

export const recipe = partialReturnBt;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
