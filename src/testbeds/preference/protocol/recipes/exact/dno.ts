/**
 * Exact-oracle reference (the population preference P(y ≻ π) in every update; no label budget, not ranked with the
 * label-budget methods): DNO's Algorithm 1 (Rosset et al. 2024), π_{t+1} ∝ π_t·exp(P(y ≻ π_t)/η) with η = 1, for the
 * protocol's number of rounds.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../../core';
import { runRecipe } from '../../core';
import { dnoExactStep } from '../../../methods/dno';
import { clonePolicy } from '../../../policies/tabular-policy';

export const DNO_ETA = 1;

export const recipe: ProtocolRecipe = {
  name: 'dno-exact',
  summary: `methods/dno.ts dnoExactStep(η = ${DNO_ETA}) on the population preference`,
  budget: 'exact',
  train: (w) => {
    let pi = clonePolicy(w.ref);
    for (let t = 0; t < w.config.iterations; t++) pi = dnoExactStep(w.game, pi, DNO_ETA);
    return pi;
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
