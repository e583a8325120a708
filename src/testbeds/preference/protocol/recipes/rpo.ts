/** RPO in the preference protocol (offline, on the whole label budget): see offline-direct.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { rpo } from './offline-direct';

export const recipe = rpo;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
