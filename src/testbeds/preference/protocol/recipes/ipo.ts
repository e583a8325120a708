/** IPO in the preference protocol (offline, on the whole label budget): see offline-direct.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { ipo } from './offline-direct';

export const recipe = ipo;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
