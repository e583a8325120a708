/**
 * REC-OneSide-IS (Yao et al. 2025): regularise by clipping, with importance sampling — REC-OneSide-NoIS's recipe
 * (RECIPES['rec-oneside-nois'], the authors' Trinity-RFT rec_gsm8k coefficients) with the per-token ratio ρ_t to the
 * sampling policy weighting the surrogate, as papers/grpo-off-policy/transformer.ts runs it; on completions sampled
 * k updates ago (the stale protocol's staleness). It differs from stale GRPO by the group-mean advantage (no std) and
 * no KL.
 */
import type { StaleProtocolConfig, StaleProtocolRecipe } from '../core';
import { runStaleRecipe } from '../core';
import { RECIPES } from '../../trainer/recipes';

export const recipe: StaleProtocolRecipe = {
  name: 'rec-oneside-is',
  summary: 'group-mean A, per-token ratio ρ_t with PPO clip ε = 0.2, no KL (Yao et al. 2025, REC with IS)',
  trainer: { ...RECIPES['rec-oneside-nois'], name: 'REC-OneSide-IS', importance: 'token' },
};

export const run = (config: StaleProtocolConfig, seed: number) => runStaleRecipe(recipe, config, seed);
