/**
 * Exp3 (Auer et al. 2002, Fig. 1; the DLB official code's form) in the bandit protocol: γ = exp3Gamma(K, T), η = γ/K,
 * rewards mapped from the task's reward range [lo, hi] to [0, 1].
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { exp3, exp3Gamma } from '../../methods/exp3';

export const recipe: ProtocolRecipe = {
  name: 'exp3',
  summary: 'methods/exp3.ts exp3 with γ = exp3Gamma(K, T), η = γ/K, rewards rescaled from the task range',
  learner: (w, T) => {
    const gamma = exp3Gamma(w.K, T);
    const [lo, hi] = w.rewardRange;
    return exp3(w.K, { gamma, eta: gamma / w.K, shift: -lo, scale: hi - lo });
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
