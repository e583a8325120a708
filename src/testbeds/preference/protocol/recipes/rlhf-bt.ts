/**
 * RLHF with a Bradley–Terry reward model (Ouyang et al. 2022; the classical pipeline the DPO-family papers compare
 * against), solved exactly: the BT model fitted on the whole label budget from π_ref pairs, then the KL-regularised
 * optimum π ∝ π_ref·exp(r̂/τ) (what PPO with a KL penalty τ converges to on a tabular policy).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { offlineData, runRecipe } from '../core';
import { comparisonsFromPairs } from '../../data/comparisons';
import { fitBTTabularRidge } from '../../methods/bradley-terry';
import { klRegularisedOptimum } from '../../solvers/kl-optimum';

export const RM_L2 = 0.1;

export const recipe: ProtocolRecipe = {
  name: 'rlhf-bt',
  summary: 'methods/bradley-terry.ts on all labels (pairs from π_ref) → solvers/kl-optimum.ts π_ref·exp(r̂/τ)',
  budget: 'labels',
  train: (w, oracle, rng) => {
    const rHat = fitBTTabularRidge(w.game.nX, w.game.nY, comparisonsFromPairs(offlineData(w, oracle, rng)), RM_L2);
    return klRegularisedOptimum(w.ref, rHat, w.config.tau);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
