/**
 * SELF's data curation (Nguyen et al. 2025, "The Reasoning Boundary Paradox", official code
 * `RayMaxPPOTrainer.fit`): before an update, decode every batch problem greedily under the current
 * policy and drop the problems whose greedy answer is already correct (high-likelihood problems), so
 * that RL trains on the rest. The log-linear version is in loops/log-linear-grpo.ts ('self').
 */
import { Rng } from '../../../core/rng';
import type { AnyGruLm } from '../../../nn/thread-engine';
import { ADD_EOS, ADD_PAD, additionReward, groupPrompts, type DigitAdditionProblem } from '../env/addition';

/** The problems whose greedy (argmax) answer under `model` is wrong (P: prompt length, L: answer length). */
export function dropGreedySolved(
  model: AnyGruLm,
  problems: readonly DigitAdditionProblem[],
  P: number,
  L: number,
): DigitAdditionProblem[] {
  const g = model.sample(groupPrompts(problems, P, 1), problems.length, P, L, new Rng(0), {
    eos: ADD_EOS,
    pad: ADD_PAD,
    greedy: true,
  });
  return problems.filter((p, i) => additionReward(p, g.tokens, i * L, g.lengths[i]) === 0);
}
