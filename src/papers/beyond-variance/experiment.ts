/**
 * "Beyond Variance: Prompt-Efficient RLVR via Rare-Event Amplification and Bidirectional Pairing" (Sheng, Li, Pang,
 * Peng, Ma 2026) on the reasoning testbed: the tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE)
 * trained by RL on TWO fixed prompts chosen from a candidate pool, against GRPO on fresh prompts.
 *
 * Per seed:
 *   pool          `poolPerLevel` distinct training-split problems at each of the levels `levels` (the easy level 2,
 *                 where the base model mostly succeeds, like the paper's easy pool; the hard level 3, where it mostly
 *                 fails, like its hard pool)
 *   measurement   the base model's success rate p̂ of every candidate from `measureSamples` samples (temperature 1):
 *                 ONE measurement, read by both selection rules (the same sampling budget for both)
 *   selection     'pair'      q⁺ hard-but-solvable: p̂ ∈ [1/M, c/M]; q⁻ easy-but-brittle: p̂ ∈ [1 − c/M, 1 − 1/M]
 *                             (M the measurement samples, c = `bandCount`), each drawn at random within its band
 *                 'variance'  the two candidates with the largest p̂(1 − p̂) (p̂ closest to ½; ties at random)
 *   training      `steps` rollout steps; each samples G answers to each of its two prompts from the current policy
 *                 and takes one Adam step per prompt's group (two mini-batches in random order, the second
 *                 off-policy so the PPO clip acts; the two levels' prompts have different lengths, so each group is
 *                 its own mini-batch)
 *   methods       'pair'      the pair with Weighted GRPO (trainer/objectives/weighted-outcome.ts)
 *                 'variance'  the variance-selected pair with GRPO
 *                 'pool'      GRPO on two FRESH training-split problems per step, each at a level drawn uniformly
 *                             from `levels` (the candidate distribution: RLVR on the full pool)
 *                 every method: the same steps × 2 prompts × G answers and the same Adam steps; GRPO's recipe
 *                 (std-normalised group advantage, PPO clip 0.2, per-sequence token mean, no KL)
 *   evaluation    held-out-split problems at every level (`evalProblems` each, `evalSamples` samples each), the
 *                 unbiased pass@k; also the final success rate on the method's own two training prompts
 * All methods of a seed start from the same base model and are evaluated on the same held-out problems with the same
 * sampling streams (paired by seed).
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Rng } from '../../core/rng';
import { TransformerLm } from '../../nn/transformer-lm';
import { transformerLmCopy } from '../../nn/thread-engine';
import { ADDITION_BASE, reasoningBase, type ReasoningBaseSpec } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import { distinctProblems, ProblemStream } from '../../testbeds/reasoning/tasks/splits';
import type { Problem, Task } from '../../testbeds/reasoning/tasks/task';
import {
  completionBudget,
  evaluateCounts,
  passAtKFromCounts,
  sampleRollouts,
} from '../../testbeds/reasoning/trainer/loop';
import { WEIGHTED_OUTCOME_RECIPE } from '../../testbeds/reasoning/trainer/objectives/weighted-outcome';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../testbeds/reasoning/trainer/update';

/** How a method gets its prompts. */
export type PromptSource = 'pair' | 'variance' | 'pool';

/** One compared method. */
export interface MethodSpec {
  recipe: Recipe;
  source: PromptSource;
}

const GRPO: Recipe = { ...RECIPES.grpo, kl: { kind: 'none' } };

/** The compared methods by record-key name. */
export const METHODS: Record<string, MethodSpec> = {
  pair: { recipe: WEIGHTED_OUTCOME_RECIPE, source: 'pair' },
  variance: { recipe: GRPO, source: 'variance' },
  pool: { recipe: GRPO, source: 'pool' },
};

