/**
 * A protocol recipe made of one advantage kind of methods/advantages.ts (`batchAdvantages`: REINFORCE, RLOO, GRPO,
 * Dr. GRPO, BNPO), optionally after the reasoning-boundary curation (drop greedy-correct problems).
 */
import { batchAdvantages, type AdvantageOptions } from '../methods/advantages';
import type { ProtocolRecipe } from './core';

export function advantageRecipe(
  name: string,
  summary: string,
  options: AdvantageOptions,
  dropGreedyCorrect = false,
): ProtocolRecipe {
  return {
    name,
    summary,
    dropGreedyCorrect,
    advantages: (s) => batchAdvantages(s.rewards, s.problems.length, s.G, options).adv,
  };
}
