/**
 * LinUCB / OFUL (Abbasi-Yadkori et al. 2011, Theorem 2's β_t) in the bandit protocol, as the DLB notebook runs it:
 * the dynamics-ignoring estimator of methods/dynlin-ucb.ts (`dynamics: false`: a sample and an optimistic action
 * every round, β_t = ‖θ‖√λ + σ̄ sqrt(2 ln(1/δ) + d ln(1 + t U²/(dλ)))), λ = ln T, δ = 1/T, bounds from the true
 * instance. On a K-armed task the actions are one-hot (d = K); on the dynamical task it regresses y_t on a_t.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { dynLinUcb } from '../../methods/dynlin-ucb';

export const recipe: ProtocolRecipe = {
  name: 'lin-ucb',
  summary: 'methods/dynlin-ucb.ts dynLinUcb with dynamics: false (OFUL), λ = ln T, δ = 1/T',
  learner: (w, T, rng) => {
    const agent = dynLinUcb({
      actions: w.actions,
      d: w.d,
      bounds: w.bounds,
      lambda: Math.log(T),
      delta: 1 / T,
      dynamics: false,
      firstAction: rng.split('first').int(w.K),
    });
    return { select: (t) => agent.select(t), update: (_k, y) => agent.update(y) };
  },
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
