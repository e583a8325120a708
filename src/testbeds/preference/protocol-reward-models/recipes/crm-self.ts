/**
 * Self Review, CRM's one-model ablation (the two-minds paper module's `self`), in the reward-model protocol: one BT
 * MLP on the bt-mlp batches steps on its own lowest-loss pairs (keep rate 1 − η̂, η̂ from the training labels as for
 * `crm`, recipes/crm-train.ts).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { learnCrm } from './crm-train';

export const recipe: ProtocolRecipe = {
  name: 'crm-self',
  summary:
    'Self Review: one BtMlpReward steps on its own lowest-loss pairs of the bt-mlp batches (keep 1 − η̂ after a ' +
    'one-epoch ramp, η̂ as for crm)',
  learn: (data, config, rng) => learnCrm(data, config, rng, 'self'),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
