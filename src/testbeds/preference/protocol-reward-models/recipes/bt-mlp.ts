/** The Bradley–Terry MLP reward model of standard RLHF in the reward-model protocol: all datasets pooled. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { trainMlpReward } from './train';

export const recipe: ProtocolRecipe = {
  name: 'bt-mlp',
  summary: 'methods/bradley-terry-mlp.ts BtMlpReward, datasets weighted 1/K (the pooled BT maximum likelihood)',
  learn: (data, config, rng) => {
    const m = trainMlpReward(data, config, rng, 'uniform');
    return (x, n) => m.reward(x, n);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
