/**
 * RDP, Reward Difference Prediction without proximal updates (Deng et al., CVPR 2024, arXiv 2402.08714, eq. 14; the
 * paper's Table 5 ablation), in the diffusion2d protocol, as its single-prompt special case: PRDP's recipe
 * (recipes/proximal-rdp.ts) with the plain regression loss (Δr̂_θ − Δr/β)² and no clip (methods/reward-difference-
 * prediction.ts prdpRound with eps = null). With one prompt, RDP's pairs are pairs of samples of the one prompt,
 * within each draw of B = 4 (protocol/reward-difference-recipe.ts). Deviations from the paper's definition: those of
 * recipes/proximal-rdp.ts except the clip (none here).
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { rewardDifferenceRecipe } from '../reward-difference-recipe';

export const recipe = rewardDifferenceRecipe(
  'rdp',
  'one prompt: draws of B = 4 of its samples, all pairs in a draw, plain RDP loss (eq. 14, no clip), 2 × 2 steps',
  null,
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
