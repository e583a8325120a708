/** INPO (Zhang et al. 2024) in the preference protocol: the exact minimiser of the INPO loss on each round's labels. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { onlineRounds, runRecipe } from '../core';
import { comparisonsFromPairs } from '../../data/comparisons';
import { inpoUpdate } from '../../methods/inpo';

/** INPO's step η (the inpo notebook's value); its τ is the protocol's. */
export const ETA = 2;

export const recipe: ProtocolRecipe = {
  name: 'inpo',
  summary: `methods/inpo.ts: inpoUpdate(π_t, π_ref, on-policy labels, η = ${ETA}, τ) each round`,
  budget: 'labels',
  train: (w, oracle, rng) =>
    onlineRounds(w, oracle, rng, (pi, pairs) => inpoUpdate(pi, w.ref, comparisonsFromPairs(pairs), ETA, w.config.tau)),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
