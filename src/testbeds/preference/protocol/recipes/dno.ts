/**
 * DNO-Prct without a teacher (Rosset et al. 2024, Algorithm 2; the dno notebook's `dno-restrictive`): each round
 * K = 8 samples of π_t per prompt, every pair labelled once (28 labels), best vs worst by empirical win rate
 * (margin ≥ 0.5), DPO with reference π_t and β = η = 1 (the dno notebook's values). DNO targets the unregularised
 * Nash equilibrium: its distance from π_ref is not controlled by τ.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import type { PreferencePairs } from '../../data/game';
import { largestMarginPairs, type CandidateRound } from '../../methods/dno';
import { dpoGradientSteps } from '../../methods/dpo';
import { clonePolicy, logProbs, sampleResponse, tabularPolicyFromLogits } from '../../policies/tabular-policy';

const SAMPLES = 8,
  MARGIN = 0.5,
  ETA = 1,
  GD_STEPS = 10,
  LR_SCALE = 0.5;

export const recipe: ProtocolRecipe = {
  name: 'dno',
  summary: 'methods/dno.ts: 8 on-policy candidates, all 28 pairs labelled, largestMarginPairs, DPO from π_t (β = 1)',
  budget: 'labels',
  train: (w, oracle, rng) => {
    const { nX, nY } = w.game;
    const m = SAMPLES;
    let pi = clonePolicy(w.ref);
    for (let t = 0; t < w.config.iterations; t++) {
      const r = rng.split(t);
      const cand = new Int32Array(nX * m),
        wins = new Float64Array(nX * m);
      const rs = r.split('sample');
      for (let x = 0; x < nX; x++) {
        for (let k = 0; k < m; k++) cand[x * m + k] = sampleResponse(pi, x, rs);
        for (let a = 0; a < m; a++)
          for (let b = a + 1; b < m; b++)
            if (oracle.label(x, cand[x * m + a], cand[x * m + b], rs)) wins[x * m + a]++;
            else wins[x * m + b]++;
      }
      for (let i = 0; i < wins.length; i++) wins[i] /= m - 1;
      const round: CandidateRound = { cand, m, winRate: wins };
      const pairs: PreferencePairs = largestMarginPairs(round, wins, nX, MARGIN, r.split('select'));
      const theta = logProbs(pi);
      const refT = Float64Array.from(theta);
      dpoGradientSteps(theta, refT, nY, pairs, { beta: ETA, steps: GD_STEPS, lrScale: LR_SCALE });
      pi = tabularPolicyFromLogits(nX, nY, theta);
    }
    return pi;
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