export const METHOD_NAMES = Object.keys(METHODS);

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The base model (its task is the task trained and evaluated). */
  base: ReasoningBaseSpec;
  /** Record-key names from `METHODS` to train. */
  methods: string[];
  /** Levels of the candidate pool, of the pool method's fresh prompts and of the held-out evaluation. */
  levels: number[];
  /** Candidates per level (distinct training-split problems). */
  poolPerLevel: number;
  /** Samples per candidate for the base model's success rate (M). */
  measureSamples: number;
  /** c of the bands: q⁺ has p̂ ∈ [1/M, c/M], q⁻ has p̂ ∈ [1 − c/M, 1 − 1/M]. */
  bandCount: number;
  /** Rollout steps per method (each: 2 prompts × G answers, 2 Adam steps). */
  steps: number;
  /** Answers per prompt (G). */
  groupSize: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Distinct held-out-split problems per level (drawn per seed, the same for every method). */
  evalProblems: number;
  /** Samples per held-out problem (n of the unbiased pass@k; every k ≤ n). */
  evalSamples: number;
  passKs: number[];
  /** Samples of each training prompt for its final success rate. */
  trainPromptSamples: number;
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: METHOD_NAMES,
  levels: [2, 3],
  poolPerLevel: 128,
  measureSamples: 32,
  bandCount: 8,
  steps: 300,
  groupSize: 16,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 32,
  passKs: [1, 4, 32],
  trainPromptSamples: 64,
};

/** The record's level tag: `L3`. */
export const levelTag = (level: number): string => `L${level}`;

/** A measured candidate: its problem and its base success rate from `n` samples. */
export interface Candidate {
  problem: Problem;
  successes: number;
  n: number;
}

/** The success rate p̂ of a candidate. */
export const successRate = (c: Candidate): number => c.successes / c.n;

/** Checks a config (names the field and what to do). */
export function checkConfig(c: Config): void {
  for (const name of c.methods)
    if (!METHODS[name])
      throw new RangeError(`beyond-variance: unknown method "${name}"; known: ${METHOD_NAMES.join(', ')}`);
  const posInt = (k: keyof Config) => {
    const v = c[k] as number;
    if (!(Number.isInteger(v) && v >= 1))
      throw new RangeError(`beyond-variance: ${String(k)} must be a positive integer, got ${v}`);
  };
  for (const k of ['poolPerLevel', 'measureSamples', 'steps', 'groupSize', 'evalProblems', 'evalSamples'] as const)
    posInt(k);
  posInt('trainPromptSamples');
  if (c.groupSize < 2) throw new RangeError(`beyond-variance: groupSize must be at least 2, got ${c.groupSize}`);
  if (!(Number.isInteger(c.bandCount) && c.bandCount >= 1 && 2 * c.bandCount < c.measureSamples))
    throw new RangeError(
      `beyond-variance: bandCount c must be an integer with 1 ≤ c and 2c < measureSamples (the bands [1/M, c/M] and ` +
        `[1 − c/M, 1 − 1/M] must not meet), got c = ${c.bandCount}, M = ${c.measureSamples}`,
    );
  if (c.levels.length === 0) throw new RangeError('beyond-variance: levels must name at least one level');
  for (const k of c.passKs)
    if (!(Number.isInteger(k) && k >= 1 && k <= c.evalSamples))
      throw new RangeError(`beyond-variance: every pass@k needs 1 ≤ k ≤ evalSamples (${c.evalSamples}), got ${k}`);
}

/**
 * The positive–negative pair (see the module comment): q⁺ drawn uniformly among the candidates with
 * 1 ≤ successes ≤ c, q⁻ among those with M − c ≤ successes ≤ M − 1. Throws when a band is empty (enlarge the pool).
 */
export function selectPair(cands: readonly Candidate[], c: number, rng: Rng): { plus: Candidate; minus: Candidate } {
  const plus = cands.filter((x) => x.successes >= 1 && x.successes <= c);
  const minus = cands.filter((x) => x.successes >= x.n - c && x.successes <= x.n - 1);
  if (plus.length === 0 || minus.length === 0)
    throw new Error(
      `beyond-variance: no ${
        plus.length === 0 ? 'hard-but-solvable (1..c successes)' : 'easy-but-brittle ' + '(M − c..M − 1 successes)'
      } candidate among ${cands.length} (c = ${c}); enlarge poolPerLevel or bandCount`,
    );
  return { plus: plus[rng.split('plus').int(plus.length)], minus: minus[rng.split('minus').int(minus.length)] };
}

