/**
 * Exact-oracle reference (the population preference P(y ≻ π) in every update; no label budget, not ranked with the
 * label-budget methods): OMD, the population limit of INPO (Zhang et al. 2024), η = 2 and τ, for the protocol's
 * number of rounds.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../../core';
import { runRecipe } from '../../core';
import { omdStep } from '../../../methods/omd';
import { clonePolicy } from '../../../policies/tabular-policy';

export const OMD_ETA = 2;

export const recipe: ProtocolRecipe = {
  name: 'omd-exact',
  summary: `methods/omd.ts omdStep(η = ${OMD_ETA}, τ) on the population preference`,
  budget: 'exact',
  train: (w) => {
    let pi = clonePolicy(w.ref);
    for (let t = 0; t < w.config.iterations; t++) pi = omdStep(w.game, pi, w.ref, OMD_ETA, w.config.tau);
    return pi;
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
