/**
 * Conservative DPO (cDPO; Mitchell 2023, the baseline of sail-into-the-headwind) in the preference protocol: DPO
 * (β = τ) on the whole label budget from π_ref with every label smoothed to 1 − ε, ε = 0.2 (the sail notebook's pick),
 * full-batch from log π_ref with the offline recipes' optimiser (offline-direct.ts: Adam, lr 0.05, 2000 steps).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { offlineData, runRecipe } from '../core';
import { comparisonsFromPairs, type Comparisons } from '../../data/comparisons';
import { trainLogits } from '../../loops/full-batch';
import { dpoLoss } from '../../methods/dpo';
import { logProbs, tabularPolicyFromLogits } from '../../policies/tabular-policy';

export const CDPO_EPS = 0.2;

export const recipe: ProtocolRecipe = {
  name: 'cdpo',
  summary: `dpoLoss (β = τ), labels smoothed to 1 − ${CDPO_EPS}, all labels from π_ref, Adam 2000 steps`,
  budget: 'labels',
  train: (w, oracle, rng) => {
    const { nX, nY } = w.game;
    const c = comparisonsFromPairs(offlineData(w, oracle, rng));
    const smoothed: Comparisons = { ...c, p: c.p.map((p) => p * (1 - CDPO_EPS) + (1 - p) * CDPO_EPS) };
    const logpRef = logProbs(w.ref);
    const theta = trainLogits({
      loss: (th) => dpoLoss(th, logpRef, smoothed, { nX, nY }, w.config.tau),
      init: logpRef,
      steps: 2000,
      optimiser: 'adam',
      lr: 0.05,
    });
    return tabularPolicyFromLogits(nX, nY, theta);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
