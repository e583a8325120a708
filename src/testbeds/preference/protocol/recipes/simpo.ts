/**
 * SimPO (Meng, Xia & Chen 2024, eq. 6; a baseline of sail-into-the-headwind) in the preference protocol: the
 * reference-free, margin-shifted Bradley–Terry loss on the policy's own log-likelihood (every response has length 1),
 * β = 0.3 and γ = β/2 (the sail notebook's pick), on the whole label budget from π_ref, full-batch from log π_ref
 * with the offline recipes' optimiser (offline-direct.ts: Adam, lr 0.05, 2000 steps). Its objective has no KL anchor
 * to π_ref, so its distance to the τ-regularised target measures what dropping the reference costs.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { offlineData, runRecipe } from '../core';
import { comparisonsFromPairs } from '../../data/comparisons';
import { trainLogits } from '../../loops/full-batch';
import { simpoLoss } from '../../methods/simpo';
import { logProbs, tabularPolicyFromLogits } from '../../policies/tabular-policy';

export const SIMPO_BETA = 0.3;

export const recipe: ProtocolRecipe = {
  name: 'simpo',
  summary: `simpoLoss (β = ${SIMPO_BETA}, γ = β/2, no reference model), all labels from π_ref, Adam 2000 steps`,
  budget: 'labels',
  train: (w, oracle, rng) => {
    const { nX, nY } = w.game;
    const c = comparisonsFromPairs(offlineData(w, oracle, rng));
    const theta = trainLogits({
      loss: (th) => simpoLoss(th, c, { nX, nY }, { beta: SIMPO_BETA, margin: SIMPO_BETA / 2 }),
      init: logProbs(w.ref),
      steps: 2000,
      optimiser: 'adam',
      lr: 0.05,
    });
    return tabularPolicyFromLogits(nX, nY, theta);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
