/**
 * Exact-oracle reference (the population preference P(y ≻ π) in every update; no label budget, not ranked with the
 * label-budget methods): Nash-MD (Munos et al. 2023), η = 2 and β = τ, for the protocol's number of rounds.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../../core';
import { runRecipe } from '../../core';
import { nashMDStep } from '../../../methods/nash-md';
import { clonePolicy } from '../../../policies/tabular-policy';

export const NASH_MD_ETA = 2;

export const recipe: ProtocolRecipe = {
  name: 'nash-md-exact',
  summary: `methods/nash-md.ts nashMDStep(η = ${NASH_MD_ETA}, β = τ) on the population preference`,
  budget: 'exact',
  train: (w) => {
    let pi = clonePolicy(w.ref);
    for (let t = 0; t < w.config.iterations; t++) pi = nashMDStep(w.game, pi, w.ref, NASH_MD_ETA, w.config.tau);
    return pi;
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
