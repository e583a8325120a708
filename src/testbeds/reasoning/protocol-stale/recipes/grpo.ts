/**
 * The stale protocol's on-policy baseline: the reasoning protocol's GRPO entry (../../protocol/recipes/grpo.ts, its
 * trainer recipe unchanged) trained on fresh samples of the current policy (k = 0), at the same budget.
 */
import type { StaleProtocolConfig, StaleProtocolRecipe } from '../core';
import { runStaleRecipe } from '../core';
import { recipe as grpo } from '../../protocol/recipes/grpo';

export const recipe: StaleProtocolRecipe = {
  name: 'grpo',
  summary: `on-policy (k = 0): the reasoning protocol's GRPO, ${grpo.summary}`,
  trainer: grpo.trainer,
  onPolicy: true,
};

export const run = (config: StaleProtocolConfig, seed: number) => runStaleRecipe(recipe, config, seed);
