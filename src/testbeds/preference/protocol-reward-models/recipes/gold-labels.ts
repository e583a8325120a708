/** Reference (not ranked): the BT MLP on the same pairs relabelled by the gold utility (no noise, no diversity). */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { trainMlpReward } from './train';

export const recipe: ProtocolRecipe = {
  name: 'gold-labels',
  summary: 'BtMlpReward on the same pairs with labels drawn from the gold utility: what the data size allows',
  budget: 'exact',
  learn: (data, config, rng) => {
    const m = trainMlpReward(data, config, rng, 'uniform', 'gold');
    return (x, n) => m.reward(x, n);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
