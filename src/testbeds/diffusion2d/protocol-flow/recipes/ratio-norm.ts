/**
 * GRPO-Guard (Wang et al. 2025, arXiv 2510.22319) in the diffusion2d flow protocol: each round is one
 * methods/flow-grpo.ts `flowGrpoRound` (kind 'grpo-guard': RatioNorm and the cross-step 1/h reweighting), clip range
 * ε̂ = 0.06 on the normalised ratio, no KL — the settings of the kit's GRPO-Guard notebook, not tuned here.
 */
import type { FlowProtocolConfig, FlowProtocolRecipe } from '../core';
import { runFlowRecipe } from '../core';
import { emptyFlowRatioStats, flowGrpoRound } from '../../methods/flow-grpo';

export const recipe: FlowProtocolRecipe = {
  name: 'grpo-guard',
  summary: "methods/flow-grpo.ts flowGrpoRound, kind 'grpo-guard': RatioNorm + 1/h step reweighting (ε̂ 0.06), no KL",
  fineTune: (c) => {
    const stats = emptyFlowRatioStats(c.K);
    for (let u = 0; u < c.updates; u++)
      flowGrpoRound(
        c.policy,
        c.reward,
        {
          kind: 'grpo-guard',
          K: c.K,
          noise: c.noise,
          groups: c.groups,
          G: c.G,
          epochs: c.epochs,
          minibatches: c.minibatches,
          clip: 0.06,
          beta: 0,
          advClipMax: c.advClipMax,
        },
        c.rng.split(u),
        c.opt,
        stats,
      );
  },
};

export const run = (config: FlowProtocolConfig, seed: number) => runFlowRecipe(recipe, config, seed);
