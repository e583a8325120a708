/**
 * Extreme Q-learning (XQL; Garg et al., ICLR 2023) in the offline protocol: the exact tabular fixed point of its
 * Gumbel value loss (loops/implicit-value-sgd.ts implicitValueFixedPoint; V(s) the soft maximum
 * β log Σ_a μ̂(a|s) e^{Q(s,a)/β} of methods/xql.ts softMaxValue), greedy in the data's support. β = 0.3: the value
 * the dual-rl notebook selected on its pilot seed for ε-noisy data on an 11 × 11 four-rooms world (the protocol's
 * kind of world and reward), not tuned on the protocol. The stabilised form of the loss has the same fixed point.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { implicitValueFixedPoint } from '../../loops/implicit-value-sgd';

export const recipe: ProtocolRecipe = {
  name: 'xql',
  summary: 'loops/implicit-value-sgd.ts fixed point of methods/xql.ts (Gumbel loss, β = 0.3), greedy in support',
  learn: (data) => ({ policy: implicitValueFixedPoint(data, { kind: 'gumbel', beta: 0.3 }).policy }),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
