/**
 * Reference (not ranked): the BT MLP on the same pairs relabelled by the target utility (no noise, no diversity). On
 * the plural task, one MLP per user on that user's pairs relabelled by that user's utility (the same steps per user).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { trainMlpReward } from './train';

export const recipe: ProtocolRecipe = {
  name: 'gold-labels',
  summary:
    'BtMlpReward on the same pairs with labels drawn from the target utility (one per user on the plural task): ' +
    'what the data size allows',
  budget: 'exact',
  learn: (data, config, rng) => {
    if (data.userGold) {
      const models = data.userGold.map((gold, k) =>
        trainMlpReward(
          { d: data.d, K: 1, datasets: [data.datasets[k]], gold },
          config,
          rng.split(`user-${k}`),
          'uniform',
          'gold',
        ),
      );
      return (x, n, user) => {
        if (user !== undefined) return models[user].reward(x, n);
        const out = new Float64Array(n);
        for (const m of models) {
          const r = m.reward(x, n);
          for (let i = 0; i < n; i++) out[i] += r[i] / models.length;
        }
        return out;
      };
    }
    const m = trainMlpReward(data, config, rng, 'uniform', 'gold');
    return (x, n) => m.reward(x, n);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
