/**
 * SELF's data curation on the reasoning testbed (Nguyen et al. 2025, "The Reasoning Boundary Paradox"; official
 * code `RayMaxPPOTrainer.fit` in verl/trainer/ppo/ray_trainer.py of mail-research/SELF-llm-interference): before
 * each update, decode every batch prompt greedily (`do_sample = False`) under the current policy, keep the prompts
 * whose greedy answer is not rewarded (`incorrect_indices = reward != 1`), skip the update when none is left, and
 * run the usual GRPO update on the kept prompts only (`batch.subset(incorrect_indices)`, so the loss is normalised
 * over the kept batch). The pure selection is `greedyWrongIndices`; `selfCuratedProblems` runs the greedy decode.
 * The RLVR testbed has the GRU version (rlvr/methods/self-curation.ts); this part belongs in the reasoning
 * trainer's filters (trainer/filters.ts) as a prompt-level filter, which today only filters sampled responses.
 */
import { Rng } from '../../core/rng';
import { promptRows, verifierRewards } from '../../testbeds/reasoning/trainer/loop';
import type { RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import type { Problem, Task } from '../../testbeds/reasoning/tasks/task';
import { EOS, PAD } from '../../testbeds/reasoning/tasks/vocab';

/** Indices b of the prompts whose greedy reward is not 1 (the official code's `reward != 1.0`), in order. */
export function greedyWrongIndices(greedyRewards: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let b = 0; b < greedyRewards.length; b++) if (greedyRewards[b] !== 1) out.push(b);
  return out;
}

/** The greedy answer's reward (0/1) of each problem under `policy`, completions of up to L tokens. */
export function greedyRewards(policy: RlPolicy, task: Task, problems: readonly Problem[], L: number): Float64Array {
  const g = promptRows(problems, 1);
  // Greedy decoding draws no random numbers; the generator only satisfies the interface.
  const c = policy.sample(g.prompts, problems.length, g.P, L, new Rng(0), { eos: EOS, pad: PAD, greedy: true });
  return verifierRewards(task, problems, 1, c);
}

/** SELF's kept problems: those the current policy does not solve by greedy decoding. */
export function selfCuratedProblems<P extends Problem>(
  policy: RlPolicy,
  task: Task,
  problems: readonly P[],
  L: number,
): P[] {
  const keep = greedyWrongIndices(greedyRewards(policy, task, problems, L));
  return keep.map((b) => problems[b]);
}
