/**
 * Advantage Weighted Matching (AWM; Xue et al. 2025, arXiv 2509.25050) in the diffusion2d flow protocol: each round
 * is one methods/awm.ts `awmRound`: the same SDE rollouts and group advantages as Flow-GRPO, then the
 * advantage-weighted flow-matching surrogate on the rollouts' final samples (ratio clip 1, the released configs'),
 * no KL — the settings of the kit's AWM notebook, not tuned here.
 */
import type { FlowProtocolConfig, FlowProtocolRecipe } from '../core';
import { runFlowRecipe } from '../core';
import { awmRound } from '../../methods/awm';

export const recipe: FlowProtocolRecipe = {
  name: 'awm',
  summary: 'methods/awm.ts awmRound: advantage-weighted flow matching on the rollouts (ratio clip 1), no KL',
  fineTune: (c) => {
    for (let u = 0; u < c.updates; u++)
      awmRound(
        c.policy,
        c.reward,
        {
          noise: c.noise,
          groups: c.groups,
          G: c.G,
          epochs: c.epochs,
          minibatches: c.minibatches,
          clip: 1,
          beta: 0,
          advClipMax: c.advClipMax,
        },
        c.rng.split(u),
        c.opt,
      );
  },
};

export const run = (config: FlowProtocolConfig, seed: number) => runFlowRecipe(recipe, config, seed);
