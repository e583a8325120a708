/** MORE in the reward-model protocol: the same MLP with min-norm dataset weights every step. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { trainMlpReward } from './train';

export const recipe: ProtocolRecipe = {
  name: 'more',
  summary:
    'methods/multi-objective-reward.ts: BtMlpReward with MORE min-norm dataset weights (α = 1, no normalisation)',
  learn: (data, config, rng) => {
    const m = trainMlpReward(data, config, rng, 'more');
    return (x, n) => m.reward(x, n);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
