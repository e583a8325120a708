/**
 * The reasoning testbed's validity gate (notebooks/testbed-reasoning.ipynb): from the cached base model
 * (testbeds/reasoning/base-model.ts), each recipe (GRPO, RFT: testbeds/reasoning/trainer/recipes.ts) trains a
 * copy with fresh training-split problems at the training level every update; base and trained models are
 * evaluated on the same held-out problems (held-out split, never trained on) at the training level and at the
 * next level, n samples each, with the unbiased pass@k. Task entry point: `runSeed(config, seed)` (async: it loads
 * the nn engine of the environment, nn/active-engine.ts).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { taskEngine, transformerCopy } from '../../nn/active-engine';
import { reasoningBase, ADDITION_BASE, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems } from '../../testbeds/reasoning/tasks/splits';
import { evaluateCounts, passAtKFromCounts, trainRl } from '../../testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type RecipeName } from '../../testbeds/reasoning/trainer/recipes';

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** The recipes trained from the base model (record-key method = recipe name). */
  recipes: RecipeName[];
  /** Training level; held-out sets at this level and at `level + 1`. */
  level: number;
  updates: number;
  batchPrompts: number;
  groupSize: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Distinct held-out problems per evaluated level (drawn per seed). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  recipes: ['grpo', 'rft'],
  level: 3,
  updates: 200,
  batchPrompts: 16,
  groupSize: 8,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 64,
  passKs: [1, 8, 64],
};

/** The record's level tag: `L3`. */
export const levelTag = (level: number): string => `L${level}`;

/**
 * One seed: keys `<method>/L<l>:pass@k` for method ∈ {base, …recipes} and l ∈ {level, level + 1}; series
 * `<method>/L<l>:counts` (correct samples per held-out problem, paired across methods), `<recipe>/reward`
 * (mean reward of each update's batch), `<recipe>/kept` and `<recipe>/kl`; timings `<recipe>/updateMs`
 * (mean per update), `<method>/evalMs`.
 */
export async function runSeed(c: Config, seed: number): Promise<RunResult> {
  for (const r of c.recipes)
    if (!(r in RECIPES))
      throw new RangeError(
        `testbed-reasoning: unknown recipe "${r}"; the recipes are ${Object.keys(RECIPES).join(', ')}`,
      );
  // The nn engine (nn/active-engine.ts: RLMINI_ENGINE, default auto); the base model is pre-trained and cached on
  // the wasm engine, and the policies and the KL reference are copies of it on that engine.
  const engine = await taskEngine('testbed-reasoning');
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('testbed-reasoning');
  const levels = [c.level, c.level + 1];
  const heldout = levels.map((l) => distinctProblems(task, seed, l, 'heldout', c.evalProblems));
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerCopy(engine, base, new Rng(0));
  const evaluate = (method: string, policy: RlPolicy) => {
    const t0 = Date.now();
    levels.forEach((l, i) => {
      const counts = evaluateCounts(policy, task, heldout[i], c.evalSamples, root.split('eval').split(method).split(l));
      series[metricKey(method, `${levelTag(l)}:counts`)] = Array.from(counts);
      for (const k of c.passKs)
        metrics[metricKey(method, `${levelTag(l)}:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
    });
    timings[metricKey(method, 'evalMs')] = Date.now() - t0;
  };
  evaluate('base', new LmPolicy(copy(), { lr: 1 }));
  const ref = new LmPolicy(copy(), { lr: 1 });
  for (const name of c.recipes) {
    const policy = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
    const curves = trainRl(
      policy,
      task,
      {
        recipe: RECIPES[name],
        level: c.level,
        updates: c.updates,
        batchPrompts: c.batchPrompts,
        groupSize: c.groupSize,
        lr: c.lr,
      },
      root.split('train').split(name),
      ref,
    );
    series[metricKey(name, 'reward')] = curves.reward;
    series[metricKey(name, 'kept')] = curves.kept;
    if (RECIPES[name].kl.kind !== 'none') series[metricKey(name, 'kl')] = curves.kl;
    timings[metricKey(name, 'updateMs')] = curves.ms.reduce((a, b) => a + b, 0) / curves.ms.length;
    evaluate(name, policy);
  }
  return { metrics, series, timings };
}
