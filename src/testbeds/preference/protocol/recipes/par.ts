/** The ppo-par recipe (PPO with PAR shaping) of the preference protocol (a task module); see policy-gradient.ts. */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { ppoPar } from './policy-gradient';

export const recipe = ppoPar;
export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
