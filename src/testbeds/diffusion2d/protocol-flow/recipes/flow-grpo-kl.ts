/**
 * Flow-GRPO with its KL penalty (Liu et al. 2025, arXiv 2505.05470) in the diffusion2d flow protocol: each round is
 * one methods/flow-grpo.ts `flowGrpoRound` (kind 'flow-grpo', ε = 0.2) with β = 0.04 on the per-step KL to the
 * pre-trained policy — the default `klPg` of the kit's CRD experiment module (its notebook's pilot chose 0.4; not
 * tuned here). The weight multiplies the per-step Gaussian KL beside group-normalised advantages, so it is not the
 * task's β.
 */
import type { FlowProtocolConfig, FlowProtocolRecipe } from '../core';
import { runFlowRecipe } from '../core';
import { emptyFlowRatioStats, flowGrpoRound } from '../../methods/flow-grpo';

export const recipe: FlowProtocolRecipe = {
  name: 'flow-grpo-kl',
  summary: "methods/flow-grpo.ts flowGrpoRound, kind 'flow-grpo': clipped per-step ratio (ε 0.2), per-step KL β 0.04",
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
          beta: 0.04,
          advClipMax: c.advClipMax,
        },
        c.rng.split(u),
        c.opt,
        stats,
      );
  },
};

export const run = (config: FlowProtocolConfig, seed: number) => runFlowRecipe(recipe, config, seed);
