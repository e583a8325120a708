/**
 * Thompson sampling in the bandit protocol, the actions as independent arms: Beta–Bernoulli (Agrawal & Goyal 2012,
 * Algorithm 1) on Bernoulli tasks; elsewhere the Gaussian sampler N(μ̂_i, σ²/(k_i + 1)) of Agrawal & Goyal 2013
 * (Algorithm 2) with σ the task's reward-noise scale (known, as the bounds handed to OFUL and DynLin-UCB).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { betaBernoulliTs, gaussianTs } from '../../methods/thompson-sampling';

export const recipe: ProtocolRecipe = {
  name: 'thompson-sampling',
  summary: 'methods/thompson-sampling.ts betaBernoulliTs (Bernoulli tasks) / gaussianTs (σ = the task noise scale)',
  learner: (w) => (w.bernoulli ? betaBernoulliTs(w.K) : gaussianTs(w.K, w.noiseStd)),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
