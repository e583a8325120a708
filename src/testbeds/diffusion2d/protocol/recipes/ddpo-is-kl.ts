/**
 * DDPO_IS with a KL anchor (Black et al. 2023, eq. 4 with PPO's clip; the PPO baseline of Gupta et al. 2025) in the
 * diffusion2d protocol: one chain per sample, the path KL to the pre-trained chain (the task's β) folded into the
 * return, batch-normalised advantages, 2 epochs × 2 minibatches of PPO-clipped steps (ε = 0.2) per round
 * (methods/loop.ts policyGradientRound).
 * Settings (K, epochs, minibatches, ε) are those of the kit's LOOP notebook (a-simple-and-effective-reinforcement),
 * not tuned here; the budget is the protocol's: `updates` rounds of `batch` chains (reward queries).
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { policyGradientRecipe } from '../policy-gradient-recipe';

export const recipe = policyGradientRecipe(
  'ddpo-is-kl',
  'K = 1, batch-normalised advantages of r − β·log(p_θ/p_ref), 2 × 2 clipped steps (ε 0.2)',
  {
    K: 1,
    advantage: 'batch-normalised',
    epochs: 2,
    minibatches: 2,
    clip: 0.2,
  },
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
