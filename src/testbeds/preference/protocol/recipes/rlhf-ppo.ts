/** The rlhf-ppo recipe of the preference protocol (a task module: one per method); see policy-gradient.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { rlhfPpo } from './policy-gradient';

export const recipe = rlhfPpo;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
