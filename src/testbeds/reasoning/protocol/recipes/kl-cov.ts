/** The reasoning protocol's KL-Cov entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: ProtocolRecipe = {
  name: 'kl-cov',
  summary:
    'unclipped GRPO surrogate + |log π − log μ| penalty on the top 2·10⁻³ covariance tokens (Cui et ' + 'al. 2025, §4)',
  trainer: RECIPES['kl-cov'],
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
