/** The sft learner of the tabular reward-learning protocol (a task module); see rlhf-and-cloning.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { sftPreferred } from './rlhf-and-cloning';

export const recipe = sftPreferred;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
