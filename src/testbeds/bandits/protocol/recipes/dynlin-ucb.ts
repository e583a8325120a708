/**
 * DynLin-UCB (Mussi et al. 2023, Algorithm 1) in the bandit protocol, with the DLB notebook's λ = ln T, δ = 1/T and
 * bounds from the true instance. On a static task (ρ̄ = 0, ω = 0) its blocks have length 1 and its bias term is 0:
 * it is then exactly LinUCB (recipes/lin-ucb.ts), first action included.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { dynLinUcb } from '../../methods/dynlin-ucb';

export const recipe: ProtocolRecipe = {
  name: 'dynlin-ucb',
  summary: 'methods/dynlin-ucb.ts dynLinUcb with dynamics: true, λ = ln T, δ = 1/T',
  learner: (w, T, rng) => {
    const agent = dynLinUcb({
      actions: w.actions,
      d: w.d,
      bounds: w.bounds,
      lambda: Math.log(T),
      delta: 1 / T,
      dynamics: true,
      firstAction: rng.split('first').int(w.K),
    });
    return { select: (t) => agent.select(t), update: (_k, y) => agent.update(y) };
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
