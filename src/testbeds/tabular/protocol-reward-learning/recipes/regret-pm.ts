/** The regret-pm learner of the tabular reward-learning protocol (a task module: one per method); see learners.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { regretPm } from './learners';

export const recipe = regretPm;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
