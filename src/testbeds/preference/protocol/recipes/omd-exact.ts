/** omd-exact in the preference protocol (exact oracle reference): see exact.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { omd } from './exact';

export const recipe = omd;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
