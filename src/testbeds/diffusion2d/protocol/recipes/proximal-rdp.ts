/**
 * PRDP, Proximal Reward Difference Prediction (Deng et al., CVPR 2024, arXiv 2402.08714; eqs. 14, 17–21,
 * Algorithm 1), in the diffusion2d protocol, as its single-prompt special case: each update samples the batch as
 * draws of B = 4 trajectories of the one prompt of the unconditional model, queries the reward once per trajectory,
 * and takes 2 epochs × 2 minibatches of Adam steps on the mean over pairs (i < j within a draw) of the proximal loss
 * max((Δr̂_θ − Δr/β)², (Δr̂^clip_θ − Δr/β)²), r̂_θ the path log-ratio to the pre-trained chain and r̂^clip its
 * stepwise clip to ±ε around π_θold's (methods/reward-difference-prediction.ts prdpRound; β the task's β).
 * With one prompt, PRDP's pairs are pairs of samples of the one prompt (protocol/reward-difference-recipe.ts).
 * Deviations from the paper's definition (all but the first are the prdp notebook's): (1) one prompt, so nothing
 * per prompt is learnt and generalisation across prompts is not tested; (2) r̂ sums the stepwise log-ratios (eq. 21)
 * where the paper's JAX listing averages them over t (β rescaled by T); (3) β is the task's β and ε = 0.2 (the
 * paper's image-scale β and ε are not transferable); (4) 2 × 2 minibatch steps of whole draws per round where
 * Algorithm 1 takes K full-batch steps; (5) Adam with global-norm clip 1, the protocol's lr, not AdamW.
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { rewardDifferenceRecipe } from '../reward-difference-recipe';

export const recipe = rewardDifferenceRecipe(
  'prdp',
  'one prompt: draws of B = 4 of its samples, all pairs in a draw, proximal loss (eq. 18, stepwise clip ε 0.2), ' +
    '2 × 2 steps',
  0.2,
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
