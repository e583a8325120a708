/**
 * Iterative DPO with a Bradley–Terry reward model (Dong et al. 2024 style; the INPO and DNO papers' baseline): each
 * round the round's on-policy labels join all earlier ones, the BT model is refitted, 8 samples of π_t are ranked
 * by it, and DPO steps (β = τ, reference π_ref) are taken on best-vs-worst.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { onlineRounds, runRecipe } from '../core';
import { comparisonsFromPairs } from '../../data/comparisons';
import { concatPairs, type PreferencePairs } from '../../data/game';
import { fitBTTabularRidge } from '../../methods/bradley-terry';
import { largestMarginPairs, rewardScores, type CandidateRound } from '../../methods/dno';
import { dpoGradientSteps } from '../../methods/dpo';
import { logProbs, sampleResponse, tabularPolicyFromLogits } from '../../policies/tabular-policy';

/** The inpo notebook's values: samples ranked per prompt, DPO steps per round, step in units of 1/β², ridge. */
const SAMPLES = 8,
  GD_STEPS = 10,
  LR_SCALE = 0.5,
  RM_L2 = 0.1;

export const recipe: ProtocolRecipe = {
  name: 'iter-dpo-bt',
  summary: 'methods/bradley-terry.ts (RM on all labels so far) → methods/dno.ts largestMarginPairs → methods/dpo.ts',
  budget: 'labels',
  train: (w, oracle, rng) => {
    const { nX, nY } = w.game;
    const refLogp = logProbs(w.ref);
    const seen: PreferencePairs[] = [];
    return onlineRounds(w, oracle, rng, (pi, pairs, _t, r) => {
      seen.push(pairs);
      const rHat = fitBTTabularRidge(nX, nY, comparisonsFromPairs(concatPairs(seen)), RM_L2);
      const cand = new Int32Array(nX * SAMPLES);
      const rs = r.split('sample');
      for (let x = 0; x < nX; x++) for (let k = 0; k < SAMPLES; k++) cand[x * SAMPLES + k] = sampleResponse(pi, x, rs);
      const round: CandidateRound = { cand, m: SAMPLES, winRate: new Float64Array(nX * SAMPLES) };
      const best = largestMarginPairs(round, rewardScores(round, rHat, nX, nY), nX, 0, r.split('select'));
      const theta = logProbs(pi);
      dpoGradientSteps(theta, refLogp, nY, best, { beta: w.config.tau, steps: GD_STEPS, lrScale: LR_SCALE });
      return tabularPolicyFromLogits(nX, nY, theta);
    });
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
