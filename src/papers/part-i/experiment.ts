/**
 * "Part I: Tricks or Traps? A Deep Dive into RL for LLM Reasoning" (Liu et al. 2025, arXiv 2508.08221) on the
 * reasoning testbed: the paper's isolated ablations and its Lite PPO comparison, in miniature. The policy is the
 * testbed's tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE: pre-trained on scratchpad addition,
 * mostly 1–2 digits); every run starts from it and trains on fresh training-split problems of one level:
 *   easy data  level 2: the base model already solves most problems (reward concentrated: many groups all correct)
 *   hard data  level 3: the base model solves few (reward sparse: many groups all wrong)
 * The paper's unified learner (§3.1, App. A.1: ROLL with "the PPO loss … with advantage values computed using the
 * REINFORCE algorithm", ppo_epochs 1, no KL (init_kl_coef 0), async_generate_level 1) is mirrored as: the PPO clipped
 * surrogate of eq. (1) with ε = 0.2, one gradient pass per batch, no KL, no critic, and completions sampled by the
 * policy one update old (the loop's `staleness` 1: update t learns from samples of θ_{t−2}), so the importance ratio
 * and the clip act as in an asynchronous rollout. Every method is a recipe of the trainer (trainer/recipes.ts) and
 * the ablations differ from Lite PPO in one slot:
 *   GRPO              A = (r − mean_group)/std_group (eq. 2, 5), sequence-level mean (eq. 3), clip 0.2, no KL
 *   LitePPO           A = (r − mean_group)/std_batch (§4.1.2), token-level mean (§4.3), clip 0.2, no KL (§5)
 *   DAPO              group mean/std, token-level, clip-higher (0.2, 0.28), dynamic sampling (eq. 4; trainer's dapo)
 *   GroupStd-Token    LitePPO with the group std (eq. 5): the normalisation ablation of §4.1.2 (Takeaway 3)
 *   BatchNorm-Token   LitePPO with batch mean and batch std (eq. 6): group- vs batch-level (§4.1, Takeaway 1)
 *   NoStd-Token       LitePPO with A = r − mean_group (eq. 7, no std): the std ablation of §4.1.1 (Takeaway 2)
 *   LitePPO-ClipHigher  LitePPO with ε_high = 0.28 (eq. 8, §4.2, Takeaway 4)
 *   LitePPO-Overlong    LitePPO with truncated responses masked (§4.4, Takeaway 8)
 * GRPO against GroupStd-Token isolates the loss aggregation (token- vs sequence-level, §4.3.1, Takeaway 7). All runs of
 * a seed and level share the base model, the training-problem stream, the random streams, the held-out problems and
 * the evaluation's sampling streams (paired by seed). Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { TransformerLm } from '../../nn/transformer-lm';
import { transformerLmCopy } from '../../nn/thread-engine';
import { reasoningBase, ADDITION_BASE, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems } from '../../testbeds/reasoning/tasks/splits';
import type { Problem, Task } from '../../testbeds/reasoning/tasks/task';
import { completionBudget, passAtKFromCounts, sampleRollouts, trainRl } from '../../testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { truncatedResponses } from '../../testbeds/reasoning/trainer/update';

const LITE_PPO: Recipe = RECIPES['lite-ppo'];

/**
 * The compared methods by record-key id (paper-local variants of the trainer's recipes; recipes.ts is not edited).
 * GRPO drops the trainer's k3 KL term (β = 0.04, DeepSeekMath's setting): the paper's unified runs have no KL
 * (App. A.1, init_kl_coef 0.0), and without it GRPO and Lite PPO differ in exactly the paper's two techniques.
 */
export const METHODS: Record<string, Recipe> = {
  GRPO: { ...RECIPES.grpo, kl: { kind: 'none' } },
  LitePPO: LITE_PPO,
  DAPO: RECIPES.dapo,
  'GroupStd-Token': { ...LITE_PPO, name: 'group mean / group std, token-level', advantage: 'grpo' },
  'BatchNorm-Token': { ...LITE_PPO, name: 'batch mean / batch std, token-level', advantage: 'batch-norm' },
  'NoStd-Token': { ...LITE_PPO, name: 'group mean, no std, token-level', advantage: 'baseline' },
  'LitePPO-ClipHigher': {
    ...LITE_PPO,
    name: 'Lite PPO + Clip-Higher',
    clipping: { kind: 'clip-higher', epsLow: 0.2, epsHigh: 0.28 },
  },
  'LitePPO-Overlong': { ...LITE_PPO, name: 'Lite PPO + overlong filtering', filters: ['overlong'] },
};

