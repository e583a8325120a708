/** The reasoning protocol's PPO entry: a recipe of the trainer's parts with a learned critic (summary below). */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'ppo',
  summary:
    'learned critic (base weights + linear value head, lr 10×, value clip 0.5), GAE γ = λ = 1 whitened per ' +
    "token, token-mean, clip 0.2, no KL (Schulman et al. 2017; verl's PPO defaults)",
  trainer: RECIPES.ppo,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
