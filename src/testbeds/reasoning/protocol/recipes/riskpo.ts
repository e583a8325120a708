/** The reasoning protocol's RiskPO entry: a recipe of the trainer's parts (summary below), and its task. */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { RISKPO_RECIPE, riskpoSpec } from '../../trainer/objectives/riskpo';

/**
 * RiskPO as its notebook runs it (the authors' hard-data script: α 0.2, β 0.8, ω 1.5, credit 'sum-mean', no KL, no
 * filters), with one change the protocol forces: bundles of K = 4 questions, not 5, because the protocol samples 8
 * prompts per update and a bundle must be whole (two bundles per update). Quantiles are each bundle's own (no
 * tracker across updates: the protocol's loop is the shared one).
 */
export const recipe: ProtocolRecipe = {
  name: 'riskpo',
  summary:
    'bundle MVaR advantage: mixed CVaR/RVaR of the bundle score over K = 4 questions (paper: K = 5), per-bundle ' +
    'quantiles (Ren, Jiang et al. 2025)',
  trainer: { ...RISKPO_RECIPE, objective: riskpoSpec({ bundleSize: 4 }) },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