/** One data difficulty: the training and held-out level, the updates per run and the methods run at it. */
export interface Section {
  level: number;
  updates: number;
  /** Ids from `METHODS`. */
  methods: string[];
}

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** The data difficulties (easy: level 2, hard: level 3), each with its methods. */
  sections: Section[];
  /** Prompts per update (B) and sampled completions per prompt (G). */
  batchPrompts: number;
  groupSize: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Sampling lag k of the loop (1: one-step asynchronous rollouts, ROLL's async_generate_level 1). */
  staleness: number;
  /** Distinct held-out-split problems per level (drawn per seed, the same for every method). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  sections: [
    { level: 2, updates: 64, methods: ['GRPO', 'LitePPO', 'DAPO', 'GroupStd-Token', 'BatchNorm-Token', 'NoStd-Token'] },
    { level: 3, updates: 128, methods: Object.keys(METHODS) },
  ],
  batchPrompts: 8,
  groupSize: 8,
  lr: 1e-4,
  staleness: 1,
  evalProblems: 128,
  evalSamples: 32,
  passKs: [1, 8, 32],
};

/** The record's level tag: `L3`. */
export const levelTag = (level: number): string => `L${level}`;

/** Mean of a series (NaN when empty). */
export function meanOf(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** Trailing moving average with window w (the first w − 1 entries average what is there). */
export function movingAverage(xs: readonly number[], w: number): number[] {
  if (!(Number.isInteger(w) && w >= 1)) throw new RangeError(`part-i.movingAverage: window must be ≥ 1, got ${w}`);
  const out: number[] = [];
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    s += xs[i];
    if (i >= w) s -= xs[i - w];
    out.push(s / Math.min(i + 1, w));
  }
  return out;
}

/**
 * Collapse after the peak (the paper's §5: "other policies collapse rapidly after reaching their peak"): the largest
 * value of the w-update moving average of a training curve minus its last value (0 for a curve that ends at its peak).
 */
export function peakDrop(xs: readonly number[], w: number): number {
  const ma = movingAverage(xs, w);
  if (ma.length === 0) return NaN;
  return Math.max(...ma) - ma[ma.length - 1];
}

/** The moving-average window of `peakDrop` for a run of `updates` updates: a tenth of the run, at least 4. */
export const dropWindow = (updates: number): number => Math.max(4, Math.round(updates / 10));

/** Held-out evaluation with the lengths of the samples: per-problem correct counts, lengths, truncation flags. */
export interface Evaluation {
  counts: Int32Array;
  /** Completion length of every sample (problem-major, n per problem). */
  lengths: Int32Array;
  /** 1 where the sample hit the completion budget without the stop token. */
  truncated: Uint8Array;
}

/**
 * The loop's `evaluateCounts` (same chunks, same random streams, so the same counts), keeping each sample's length
 * and truncation flag: n samples of each problem at temperature 1.
 */
export function evaluateWithLengths(
  policy: RlPolicy,
  task: Task,
  problems: readonly Problem[],
  n: number,
  rng: Rng,
  chunkRows = 1024,
): Evaluation {
  const L = completionBudget(task, problems[0].level);
  const counts = new Int32Array(problems.length);
  const lengths = new Int32Array(problems.length * n);
  const truncated = new Uint8Array(problems.length * n);
  const per = Math.max(1, Math.floor(chunkRows / n));
  for (let s = 0; s < problems.length; s += per) {
    const chunk = problems.slice(s, s + per);
    const r = sampleRollouts(policy, task, chunk, n, L, rng.split(`eval${s}`));
    const tr = truncatedResponses(r);
    for (let i = 0; i < r.rewards.length; i++) {
      counts[s + Math.floor(i / n)] += r.rewards[i];
      lengths[s * n + i] = r.lengths[i];
      truncated[s * n + i] = tr[i];
    }
  }
  return { counts, lengths, truncated };
}

/** Coefficient of variation (population std / mean) of the lengths; NaN when empty. */
export function lengthCv(lengths: ArrayLike<number>): number {
  const n = lengths.length;
  if (n === 0) return NaN;
  let m = 0;
  for (let i = 0; i < n; i++) m += lengths[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (lengths[i] - m) ** 2;
  return Math.sqrt(v / n) / m;
}

/**
 * One seed. Per level l and method m ∈ {base, …section methods}: `<m>/L<l>:pass@k` (held-out, unbiased, n samples),
 * `<m>/L<l>:truncated` (fraction of held-out samples cut at the budget), `<m>/L<l>:lengthCv` (coefficient of
 * variation of the held-out sample lengths, pooled: the spread that token- vs sequence-level aggregation weighs
 * differently), `<m>/L<l>:uniformGroups` (fraction of held-out problems whose n samples are all correct or all wrong).
 * Per trained method also `<m>/L<l>:meanReward` (mean over updates of the batch reward on fresh training problems:
 * the area under the training curve), `<m>/L<l>:lateReward` (last quarter), `<m>/L<l>:peakDrop` (`peakDrop` of the
 * reward curve, window `dropWindow`), `<m>/L<l>:clippedFraction` (tokens whose gradient the clip cut),
 * `<m>/L<l>:keptFraction` (responses kept by filters and dynamic sampling, per B·G), `<m>/L<l>:gradNormCv`.
 * Series `<m>/L<l>:counts`, `<m>/L<l>:reward`, `<m>/L<l>:clipFraction`, `<m>/L<l>:gradNorm`. Timings
 * `<m>/L<l>:updateMs` (mean per update), `<m>/L<l>:evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  for (const s of c.sections)
    for (const name of s.methods)
      if (!METHODS[name])
        throw new RangeError(
          `part-i: unknown method "${name}" at level ${s.level}; known: ${Object.keys(METHODS).join(', ')} ` +
            '(set config.sections in the notebook)',
        );
  if (!(Number.isInteger(c.staleness) && c.staleness >= 0))
    throw new RangeError(`part-i: staleness must be a non-negative integer, got ${c.staleness}`);
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('part-i');
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('part-i', base, new Rng(0));
  for (const sec of c.sections) {
    const tag = levelTag(sec.level);
    const key = (m: string, k: string) => metricKey(m, `${tag}:${k}`);
    const heldout = distinctProblems(task, seed, sec.level, 'heldout', c.evalProblems);
    const evaluate = (name: string, policy: RlPolicy) => {
      const t0 = Date.now();
      // The same sampling stream for every method (common random numbers across the paired comparison).
      const e = evaluateWithLengths(policy, task, heldout, c.evalSamples, root.split('eval').split(tag));
      series[key(name, 'counts')] = Array.from(e.counts);
      for (const k of c.passKs) metrics[key(name, `pass@${k}`)] = passAtKFromCounts(e.counts, c.evalSamples, k);
      metrics[key(name, 'truncated')] = meanOf(Array.from(e.truncated));
      metrics[key(name, 'lengthCv')] = lengthCv(e.lengths);
      metrics[key(name, 'uniformGroups')] = meanOf(
        Array.from(e.counts, (x) => (x === 0 || x === c.evalSamples ? 1 : 0)),
      );
      timings[key(name, 'evalMs')] = Date.now() - t0;
    };
    evaluate('base', new LmPolicy(copy(), { lr: 1 }));
    for (const name of sec.methods) {
      const policy = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
      const behaviour = c.staleness > 0 ? new LmPolicy(copy(), { lr: 1 }) : undefined;
      const gradNorm: number[] = [];
      const curves = trainRl(
        policy,
        task,
        {
          recipe: METHODS[name],
          level: sec.level,
          updates: sec.updates,
          batchPrompts: c.batchPrompts,
          groupSize: c.groupSize,
          lr: c.lr,
          staleness: c.staleness,
        },
        // The same problem stream and sampling streams for every method of the level.
        root.split('train').split(tag),
        null,
        (_t, s) => gradNorm.push(s.gradNorm),
        behaviour,
      );
      series[key(name, 'reward')] = curves.reward;
      series[key(name, 'clipFraction')] = curves.clipFraction;
      series[key(name, 'gradNorm')] = gradNorm;
      metrics[key(name, 'meanReward')] = meanOf(curves.reward);
      metrics[key(name, 'lateReward')] = meanOf(curves.reward.slice(Math.floor((3 * curves.reward.length) / 4)));
      metrics[key(name, 'peakDrop')] = peakDrop(curves.reward, dropWindow(sec.updates));
      metrics[key(name, 'clippedFraction')] = meanOf(curves.clipFraction);
      metrics[key(name, 'keptFraction')] = meanOf(curves.kept) / (c.batchPrompts * c.groupSize);
      const finite = gradNorm.filter(Number.isFinite);
      const gm = meanOf(finite);
      metrics[key(name, 'gradNormCv')] = Math.sqrt(meanOf(finite.map((g) => (g - gm) ** 2))) / gm;
      timings[key(name, 'updateMs')] = meanOf(curves.ms);
      evaluate(name, policy);
    }
  }
  return { metrics, series, timings };
}
