/**
 * "Group-Relative REINFORCE Is Secretly an Off-Policy Algorithm" (Yao et al. 2025), the GRU section (gru.ts)
 * ported to the reasoning testbed (issue [reasoning], item 6): the tiny transformer (testbeds/reasoning/base-model.ts,
 * ADDITION_BASE) trained by the reasoning trainer (testbeds/reasoning/trainer/) on scratchpad addition with fresh
 * training-split problems every update, on data sampled by the policy of `staleness` updates ago (the loop's
 * `RlConfig.staleness`: update t learns from completions of the policy after update t − 1 − k). The runs mirror
 * gru.ts `methodsAt(k)`: on-policy REINFORCE and GRPO, and every method at staleness k, each a recipe of the
 * trainer's table (trainer/recipes.ts, the authors' Trinity-RFT rec_gsm8k coefficients):
 *   REINFORCE          A = r − r̄ (group mean), no importance weight, no clip
 *   GRPO               A = (r − r̄)/(std + ε), per-token ratio ρ_t, PPO clip ε = 0.2, no KL
 *   REC-OneSide-IS     A = r − r̄, ρ_t, PPO clip ε = 0.2                       (REC: regularise by clipping)
 *   REC-OneSide-NoIS   as IS, but the ratio only decides the clip (−A, not −ρA; importance 'none')
 *   OPMD               REINFORCE + τ(log π_t − log μ_t)², τ = 0.1            (trainer/off-policy.ts)
 *   AsymRE             REINFORCE with the baseline lowered by τ = 0.1
 *   RED-Weight         REINFORCE weighted by exp(A/T), T = 1
 * Shared by all: per-sequence token mean, one gradient pass per batch, no KL and no entropy term, Adam with the
 * global-norm clip 1. All runs of a seed start from the same base model, see the same sequence of training problems
 * and the same random streams, and are evaluated on the same held-out problems with the same sampling streams
 * (paired by seed). Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { TransformerLm } from '../../nn/transformer-lm';
import { transformerLmCopy } from '../../nn/thread-engine';
import { reasoningBase, ADDITION_BASE, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems } from '../../testbeds/reasoning/tasks/splits';
import { evaluateCounts, passAtKFromCounts, trainRl } from '../../testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { runName } from './bandit';

/** One run: a recipe and the sampling lag it trains at. */
export interface TfRun {
  recipe: Recipe;
  staleness: number;
}

/** REINFORCE with the group-mean baseline, no importance weight, no clip (the GRU section's REINFORCE). */
const REINFORCE: Recipe = { ...RECIPES.reinforce, advantage: 'baseline', importance: 'none' };
/** GRPO as the GRU section runs it: per-token ratio, PPO clip ε = 0.2, no KL. */
const GRPO: Recipe = { ...RECIPES.grpo, kl: { kind: 'none' } };

/**
 * The runs at staleness k by record-key name (`runName`: `REINFORCE@k=0`, …), as gru.ts `methodsAt(k)`: on-policy
 * REINFORCE and GRPO, and every method on data k updates stale.
 */
export function tfRunsAt(k: number): Record<string, TfRun> {
  return {
    [runName('REINFORCE', 0)]: { recipe: REINFORCE, staleness: 0 },
    [runName('GRPO', 0)]: { recipe: GRPO, staleness: 0 },
    [runName('REINFORCE', k)]: { recipe: REINFORCE, staleness: k },
    [runName('GRPO', k)]: { recipe: GRPO, staleness: k },
    [runName('REC-OneSide-IS', k)]: {
      recipe: { ...RECIPES['rec-oneside-nois'], name: 'REC-OneSide-IS', importance: 'token' },
      staleness: k,
    },
    [runName('REC-OneSide-NoIS', k)]: { recipe: RECIPES['rec-oneside-nois'], staleness: k },
    [runName('OPMD', k)]: { recipe: RECIPES.opmd, staleness: k },
    [runName('AsymRE', k)]: { recipe: RECIPES.asymre, staleness: k },
    [runName('RED-Weight', k)]: { recipe: RECIPES['red-weight'], staleness: k },
  };
}

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** Staleness k of the off-policy runs (≥ 1). */
  staleness: number;
  /** Record-key names from `tfRunsAt(staleness)` to run (default: all). */
  runs?: string[];
  /** Training level; the held-out problems are at this level too (the gate's level for papers). */
  level: number;
  /** RL updates per run. */
  updates: number;
  /** Prompts per update (B) and sampled completions per prompt (G). */
  batchPrompts: number;
  groupSize: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Distinct held-out-split problems at `level` (drawn per seed, the same for every run). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  staleness: 16,
  level: 3,
  updates: 150,
  batchPrompts: 16,
  groupSize: 8,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 32,
  passKs: [1, 8, 32],
};

