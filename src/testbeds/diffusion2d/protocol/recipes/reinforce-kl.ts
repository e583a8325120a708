/**
 * REINFORCE (the plain baseline of Gupta et al. 2025) in the diffusion2d protocol: one chain per sample, the path
 * KL to the pre-trained chain (the task's β) folded into the return, no baseline (A = R), one on-policy gradient
 * step per round (methods/loop.ts policyGradientRound).
 * Settings (K, epochs, minibatches, ε) are those of the kit's LOOP notebook (a-simple-and-effective-reinforcement),
 * not tuned here; the budget is the protocol's: `updates` rounds of `batch` chains (reward queries).
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { policyGradientRecipe } from '../policy-gradient-recipe';

export const recipe = policyGradientRecipe(
  'reinforce-kl',
  'K = 1, A = r − β·log(p_θ/p_ref) (no baseline), one on-policy step',
  {
    K: 1,
    advantage: 'none',
    epochs: 1,
    minibatches: 1,
    clip: null,
  },
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
