/**
 * Flow-GRPO (Liu et al. 2025, arXiv 2505.05470) in the diffusion2d flow protocol: each round is one
 * methods/flow-grpo.ts `flowGrpoRound` (kind 'flow-grpo'): group-normalised advantages, the clipped per-step
 * likelihood-ratio objective (ε = 0.2), no KL — the setting of the kit's GRPO-Guard and AWM notebooks, not tuned here.
 * The protocol's baseline.
 */
import type { FlowProtocolConfig, FlowProtocolRecipe } from '../core';
import { runFlowRecipe } from '../core';
import { emptyFlowRatioStats, flowGrpoRound } from '../../methods/flow-grpo';

export const recipe: FlowProtocolRecipe = {
  name: 'flow-grpo',
  summary: "methods/flow-grpo.ts flowGrpoRound, kind 'flow-grpo': clipped per-step ratio (ε 0.2), no KL",
  fineTune: (c) => {
    const stats = emptyFlowRatioStats(c.K);
    for (let u = 0; u < c.updates; u++)
      flowGrpoRound(
        c.policy,
        c.reward,
        {
          kind: 'flow-grpo',
          K: c.K,
          noise: c.noise,
          groups: c.groups,
          G: c.G,
          epochs: c.epochs,
          minibatches: c.minibatches,
          clip: 0.2,
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
