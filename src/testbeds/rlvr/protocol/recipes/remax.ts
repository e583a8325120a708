/**
 * ReMax (Li et al. 2024) in the RLVR protocol: the baseline of a problem's answers is the reward of the policy's
 * greedy answer to it, A_i = r_i − r(greedy) (methods/remax.ts).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { remaxAdvantages } from '../../methods/remax';
import { greedyAnswer } from '../../policies/log-linear';

export const recipe: ProtocolRecipe = {
  name: 'remax',
  summary: 'A_i = r_i − r(greedy answer) (methods/remax.ts)',
  advantages: (s) => {
    const K = s.set.nCandidates;
    const greedy = Float64Array.from(s.problems, (q) => s.set.correct[q * K + greedyAnswer(s.set, s.probs, q)]);
    return remaxAdvantages(s.rewards, greedy, s.problems.length, s.G);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
