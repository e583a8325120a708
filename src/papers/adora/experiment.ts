/**
 * "ADORA: Training Reasoning Models with Dynamic Advantage Estimation on Reinforcement Learning" (Ren, Huang, Fang et
 * al. 2026) on the reasoning testbed: the tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE) trained on
 * 3-digit scratchpad addition with fresh training-split problems, by GRPO and by GRPO + ADORA
 * (trainer/objectives/adora.ts: the official length-advantage rule, temporarily disadvantageous prompts' advantages
 * times λ) at λ = 0.1 (the official default) and, for the sensitivity sweep, λ = 0.3 and 0.5.
 * EQUAL BUDGETS: every method samples `rollouts` rollout steps × B fresh prompts × G answers and, on each step,
 * splits its B groups at random into `miniBatches` mini-batches with one Adam step each (the official script: train
 * batch 64 prompts, PPO mini-batch 32, so 2 Adam steps per rollout step; every mini-batch after the first is
 * off-policy and the clip acts). The methods differ only in the advantage: ADORA is GRPO's recipe (ADORA_GRPO_BASE:
 * PPO clip 0.2, token-mean, no KL) with the objective slot reweighting the advantage. All methods of a seed start from
 * the same base model and the same problem stream and are evaluated on the same held-out problems with the same
 * sampling streams (paired by seed).
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import type { Rng } from '../../core/rng';
import { ADDITION_BASE } from '../../testbeds/reasoning/base-model';
import type { Task } from '../../testbeds/reasoning/tasks/task';
import { completionBudget, sampleRollouts } from '../../testbeds/reasoning/trainer/loop';
import { ADORA_GRPO_BASE, adoraClassify, adoraRecipe } from '../../testbeds/reasoning/trainer/objectives/adora';
import {
  checkMethodNames,
  finiteMean,
  mean,
  meanReward,
  miniBatchSteps,
  seedRun,
  trainingStream,
  type PaperConfig,
} from '../../testbeds/reasoning/trainer/pipeline';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import type { Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { truncatedResponses, type Rollouts } from '../../testbeds/reasoning/trainer/update';

export { chunks as splitChunks, levelTag } from '../../testbeds/reasoning/trainer/pipeline';

/** The compared methods by record-key name: GRPO, ADORA at the official λ, and the λ sweep. */
export const METHODS: Record<string, Recipe> = {
  GRPO: ADORA_GRPO_BASE,
  ADORA: adoraRecipe(0.1),
  'ADORA-0.3': adoraRecipe(0.3),
  'ADORA-0.5': adoraRecipe(0.5),
};

export const METHOD_NAMES = Object.keys(METHODS);

/**
 * One seed's run (every field is used; the notebook overrides sizes per profile). Each rollout step samples B fresh
 * prompts × G answers (the generation budget).
 */
export interface Config extends PaperConfig {}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: METHOD_NAMES,
  level: 3,
  rollouts: 80,
  batchPrompts: 16,
  groupSize: 8,
  miniBatches: 2,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 16,
  passKs: [1, 4, 16],
};

/**
 * ADORA's classification of a freshly sampled batch (whatever method trains): the number of groups with mixed rewards
 * (the only ones whose advantage is not zero) and how many of them are temporarily disadvantageous (TDS).
 */
export function classificationProfile(r: Rollouts): { mixed: number; tds: number } {
  const groups = adoraClassify(r.rewards, r.lengths, truncatedResponses(r), r.B, r.G);
  let mixed = 0,
    tds = 0;
  for (let b = 0; b < r.B; b++) {
    let s = 0;
    for (let g = 0; g < r.G; g++) s += r.rewards[b * r.G + g];
    if (s > 0 && s < r.G) {
      mixed++;
      if (!groups[b].advantageous) tds++;
    }
  }
  return { mixed, tds };
}

/** Trailing mean over `w` steps. */
export function trailingMean(xs: readonly number[], w: number): number[] {
  return xs.map((_, i) => {
    const s = xs.slice(Math.max(0, i - w + 1), i + 1);
    return s.reduce((a, b) => a + b, 0) / s.length;
  });
}

/** Largest drop of a curve below its running maximum: max_t (max_{s ≤ t} x_s − x_t) (0 for a non-decreasing one). */
export function maxDrawdown(xs: readonly number[]): number {
  let peak = -Infinity,
    dd = 0;
  for (const x of xs) {
    peak = Math.max(peak, x);
    dd = Math.max(dd, peak - x);
  }
  return dd;
}

