/**
 * BNPO (Xiao et al. 2025) on the reasoning testbed (issue 15): the GRU section's comparison of advantage
 * estimators, ported to the tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE) trained by the
 * reasoning trainer (testbeds/reasoning/trainer/) on scratchpad addition with fresh training-split problems every
 * update. Every method is a recipe of the trainer's table (trainer/recipes.ts) and they differ only in the
 * advantage part (trainer/advantage.ts):
 *   REINFORCE-baseline  A = r − r̄ (group mean)
 *   ReMax               A = r − r(greedy answer)                        (Li et al. 2024; a baseline of the paper)
 *   GRPO                A = (r − r̄)/(std + ε)                           (no KL, as every run of the official code)
 *   BNPO                A = (r − r̄)/f_N(r̄; α, β), (α, β) = max(1 + (a, b)/3, 1) re-fitted to each batch (eq. 6)
 * Shared by all: per-sequence token mean, one on-policy gradient pass per batch (so the importance ratio is 1 and
 * the recipes' PPO clip never acts), no KL and no entropy term, Adam with the global-norm clip 1. All methods of a
 * seed start from the same base model, see the same sequence of training problems and the same random streams,
 * and are evaluated on the same held-out problems with the same sampling streams (paired by seed).
 * Task entry point: `runSeed(config, seed)`.
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

/**
 * The compared methods by record-key name (notebook label of REINFORCE-baseline: "REINFORCE+baseline"), each a
 * recipe of the trainer's table with the GRU section's shared settings (sequence-mean, on-policy, no KL).
 */
export const METHODS: Record<string, Recipe> = {
  'REINFORCE-baseline': { ...RECIPES.reinforce, name: 'REINFORCE+baseline', advantage: 'baseline' },
  ReMax: RECIPES.remax,
  GRPO: { ...RECIPES.grpo, kl: { kind: 'none' } },
  BNPO: RECIPES.bnpo,
};

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** Names from `METHODS`, each trained from the same base model on the same problem stream. */
  methods: string[];
  /** Training level; the held-out problems are at this level too (the gate's level for papers). */
  level: number;
  /** RL updates per method. */
  updates: number;
  /** Prompts per update (B) and sampled completions per prompt (G). */
  batchPrompts: number;
  groupSize: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Distinct held-out-split problems at `level` (drawn per seed, the same for every method). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: Object.keys(METHODS),
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
export const levelTag = (level: number): string => `L${level}`;

/** Coefficient of variation (population std / mean) of a series; NaN for an empty or zero-mean series. */
export function coefficientOfVariation(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const v = xs.reduce((a, x) => a + (x - m) ** 2, 0) / xs.length;
  return Math.sqrt(v) / m;
}

/** Largest value over the median (the upper median for an even count, as the GRU loop). */
export function maxOverMedian(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length - 1] / s[Math.floor(s.length / 2)];
}

/**
 * One seed. Metrics `<m>/L<l>:pass@k` for m ∈ {base, …methods}; per method `<m>/gradNormCv` (std/mean of the
 * gradient norm before the clip over updates, scale free), `<m>/gradNormMaxOverMedian`, `<m>/meanReward` (mean
 * over updates of the batch mean reward on fresh training problems) and `<m>/lateReward` (the same over the last
 * quarter of updates). Series `<m>/L<l>:counts` (correct samples per held-out problem), `<m>/reward`,
 * `<m>/gradNorm`. Timings `<m>/updateMs` (mean per update), `<m>/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  for (const name of c.methods)
    if (!METHODS[name])
      throw new RangeError(
        `bnpo.transformer: unknown method "${name}"; known: ${Object.keys(METHODS).join(', ')} ` +
          '(set config.methods in the notebook)',
      );
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('bnpo-transformer');
  const tag = levelTag(c.level);
  const heldout = distinctProblems(task, seed, c.level, 'heldout', c.evalProblems);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('bnpo', base, new Rng(0));
  const evaluate = (method: string, policy: RlPolicy) => {
    const t0 = Date.now();
    // The same sampling stream for every method (common random numbers across the paired comparison).
    const counts = evaluateCounts(policy, task, heldout, c.evalSamples, root.split('eval'));
    series[metricKey(method, `${tag}:counts`)] = Array.from(counts);
    for (const k of c.passKs)
      metrics[metricKey(method, `${tag}:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
    timings[metricKey(method, 'evalMs')] = Date.now() - t0;
  };
  evaluate('base', new LmPolicy(copy(), { lr: 1 }));
  for (const name of c.methods) {
    const recipe = METHODS[name];
    const policy = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
    const gradNorm: number[] = [];
    const curves = trainRl(
      policy,
      task,
      {
        recipe,
        level: c.level,
        updates: c.updates,
        batchPrompts: c.batchPrompts,
        groupSize: c.groupSize,
        lr: c.lr,
      },
      root.split('train'),
      null,
      (_t, s) => gradNorm.push(s.gradNorm),
    );
    const key = (k: string) => metricKey(name, k);
    series[key('reward')] = curves.reward;
    series[key('gradNorm')] = gradNorm;
    metrics[key('gradNormCv')] = coefficientOfVariation(gradNorm);
    metrics[key('gradNormMaxOverMedian')] = maxOverMedian(gradNorm);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    metrics[key('meanReward')] = mean(curves.reward);
    metrics[key('lateReward')] = mean(curves.reward.slice(Math.floor((3 * curves.reward.length) / 4)));
    timings[key('updateMs')] = mean(curves.ms);
    evaluate(name, policy);
  }
  return { metrics, series, timings };
}
