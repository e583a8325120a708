/**
 * DDPO with a KL anchor (DPOK-style, Fan et al. 2023, eq. 5, on the whole chain) in the diffusion2d protocol: the
 * chain log-ratio to the pre-trained model, weighted by the task's β, folded into the return (methods/ddpo.ts
 * ddpoKlStep). Its objective's maximiser is the protocol's tilted target.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { ddpoKlStep } from '../../methods/ddpo';

export const recipe: ProtocolRecipe = {
  name: 'ddpo-kl',
  summary: "methods/ddpo.ts ddpoKlStep with the task's β: chain REINFORCE on r − β·log(p_θ/p_ref)",
  fineTune: (c) => {
    for (let u = 0; u < c.updates; u++)
      ddpoKlStep(c.policy, c.ref, c.sched, c.reward, c.beta, c.batch, c.rng.split(u), c.opt);
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