/** The record's level tag: `L3`. */
export const tfLevelTag = (level: number): string => `L${level}`;

/** Mean of the finite entries (NaN when there are none). */
export function finiteMean(xs: readonly number[]): number {
  let s = 0,
    n = 0;
  for (const x of xs)
    if (Number.isFinite(x)) {
      s += x;
      n++;
    }
  return n ? s / n : NaN;
}

/** Coefficient of variation (population std / mean) of a series; NaN for an empty or zero-mean series. */
export function gradNormCv(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
  return Math.sqrt(v) / m;
}

/**
 * One seed. Metrics `<run>/L<l>:pass@k` for run ∈ {base, …runs}; per run `<run>/meanReward` (mean over updates of
 * the batch mean reward on fresh training problems, sampled by the behaviour policy), `<run>/lateReward` (the same
 * over the last quarter), `<run>/meanKlBehaviour` (mean over updates of the k3 estimate of KL(μ‖π) per token to the
 * sampling policy; NaN on-policy), `<run>/clippedFraction` (mean fraction of tokens whose gradient the clip
 * removed), `<run>/gradNormCv`. Series `<run>/L<l>:counts`, `<run>/reward`, `<run>/klBehaviour`,
 * `<run>/clipFraction`, `<run>/gradNorm`. Timings `<run>/updateMs` (mean per update), `<run>/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  if (!(Number.isInteger(c.staleness) && c.staleness >= 1))
    throw new RangeError(`grpo-off-policy/transformer: staleness must be an integer ≥ 1, got ${c.staleness}`);
  const all = tfRunsAt(c.staleness);
  const names = c.runs ?? Object.keys(all);
  for (const name of names)
    if (!all[name])
      throw new RangeError(`grpo-off-policy/transformer: unknown run "${name}"; known: ${Object.keys(all).join(', ')}`);
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('grpo-off-policy-transformer');
  const tag = tfLevelTag(c.level);
  const heldout = distinctProblems(task, seed, c.level, 'heldout', c.evalProblems);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('grpo-off-policy', base, new Rng(0));
  const evaluate = (name: string, policy: RlPolicy) => {
    const t0 = Date.now();
    // The same sampling stream for every run (common random numbers across the paired comparison).
    const counts = evaluateCounts(policy, task, heldout, c.evalSamples, root.split('eval'));
    series[metricKey(name, `${tag}:counts`)] = Array.from(counts);
    for (const k of c.passKs)
      metrics[metricKey(name, `${tag}:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
    timings[metricKey(name, 'evalMs')] = Date.now() - t0;
  };
  evaluate('base', new LmPolicy(copy(), { lr: 1 }));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  for (const name of names) {
    const run = all[name];
    const policy = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
    const behaviour = run.staleness > 0 ? new LmPolicy(copy(), { lr: 1 }) : undefined;
    const gradNorm: number[] = [];
    const curves = trainRl(
      policy,
      task,
      {
        recipe: run.recipe,
        level: c.level,
        updates: c.updates,
        batchPrompts: c.batchPrompts,
        groupSize: c.groupSize,
        lr: c.lr,
        staleness: run.staleness,
      },
      root.split('train'),
      null,
      (_t, s) => gradNorm.push(s.gradNorm),
      behaviour,
    );
    const key = (k: string) => metricKey(name, k);
    series[key('reward')] = curves.reward;
    series[key('klBehaviour')] = curves.klBehaviour;
    series[key('clipFraction')] = curves.clipFraction;
    series[key('gradNorm')] = gradNorm;
    metrics[key('meanReward')] = mean(curves.reward);
    metrics[key('lateReward')] = mean(curves.reward.slice(Math.floor((3 * curves.reward.length) / 4)));
    metrics[key('meanKlBehaviour')] = finiteMean(curves.klBehaviour);
    metrics[key('clippedFraction')] = mean(curves.clipFraction);
    metrics[key('gradNormCv')] = gradNormCv(gradNorm);
    timings[key('updateMs')] = mean(curves.ms);
    evaluate(name, policy);
  }
  return { metrics, series, timings };
}
