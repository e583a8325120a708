/**
 * Offline direct alignment on the whole label budget (pairs from π_ref), full-batch from log π_ref with the rpo
 * notebook's optimiser (Adam, lr 0.05, 2000 steps), β = τ: DPO (Rafailov et al. 2023, eq. 7) and RPO (Liu et al.
 * 2024, DPO + η·β·SFT on the chosen responses, η = 1); IPO (Azar et al. 2023) by its exact minimiser.
 */
import type { Rng } from '../../../../core/rng';
import type { ProtocolRecipe } from '../core';
import { offlineData, type Oracle, type ProtocolWorld } from '../core';
import { comparisonsFromPairs } from '../../data/comparisons';
import { trainLogits, type LossAndGrad } from '../../loops/full-batch';
import { dpoLoss } from '../../methods/dpo';
import { onlineIpoUpdate } from '../../methods/ipo';
import { rpoLoss } from '../../methods/rpo';
import { logProbs, tabularPolicyFromLogits, type TabularPolicy } from '../../policies/tabular-policy';

export const STEPS = 2000,
  LR = 0.05,
  RPO_ETA = 1;

type Loss = 'dpo' | 'rpo';

function trainOffline(loss: Loss, w: ProtocolWorld, oracle: Oracle, rng: Rng): TabularPolicy {
  const { nX, nY } = w.game;
  const shape = { nX, nY };
  const c = comparisonsFromPairs(offlineData(w, oracle, rng));
  const logpRef = logProbs(w.ref);
  const f = (th: Float64Array): LossAndGrad =>
    loss === 'dpo'
      ? dpoLoss(th, logpRef, c, shape, w.config.tau)
      : rpoLoss(th, logpRef, c, shape, w.config.tau, RPO_ETA);
  const theta = trainLogits({ loss: f, init: logpRef, steps: STEPS, optimiser: 'adam', lr: LR });
  return tabularPolicyFromLogits(nX, nY, theta);
}

export const dpo: ProtocolRecipe = {
  name: 'dpo',
  summary: `methods/dpo.ts dpoLoss (β = τ) on all labels from π_ref, Adam ${STEPS} steps`,
  budget: 'labels',
  train: (w, oracle, rng) => trainOffline('dpo', w, oracle, rng),
};

export const rpo: ProtocolRecipe = {
  name: 'rpo',
  summary: `methods/rpo.ts rpoLoss (β = τ, η = ${RPO_ETA}) on all labels from π_ref, Adam ${STEPS} steps`,
  budget: 'labels',
  train: (w, oracle, rng) => trainOffline('rpo', w, oracle, rng),
};

export const ipo: ProtocolRecipe = {
  name: 'ipo',
  summary: 'methods/ipo.ts: the exact IPO minimiser (τ) on all labels from π_ref',
  budget: 'labels',
  train: (w, oracle, rng) => onlineIpoUpdate(w.ref, comparisonsFromPairs(offlineData(w, oracle, rng)), w.config.tau),
};
