/**
 * CRM's peer review without its curriculum (Co-teaching, Han et al. 2018, the ablation the two-minds paper module
 * runs as `coteach`) in the reward-model protocol: two BT MLPs on the bt-mlp batches, each stepping on the pairs its
 * peer kept (keep rate 1 − η̂, η̂ from the training labels as for `crm`, recipes/crm-train.ts); RM A is served.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { learnCrm } from './crm-train';

export const recipe: ProtocolRecipe = {
  name: 'crm-coteach',
  summary:
    'CRM without the curriculum: two BtMlpRewards peer-review the bt-mlp batches (keep 1 − η̂ after a one-epoch ' +
    'ramp, η̂ as for crm); RM A',
  learn: (data, config, rng) => learnCrm(data, config, rng, 'coteach'),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
