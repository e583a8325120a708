/**
 * RLOO (Kool et al. 2019; the on-policy baseline of Gupta et al. 2025) in the diffusion2d protocol: groups of K = 4
 * chains, the path KL to the pre-trained chain (the task's β) folded into the return, leave-one-out advantages, one
 * on-policy gradient step per round (methods/loop.ts policyGradientRound, no clip).
 * Settings (K, epochs, minibatches, ε) are those of the kit's LOOP notebook (a-simple-and-effective-reinforcement),
 * not tuned here; the budget is the protocol's: `updates` rounds of `batch` chains (reward queries).
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { policyGradientRecipe } from '../policy-gradient-recipe';

export const recipe = policyGradientRecipe(
  'rloo-kl',
  'groups of K = 4, leave-one-out advantages of r − β·log(p_θ/p_ref), one on-policy step',
  {
    K: 4,
    advantage: 'leave-one-out',
    epochs: 1,
    minibatches: 1,
    clip: null,
  },
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
