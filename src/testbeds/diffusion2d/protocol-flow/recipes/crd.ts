/**
 * Centered Reward Distillation (CRD; Zhu et al. 2026, arXiv 2603.14128) in the diffusion2d flow protocol: each round
 * is one methods/crd.ts `crdRound`: the same SDE rollouts, then the within-group centred regression of
 * β·(implicit reward) onto the reward, at the task's β (CRD's temperature is the tilt's: its optimum is the
 * protocol's tilted target), ELBO time weighting, no extra KL anchor — the settings of the kit's CRD notebook.
 */
import type { FlowProtocolConfig, FlowProtocolRecipe } from '../core';
import { runFlowRecipe } from '../core';
import { crdRound } from '../../methods/crd';

export const recipe: FlowProtocolRecipe = {
  name: 'crd',
  summary: "methods/crd.ts crdRound: centred reward distillation at the task's β, ELBO weighting, no KL anchor",
  fineTune: (c) => {
    for (let u = 0; u < c.updates; u++)
      crdRound(
        c.policy,
        c.reward,
        {
          noise: c.noise,
          groups: c.groups,
          G: c.G,
          epochs: c.epochs,
          minibatches: c.minibatches,
          beta: c.beta,
          centered: true,
          weighting: 'elbo',
          klWeight: 0,
        },
        c.rng.split(u),
        c.opt,
      );
  },
};

export const run = (config: FlowProtocolConfig, seed: number) => runFlowRecipe(recipe, config, seed);
