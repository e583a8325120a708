/**
 * CRM (Zhang et al. 2025, arXiv:2505.10597) in the reward-model protocol: two BT MLPs peer-review each other's
 * batches (each steps on the pairs its peer kept, keep rate 1 − η̂) with the pacing curriculum; RM A is served. η̂ is
 * estimated from the task's training labels (recipes/crm-train.ts says why and how).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { learnCrm } from './crm-train';

export const recipe: ProtocolRecipe = {
  name: 'crm',
  summary:
    'methods/collaborative-reward-modeling.ts: two BtMlpRewards peer-review the bt-mlp batches (keep 1 − η̂ after a ' +
    'one-epoch ramp) with the pacing curriculum; η̂ the flip-model MLE of the labels (methods/flip-rate.ts); RM A',
  learn: (data, config, rng) => learnCrm(data, config, rng, 'crm'),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
