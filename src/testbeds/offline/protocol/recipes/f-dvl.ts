/**
 * f-DVL (Dual RL, Sikchi et al., ICLR 2024) in the offline protocol: the exact tabular fixed point of its χ² value
 * loss (loops/implicit-value-sgd.ts implicitValueFixedPoint; methods/f-dvl.ts chiSquareValue), greedy in the data's
 * support. λ = 0.8: the value the dual-rl notebook selected on its pilot seed for ε-noisy data on an 11 × 11
 * four-rooms world (the protocol's kind of world and reward), not tuned on the protocol.
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { implicitValueFixedPoint } from '../../loops/implicit-value-sgd';

export const recipe: ProtocolRecipe = {
  name: 'f-dvl',
  summary: 'loops/implicit-value-sgd.ts fixed point of methods/f-dvl.ts (χ² loss, λ = 0.8), greedy in support',
  learn: (data) => ({ policy: implicitValueFixedPoint(data, { kind: 'chi-square', lambda: 0.8 }).policy }),
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
