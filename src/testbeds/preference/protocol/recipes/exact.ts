/**
 * Exact-oracle references (the population preference P(y ≻ π) in every update; no label budget, not ranked with the
 * label-budget methods): OMD / the population limit of INPO (Zhang et al. 2024, η = 2, τ), Nash-MD (Munos et al.
 * 2023, η = 2, β = τ) and DNO's Algorithm 1 (Rosset et al. 2024, π_{t+1} ∝ π_t·exp(P(y ≻ π_t)/η), η = 1), each for
 * the protocol's number of rounds.
 */
import type { Recipe } from '../core';
import { dnoExactStep } from '../../methods/dno';
import { nashMDStep } from '../../methods/nash-md';
import { omdStep } from '../../methods/omd';
import { clonePolicy } from '../../policies/tabular-policy';

export const OMD_ETA = 2,
  NASH_MD_ETA = 2,
  DNO_ETA = 1;

export const omd: Recipe = {
  name: 'omd-exact',
  summary: `methods/omd.ts omdStep(η = ${OMD_ETA}, τ) on the population preference`,
  budget: 'exact',
  train: (w) => {
    let pi = clonePolicy(w.ref);
    for (let t = 0; t < w.config.iterations; t++) pi = omdStep(w.game, pi, w.ref, OMD_ETA, w.config.tau);
    return pi;
  },
};

export const nashMd: Recipe = {
  name: 'nash-md-exact',
  summary: `methods/nash-md.ts nashMDStep(η = ${NASH_MD_ETA}, β = τ) on the population preference`,
  budget: 'exact',
  train: (w) => {
    let pi = clonePolicy(w.ref);
    for (let t = 0; t < w.config.iterations; t++) pi = nashMDStep(w.game, pi, w.ref, NASH_MD_ETA, w.config.tau);
    return pi;
  },
};

export const dnoExact: Recipe = {
  name: 'dno-exact',
  summary: `methods/dno.ts dnoExactStep(η = ${DNO_ETA}) on the population preference`,
  budget: 'exact',
  train: (w) => {
    let pi = clonePolicy(w.ref);
    for (let t = 0; t < w.config.iterations; t++) pi = dnoExactStep(w.game, pi, DNO_ETA);
    return pi;
  },
};
