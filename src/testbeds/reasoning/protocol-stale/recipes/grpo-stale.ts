/**
 * Stale-sample GRPO (grpo-off-policy's GRPO at staleness k): the reasoning protocol's GRPO entry
 * (../../protocol/recipes/grpo.ts, its trainer recipe unchanged: group-standardised A, per-token ratio with PPO clip
 * ε = 0.2, k3 KL β = 0.04) on completions sampled k updates ago, the ratio taken to that sampling policy. The paper's
 * notebook runs GRPO without the KL term; the protocol keeps its own GRPO so that this row differs from the on-policy
 * baseline by the staleness only.
 */
import type { StaleProtocolConfig, StaleProtocolRecipe } from '../core';
import { runStaleRecipe } from '../core';
import { recipe as grpo } from '../../protocol/recipes/grpo';

export const recipe: StaleProtocolRecipe = {
  name: 'grpo-stale',
  summary: `stale samples (k updates old): the reasoning protocol's GRPO, ratio to the sampling policy`,
  trainer: grpo.trainer,
};

export const run = (config: StaleProtocolConfig, seed: number) => runStaleRecipe(recipe, config, seed);
