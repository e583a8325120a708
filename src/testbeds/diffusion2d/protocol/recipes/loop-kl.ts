/**
 * LOOP (Gupta et al. 2025, arXiv 2503.00897) in the diffusion2d protocol: each round samples the batch as groups of
 * K = 4 chains, folds the path KL to the pre-trained chain (the task's β) into the return, takes leave-one-out
 * advantages within each group and 2 epochs × 2 minibatches of PPO-clipped steps (ε = 0.2) on the round's samples
 * (methods/loop.ts policyGradientRound).
 * Settings (K, epochs, minibatches, ε) are those of the kit's LOOP notebook (a-simple-and-effective-reinforcement),
 * not tuned here; the budget is the protocol's: `updates` rounds of `batch` chains (reward queries).
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { policyGradientRecipe } from '../policy-gradient-recipe';

export const recipe = policyGradientRecipe(
  'loop-kl',
  'groups of K = 4, leave-one-out advantages of r − β·log(p_θ/p_ref), 2 × 2 clipped steps (ε 0.2)',
  {
    K: 4,
    advantage: 'leave-one-out',
    epochs: 2,
    minibatches: 2,
    clip: 0.2,
  },
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
