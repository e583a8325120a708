/**
 * DDPO (Black et al. 2023, DDPO_SF) in the diffusion2d protocol: REINFORCE over whole denoising chains with
 * per-batch normalised advantages, no KL anchor (methods/ddpo.ts ddpoKlStep with β = 0).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { ddpoKlStep } from '../../methods/ddpo';

export const recipe: ProtocolRecipe = {
  name: 'ddpo',
  summary: 'methods/ddpo.ts ddpoKlStep with β = 0: chain REINFORCE, batch-normalised advantages, no KL anchor',
  fineTune: (c) => {
    for (let u = 0; u < c.updates; u++)
      ddpoKlStep(c.policy, c.ref, c.sched, c.reward, 0, c.batch, c.rng.split(u), c.opt);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
