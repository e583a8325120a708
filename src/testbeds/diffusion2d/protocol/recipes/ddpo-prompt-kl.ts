/**
 * DDPO with per-prompt reward normalisation (Black et al. 2023's per-prompt stat tracking; the small-scale baseline
 * of Deng et al., CVPR 2024, arXiv 2402.08714, as the prdp notebook runs it: path KL to the pre-trained chain folded
 * into the return, PPO clip ε = 0.2, 2 epochs × 2 minibatches per round) in the diffusion2d protocol, as its
 * single-prompt special case. The protocol's model is unconditional (one prompt), so the per-prompt statistics are
 * the batch's: A = (R − mean R)/(sd R + 10⁻⁸) over the update's `batch` samples of the one prompt.
 * That is DDPO_IS's batch normalisation, so this recipe is methods/loop.ts policyGradientRound with K = 1 and
 * `batch-normalised` advantages, the same algorithm as recipes/ddpo-is-kl.ts, run on its own random stream; the
 * leaderboard shows the two side by side, and their difference is seed noise only.
 * Why not methods/ddpo-per-prompt.ts (the prdp notebook's round): its minibatches keep each prompt's group whole, and
 * with one prompt the group is the batch, so its 2 minibatches cannot be formed; with one minibatch its round equals
 * policyGradientRound's (tested), and its advantage on the one group equals the batch normalisation (tested).
 * Deviations from the paper's definition: (1) one prompt, so per-prompt and prompt-agnostic normalisation coincide
 * and the prdp paper's contrast between them cannot show here; (2) the statistics are the round's own samples, not
 * DDPO's running per-prompt buffer; (3) the path-KL term with the task's β (the paper's DDPO has none; the prdp
 * notebook adds it so that every method shares the tilted optimum).
 */
import type { ProtocolConfig } from '../core';
import { runRecipe } from '../core';
import { policyGradientRecipe } from '../policy-gradient-recipe';

export const recipe = policyGradientRecipe(
  'ddpo-prompt-kl',
  'one prompt, so per-prompt normalisation = batch normalisation of r − β·log(p_θ/p_ref); 2 × 2 clipped steps ' +
    '(ε 0.2); the algorithm of ddpo-is-kl',
  {
    K: 1,
    advantage: 'batch-normalised',
    epochs: 2,
    minibatches: 2,
    clip: 0.2,
  },
);

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