/** Per rollout step. */
export interface BudgetCurves {
  /** Mean reward of the step's B fresh training problems (sampled by the current policy). */
  reward: number[];
  /** Groups of the draw with mixed rewards, and the fraction of those ADORA's rule calls TDS (NaN when none). */
  mixed: number[];
  tdsShare: number[];
  /** Mean tokens per sampled response of the draw. */
  tokens: number[];
  /** Fraction of trained tokens whose clip bound, over the step's mini-batches. */
  clipFraction: number[];
}

/** Trains `policy` with `recipe` on `c.rollouts` rollout steps (see the module comment); deterministic given `rng`. */
export function trainOnBudget(policy: RlPolicy, task: Task, recipe: Recipe, c: Config, rng: Rng): BudgetCurves {
  const stream = trainingStream(task, rng);
  const L = completionBudget(task, c.level);
  const curves: BudgetCurves = { reward: [], mixed: [], tdsShare: [], tokens: [], clipFraction: [] };
  for (let t = 1; t <= c.rollouts; t++) {
    const batch = sampleRollouts(
      policy,
      task,
      stream.batch(c.level, c.batchPrompts),
      c.groupSize,
      L,
      rng.split(`s${t}`),
    );
    const N = batch.B * batch.G;
    curves.reward.push(meanReward(batch));
    curves.tokens.push(batch.lengths.reduce((a, b) => a + b, 0) / N);
    const prof = classificationProfile(batch);
    curves.mixed.push(prof.mixed);
    curves.tdsShare.push(prof.mixed ? prof.tds / prof.mixed : NaN);
    curves.clipFraction.push(miniBatchSteps(policy, recipe, batch, c.miniBatches, rng.split(`order${t}`)).clipFraction);
  }
  return curves;
}

/**
 * One seed. Per method m ∈ {base, …methods}: `m/L<l>:pass@k` (held-out, unbiased, `evalSamples` each); for the trained
 * methods `m/meanReward` (mean over rollout steps of the reward on that step's fresh training problems: the area under
 * the accuracy curve), `m/earlyReward` and `m/lateReward` (first and last quarter), `m/drawdown` (largest drop of the
 * training-reward curve, trailing mean over a tenth of the run, below its running maximum), `m/rewardJitter` (standard
 * deviation of the raw curve minus its trailing mean), `m/tdsShare` (mean share of mixed groups ADORA's rule calls
 * TDS, on this method's own draws), `m/tdsShareEarly` (first quarter), `m/mixed` (mean mixed groups per draw),
 * `m/trainTokens`, `m/clippedFraction`. Series of every per-step curve and the held-out counts. Timings
 * `m/rolloutMs`, `m/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkMethodNames('adora', c.methods, METHODS);
  if (!(Number.isInteger(c.rollouts) && c.rollouts >= 4))
    throw new RangeError(
      `adora: rollouts must be an integer ≥ 4 (quarters of the run are reported), got ${c.rollouts}`,
    );
  if (!(Number.isInteger(c.miniBatches) && c.miniBatches >= 1))
    throw new RangeError(`adora: miniBatches must be a positive integer, got ${c.miniBatches}`);
  const run = seedRun(c, seed, 'adora');
  const { metrics, series, timings } = run;
  run.evaluate('base', new LmPolicy(run.copy(), { lr: 1 }));
  const q = Math.max(1, Math.floor(c.rollouts / 4));
  const w = Math.max(1, Math.floor(c.rollouts / 10));
  for (const name of c.methods) {
    const policy = run.policy(c.lr);
    const t0 = Date.now();
    const cv = trainOnBudget(policy, run.task, METHODS[name], c, run.root.split('train'));
    timings[metricKey(name, 'rolloutMs')] = (Date.now() - t0) / c.rollouts;
    const key = (k: string) => metricKey(name, k);
    for (const [k, v] of Object.entries(cv)) series[key(k)] = v as number[];
    const smooth = trailingMean(cv.reward, w);
    metrics[key('meanReward')] = mean(cv.reward);
    metrics[key('earlyReward')] = mean(cv.reward.slice(0, q));
    metrics[key('lateReward')] = mean(cv.reward.slice(c.rollouts - q));
    metrics[key('drawdown')] = maxDrawdown(smooth);
    metrics[key('rewardJitter')] = Math.sqrt(mean(cv.reward.map((x, i) => (x - smooth[i]) ** 2)));
    metrics[key('tdsShare')] = finiteMean(cv.tdsShare);
    metrics[key('tdsShareEarly')] = finiteMean(cv.tdsShare.slice(0, q));
    metrics[key('mixed')] = mean(cv.mixed);
    metrics[key('trainTokens')] = mean(cv.tokens);
    metrics[key('clippedFraction')] = finiteMean(cv.clipFraction);
    run.evaluate(name, policy);
  }
  return run.result();
}