/** The variance rule: the two candidates with the largest p̂(1 − p̂), ties broken at random. */
export function selectByVariance(cands: readonly Candidate[], rng: Rng): [Candidate, Candidate] {
  if (cands.length < 2) throw new Error(`beyond-variance: the variance rule needs 2 candidates, got ${cands.length}`);
  const order = rng.shuffle(cands.map((_, i) => i));
  const v = (i: number) => successRate(cands[i]) * (1 - successRate(cands[i]));
  // A stable sort of a random permutation: equal variances come out in random order.
  order.sort((a, b) => v(b) - v(a));
  return [cands[order[0]], cands[order[1]]];
}

/** Per rollout step (slot 0 and 1: the step's two prompts in the method's order; for 'pair' q⁺ then q⁻). */
export interface TrainCurves {
  /** Mean reward of each slot's G answers (sampled by the current policy before the step's updates). */
  reward0: number[];
  reward1: number[];
  /** Fraction of the step's 2G answers whose advantage is exactly zero (their group's rewards all agree). */
  zeroGrad: number[];
}

/**
 * Trains `policy` for `c.steps` rollout steps on the prompts `promptsAt(t)` (two per step) with `recipe`: per step,
 * G answers to each prompt from the current policy, then one Adam step per group in random order (see the module
 * comment).
 */
export function trainOnPrompts(
  policy: RlPolicy,
  task: Task,
  recipe: Recipe,
  promptsAt: (t: number) => [Problem, Problem],
  c: Config,
  rng: Rng,
): TrainCurves {
  const curves: TrainCurves = { reward0: [], reward1: [], zeroGrad: [] };
  const G = c.groupSize;
  for (let t = 1; t <= c.steps; t++) {
    const probs = promptsAt(t);
    const groups: Rollouts[] = probs.map((p, j) =>
      sampleRollouts(policy, task, [p], G, completionBudget(task, p.level), rng.split(`s${t}:${j}`)),
    );
    const mean = (r: Rollouts) => r.rewards.reduce((a, b) => a + b, 0) / r.rewards.length;
    curves.reward0.push(mean(groups[0]));
    curves.reward1.push(mean(groups[1]));
    let zero = 0;
    for (const g of groups) {
      const m = mean(g);
      if (m === 0 || m === 1) zero += G;
    }
    curves.zeroGrad.push(zero / (2 * G));
    for (const j of rng.split(`order${t}`).shuffle([0, 1])) {
      // Sampled before this step's first Adam step: ratios to that policy (exactly 1 on the first mini-batch).
      groups[j].offPolicy = true;
      policyUpdate(policy, recipe, groups[j], null);
    }
  }
  return curves;
}

