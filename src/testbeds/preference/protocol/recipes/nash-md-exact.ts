/** nash-md-exact in the preference protocol (exact oracle reference): see exact.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { nashMd } from './exact';

export const recipe = nashMd;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
