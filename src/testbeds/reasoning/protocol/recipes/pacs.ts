/** The reasoning protocol's PACS entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { PACS_RECIPE } from '../../trainer/objectives/pacs';

export const recipe: ProtocolRecipe = {
  name: 'pacs',
  summary:
    'class-balanced BCE of the verifier reward on ψ = β·Σ_t log(π/π_old), leave-one-out score (Li et ' + 'al. 2025)',
  trainer: PACS_RECIPE,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
