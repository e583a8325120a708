/** Online IPO (Calandriello et al. 2024; INPO's and Nash-MD's baseline): the IPO minimiser on each round's labels. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { onlineRounds, runRecipe } from '../core';
import { comparisonsFromPairs } from '../../data/comparisons';
import { onlineIpoUpdate } from '../../methods/ipo';

export const recipe: ProtocolRecipe = {
  name: 'online-ipo',
  summary: 'methods/ipo.ts: onlineIpoUpdate(π_ref, on-policy labels of the round, τ) each round',
  budget: 'labels',
  train: (w, oracle, rng) =>
    onlineRounds(w, oracle, rng, (_pi, pairs) => onlineIpoUpdate(w.ref, comparisonsFromPairs(pairs), w.config.tau)),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
