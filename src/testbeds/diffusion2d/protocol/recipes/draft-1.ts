/**
 * DRaFT-1 (Clark et al. 2024, Algorithm 1 with K = 1; ReFL-like) in the diffusion2d protocol: the reward's gradient
 * backpropagated through the last denoising step of each sampled chain (methods/reward-backprop.ts draftStep), no
 * KL anchor, as in the paper.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { draftStep } from '../../methods/reward-backprop';

export const recipe: ProtocolRecipe = {
  name: 'draft-1',
  summary: 'methods/reward-backprop.ts draftStep, K = 1: ∇r through the last denoising step, no KL anchor',
  fineTune: (c) => {
    for (let u = 0; u < c.updates; u++) draftStep(c.policy, c.sched, c.reward, c.batch, 1, c.rng.split(u), c.opt);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
