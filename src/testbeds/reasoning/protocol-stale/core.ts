/**
 * The reasoning testbed's stale-sample protocol (`reasoning-stale`, beside the on-policy protocol of ../protocol):
 * the off-policy REINFORCE family of grpo-off-policy (Yao et al. 2025) and GRPO train on completions sampled by an
 * older policy, against on-policy GRPO at the same budget (reports/compare/rlvr.html).
 *
 * Everything but the sampling lag is the reasoning protocol's (../protocol/core.ts, imported): the task
 * (`addition-L3`, `protocolLevel`), the pre-trained 2-layer transformer (ADDITION_BASE), the budget
 * (`PROTOCOL_DEFAULTS`: updates, fresh prompts × completions per update, gradient passes per batch, Adam lr with
 * global-norm clip 1), the held-out problems, the evaluation and its random streams (the same `Rng` path as
 * `runRecipe`, so the base model's held-out pass@1 of a seed is the reasoning protocol's), the score and the recorded
 * metrics: a stale run is the reasoning protocol's `runRecipe` with its `staleness` option.
 * The one extra setting, `staleness` k: update t learns from completions sampled by the policy after update
 * t − 1 − k (the base model while t ≤ k; the trainer loop's `RlConfig.staleness`, a fixed sync offset), and every
 * pass over the batch weights and clips with the ratio to that sampling policy. k = 16 as in grpo-off-policy's
 * transformer section (`papers/grpo-off-policy/transformer.ts` DEFAULTS, k = 16 as on its GRU). A recipe marked
 * `onPolicy` trains at k = 0 whatever the config says (the on-policy baseline).
 * The training-problem stream and sampling streams are common random numbers across methods (paired by seed); at
 * k = 0 a recipe's run is bit for bit the reasoning protocol's run of the same trainer recipe.
 * Extra metric of stale runs: `klBehaviour`, the mean over updates of the k3 estimate of KL(μ‖π) per token to the
 * sampling policy.
 */
import type { RunResult } from '../../../core/records';
import type { Recipe } from '../trainer/recipes';
import { PROTOCOL_DEFAULTS, checkProtocolConfig, runRecipe, type ProtocolConfig } from '../protocol/core';

export interface StaleProtocolConfig extends ProtocolConfig {
  /** Sampling lag k of the stale runs (integer ≥ 0; 0 makes every run on-policy). */
  staleness: number;
}

export const STALE_PROTOCOL_DEFAULTS: StaleProtocolConfig = { ...PROTOCOL_DEFAULTS, staleness: 16 };

/** A method entered into the stale protocol: a recipe of the trainer's parts, trained at the config's staleness. */
export interface StaleProtocolRecipe {
  name: string;
  summary: string;
  trainer: Recipe;
  /** Train at k = 0 (the on-policy baseline) whatever the config's staleness. */
  onPolicy?: boolean;
}

/** Validates a config (the reasoning protocol's checks, then the staleness); names the field and the range. */
export function checkStaleProtocolConfig(c: StaleProtocolConfig): void {
  checkProtocolConfig(c);
  if (!(Number.isInteger(c.staleness) && c.staleness >= 0))
    throw new RangeError(`reasoning stale protocol: staleness must be an integer ≥ 0, got ${c.staleness}`);
  if (c.staleness >= c.updates)
    throw new RangeError(
      `reasoning stale protocol: staleness (${c.staleness}) must be below updates (${c.updates}), or no update ` +
        'learns from a trained policy',
    );
}

/**
 * Run a method on every task of the config for one seed, as the reasoning protocol's `runRecipe` does (the same
 * record keys `<name>/<metric>@<task>`, `base/pass1@<task>`, `base/passK@<task>`, the same random streams), with
 * the samples `staleness` updates old; stale runs also record `<name>/klBehaviour@<task>`.
 */
export function runStaleRecipe(
  recipe: StaleProtocolRecipe,
  config: StaleProtocolConfig,
  seed: number,
): Promise<RunResult> {
  checkStaleProtocolConfig(config);
  return runRecipe(recipe, config, seed, {
    staleness: recipe.onPolicy ? 0 : config.staleness,
    where: 'reasoning stale protocol',
  });
}
