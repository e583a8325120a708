/** The p3o-v2 recipe of the preference protocol (a task module: one per method); see policy-gradient.ts. */
import type { ProtocolConfig } from '../../core';
import { runRecipe } from '../../core';
import { p3oJoint } from '../policy-gradient';

export const recipe = p3oJoint;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
