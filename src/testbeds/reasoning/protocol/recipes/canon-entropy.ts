/**
 * The reasoning protocol's CANON (entropy) entry (Chen et al. 2025; papers/conditional-advantage-estimation-for-
 * reinforcement): Dr. GRPO whose advantage compares each response with the half of its group on the other side of the
 * group's median mean-sampling-entropy (inter-group, eq. 5, μ = 1), clip-higher 0.28 — the paper notebook's CANON-H
 * recipe (`canonRecipe('entropy')`). The shared loop's batches do not carry each response's sampling entropy, so this
 * entry trains with its own loop (`ProtocolRecipe.train`): the shared loop's problems and completions (the same
 * streams; the paper's `sampleWithEntropy` keeps the sampler's per-token entropies with each response), then the
 * trainer's `policyUpdate` — with the length metric it is the `canon-length` entry bit for bit (tested).
 */
import type { ProtocolConfig, ProtocolRecipe } from '../core';
import { runRecipe } from '../core';
import { completionBudget } from '../../trainer/loop';
import { canonRecipe } from '../../trainer/objectives/canon';
import { trainingStream } from '../../trainer/pipeline';
import { policyUpdate } from '../../trainer/update';
import { sampleWithEntropy } from '../../../../papers/conditional-advantage-estimation-for-reinforcement/experiment';

/** The shared loop's on-policy path (no KL, no dynamic sampling) with each response's mean sampling entropy. */
export const trainWithEntropy: NonNullable<ProtocolRecipe['train']> = ({
  policy,
  task,
  level,
  config,
  recipe,
  rng,
}) => {
  if (recipe.kl.kind !== 'none' || recipe.dynamicSampling || recipe.critic)
    throw new RangeError(
      `reasoning protocol: ${recipe.name}: trainWithEntropy runs recipes without KL, dynamic sampling or critic`,
    );
  const stream = trainingStream(task, rng);
  const L = completionBudget(task, level);
  const reward: number[] = [],
    kept: number[] = [];
  for (let t = 1; t <= config.updates; t++) {
    const { batch } = sampleWithEntropy(
      policy,
      task,
      stream.batch(level, config.batchPrompts),
      config.groupSize,
      L,
      rng.split(`sample${t}`),
    );
    reward.push(batch.rewards.reduce((a, b) => a + b, 0) / batch.rewards.length);
    kept.push(policyUpdate(policy, recipe, batch, null).kept);
  }
  return { reward, kept };
};

export const recipe: ProtocolRecipe = {
  name: 'canon-entropy',
  summary:
    'Dr. GRPO whose advantage compares each response with the group half of the other mean sampling entropy ' +
    '(inter-group, eq. 5, μ = 1), clip-higher 0.28 (Chen et al. 2025)',
  trainer: canonRecipe('entropy'),
  train: trainWithEntropy,
};

export const run = (config: ProtocolConfig, seed: number) => runRecipe(recipe, config, seed);
