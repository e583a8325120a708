/**
 * The reasoning protocol's OREAL entry (Lyu et al. 2025; papers/exploring-the-limit-of-outcome): the paper's update
 * (`trainOreal`, method OREAL) unchanged on the protocol's budget. Each update samples the protocol's B fresh problems
 * × G completions, keeps one correct and one wrong completion per question with both (pairs), weights the positive's
 * likelihood and the negative's by their RLOO-shaped rewards (η = 0.5) and their tokens by the token reward model (a
 * linear head on the frozen base model's hidden states, trained each update by the paper's eq. 12, the actor frozen
 * for its first 7 updates), with OREAL's own k3 KL to the base model (β = 0.01) in the loss; the protocol's `passes`
 * Adam steps per batch are OREAL's mini-batches (the batch split at random by question: each pair is used once, where
 * the other methods pass twice over every response). Token RM learning rate and warm-up are the paper notebook's
 * DEFAULTS. Problems are `trainRl`'s stream; OREAL's loop names its sampling streams `s<t>`, so its completions are
 * not the other methods' (same problems, other samples).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import {
  DEFAULTS as OREAL_DEFAULTS,
  METHODS as OREAL_METHODS,
  trainOreal,
} from '../../../../papers/exploring-the-limit-of-outcome/experiment';

const OREAL = OREAL_METHODS.OREAL;

export const recipe: ProtocolRecipe = {
  name: 'oreal',
  summary:
    'one correct + one wrong completion per mixed question; RLOO-shaped pair weights (η = 0.5), token weights from a ' +
    'token reward model trained alongside, k3 KL β = 0.01 (Lyu et al. 2025)',
  trainer: OREAL.recipe,
  train: ({ policy, base, level, config, rng }) => {
    const cv = trainOreal(
      policy,
      base,
      OREAL,
      {
        ...OREAL_DEFAULTS,
        base: config.base,
        methods: ['OREAL'],
        level,
        rollouts: config.updates,
        batchPrompts: config.batchPrompts,
        groupSize: config.groupSize,
        miniBatches: config.passes,
        lr: config.lr,
      },
      rng,
      base.config.dModel,
    );
    return { reward: cv.reward, kept: cv.trained };
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