const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * One seed. Metrics: `m/L<l>:pass@k` for m ∈ {base, …methods} and every level (held-out, unbiased); per selection
 * rule `pair/pPlus`, `pair/pMinus`, `pair/levelPlus`, `pair/levelMinus`, `variance/p0`, `variance/p1`,
 * `variance/level0`, `variance/level1` (the base model's measured success rates and the levels of the chosen prompts);
 * per method `m/trainFinal0`, `m/trainFinal1` (success rate on its two prompts after training; not for 'pool'),
 * `m/meanReward` (mean training reward over the run), `m/zeroGrad` (mean zero-advantage fraction), `m/zeroGradEarly`
 * (first quarter). Series: `m/reward0`, `m/reward1`, `m/zeroGrad`, the held-out counts and the pool's measured
 * success counts `measure/L<l>:counts`. Timings `m/trainMs`, `measure/ms`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkConfig(c);
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const root = new Rng(seed).split('beyond-variance');
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const copy = () => transformerLmCopy('beyond-variance', base, new Rng(0));
  const heldout = new Map(c.levels.map((l) => [l, distinctProblems(task, seed, l, 'heldout', c.evalProblems)]));
  const evaluate = (name: string, policy: RlPolicy) => {
    for (const l of c.levels) {
      // The same sampling stream for every method (common random numbers across the paired comparison).
      const counts = evaluateCounts(policy, task, heldout.get(l)!, c.evalSamples, root.split(`eval${l}`));
      series[metricKey(name, `${levelTag(l)}:counts`)] = Array.from(counts);
      for (const k of c.passKs)
        metrics[metricKey(name, `${levelTag(l)}:pass@${k}`)] = passAtKFromCounts(counts, c.evalSamples, k);
    }
  };
  const basePolicy = new LmPolicy(copy(), { lr: 1 });
  evaluate('base', basePolicy);

  // The candidate pool and its one measurement with the base model (read by both selection rules).
  const t0 = Date.now();
  const cands: Candidate[] = [];
  for (const l of c.levels) {
    const probs = distinctProblems(task, seed, l, 'train', c.poolPerLevel);
    const counts = evaluateCounts(basePolicy, task, probs, c.measureSamples, root.split(`measure${l}`));
    series[metricKey('measure', `${levelTag(l)}:counts`)] = Array.from(counts);
    probs.forEach((p, i) => cands.push({ problem: p, successes: counts[i], n: c.measureSamples }));
  }
  timings[metricKey('measure', 'ms')] = Date.now() - t0;
  const pair = selectPair(cands, c.bandCount, root.split('select-pair'));
  const vpair = selectByVariance(cands, root.split('select-variance'));
  metrics[metricKey('pair', 'pPlus')] = successRate(pair.plus);
  metrics[metricKey('pair', 'pMinus')] = successRate(pair.minus);
  metrics[metricKey('pair', 'levelPlus')] = pair.plus.problem.level;
  metrics[metricKey('pair', 'levelMinus')] = pair.minus.problem.level;
  metrics[metricKey('variance', 'p0')] = successRate(vpair[0]);
  metrics[metricKey('variance', 'p1')] = successRate(vpair[1]);
  metrics[metricKey('variance', 'level0')] = vpair[0].problem.level;
  metrics[metricKey('variance', 'level1')] = vpair[1].problem.level;

  const early = Math.max(1, Math.floor(c.steps / 4));
  for (const name of c.methods) {
    const spec = METHODS[name];
    const policy = new LmPolicy(copy(), { lr: c.lr, maxGradNorm: 1 });
    const trng = root.split('train');
    let fixed: [Problem, Problem] | null = null;
    let promptsAt: (t: number) => [Problem, Problem];
    if (spec.source === 'pool') {
      const stream = new ProblemStream(task, 0, 'train');
      // The stream's generator is replaced by the run's (as trainRl does), so the problems depend on the seed.
      (stream as { rng: Rng }).rng = trng.split('problems');
      const lrng = trng.split('levels');
      const draw = () => stream.next(c.levels[lrng.int(c.levels.length)]);
      promptsAt = () => [draw(), draw()];
    } else {
      fixed = spec.source === 'pair' ? [pair.plus.problem, pair.minus.problem] : [vpair[0].problem, vpair[1].problem];
      const f = fixed;
      promptsAt = () => f;
    }
    const t1 = Date.now();
    const cv = trainOnPrompts(policy, task, spec.recipe, promptsAt, c, trng);
    timings[metricKey(name, 'trainMs')] = Date.now() - t1;
    const key = (k: string) => metricKey(name, k);
    series[key('reward0')] = cv.reward0;
    series[key('reward1')] = cv.reward1;
    series[key('zeroGrad')] = cv.zeroGrad;
    metrics[key('meanReward')] = (mean(cv.reward0) + mean(cv.reward1)) / 2;
    metrics[key('zeroGrad')] = mean(cv.zeroGrad);
    metrics[key('zeroGradEarly')] = mean(cv.zeroGrad.slice(0, early));
    if (fixed)
      for (let j = 0; j < 2; j++)
        metrics[key(`trainFinal${j}`)] =
          evaluateCounts(policy, task, [fixed[j]], c.trainPromptSamples, root.split(`trainfinal${j}`))[0] /
          c.trainPromptSamples;
    evaluate(name, policy);
  }
  return { metrics, series, timings };
}
