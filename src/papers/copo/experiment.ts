/**
 * "COPO: Consistency-Aware Policy Optimization" (Han, Chen, Shao et al. 2025) on the reasoning testbed: the tiny
 * transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE) trained on 3-digit scratchpad addition with fresh
 * training-split problems, by COPO (trainer/objectives/copo.ts) and its baselines, at an EQUAL GENERATION BUDGET:
 * every method samples the same number of prompts (`rollouts` rollout steps × B prompts × G answers), and
 *   GRPO, COPO, COPO (hard switch)  update on every rollout step's B groups: split at random into `miniBatches`
 *                                   mini-batches, one Adam step each (every mini-batch after the first is off-policy,
 *                                   so the ratio clip acts; the official script: 512 prompts in 16 mini-batches);
 *   GRPO + DS                       (DAPO's dynamic sampling) drops the groups whose rewards all agree and collects
 *                                   the others over rollout steps until it has B of them, then updates on those B
 *                                   exactly as above (extras of the last draw are discarded, as verl's DAPO trainer
 *                                   does: batch[:train_batch_size]); a rollout step that does not fill the batch takes
 *                                   no step. Its extra draws come out of the same budget, so it makes fewer Adam steps.
 * All methods share GRPO's recipe (std-normalised group advantage, PPO clip 0.2, per-sequence token mean, no KL, as
 * the official run_copo.sh) and differ only in the objective (COPO's global loss and blend) or the sampling rule (DS).
 * All methods of a seed start from the same base model and the same problem stream and are evaluated on the same
 * held-out problems with the same sampling streams (paired by seed).
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import type { Rng } from '../../core/rng';
import { ADDITION_BASE } from '../../testbeds/reasoning/base-model';
import type { Task } from '../../testbeds/reasoning/tasks/task';
import { advantages } from '../../testbeds/reasoning/trainer/advantage';
import { completionBudget, concatRollouts, sampleRollouts, selectGroups } from '../../testbeds/reasoning/trainer/loop';
import {
  attachCopoGroupStats,
  copoBatchAnswerKeys,
  copoGroupStats,
  copoParams,
  copoResponseParts,
  COPO_RECIPES,
} from '../../testbeds/reasoning/trainer/objectives/copo';
import {
  EntropyTap,
  checkMethodNames,
  finiteMean,
  mean,
  meanReward,
  miniBatchSteps,
  mixedGroups,
  seedRun,
  trainingStream,
  type PaperConfig,
} from '../../testbeds/reasoning/trainer/pipeline';
import { LmPolicy, type RlPolicy } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import type { Rollouts } from '../../testbeds/reasoning/trainer/update';

export {
  chunks as splitChunks,
  EntropyTap as SamplingEntropyMeter,
  levelTag,
  mixedGroups as mixedGroupIndices,
} from '../../testbeds/reasoning/trainer/pipeline';

/** One compared method: its recipe and its sampling rule. */
export interface MethodSpec {
  recipe: Recipe;
  /** true: GRPO + dynamic sampling (collect groups with mixed rewards until B are kept). */
  dynamicSampling: boolean;
}

const GRPO: Recipe = { ...RECIPES.grpo, kl: { kind: 'none' } };

/** The compared methods by record-key name. */
export const METHODS: Record<string, MethodSpec> = {
  GRPO: { recipe: GRPO, dynamicSampling: false },
  'GRPO-DS': { recipe: { ...GRPO, name: 'GRPO + dynamic sampling' }, dynamicSampling: true },
  COPO: { recipe: COPO_RECIPES.copo, dynamicSampling: false },
  'COPO-hard': { recipe: COPO_RECIPES['copo-hard'], dynamicSampling: false },
};

export const METHOD_NAMES = Object.keys(METHODS);

/**
 * One seed's run (every field is used; the notebook overrides sizes per profile). Each rollout step samples B fresh
 * prompts × G answers (the generation budget); B is also the groups per update.
 */
export interface Config extends PaperConfig {}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: METHOD_NAMES,
  level: 3,
  rollouts: 200,
  batchPrompts: 16,
  groupSize: 8,
  miniBatches: 8,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 32,
  passKs: [1, 8, 32],
};

/** Fractions of a batch's responses in all-correct and in all-wrong groups. */
export function uniformShares(r: Rollouts): { allCorrect: number; allWrong: number } {
  let ac = 0,
    aw = 0;
  for (let b = 0; b < r.B; b++) {
    let s = 0;
    for (let g = 0; g < r.G; g++) s += r.rewards[b * r.G + g];
    if (s === r.G) ac++;
    if (s === 0) aw++;
  }
  return { allCorrect: ac / r.B, allWrong: aw / r.B };
}

/**
 * What the method's update would do with each response of a freshly sampled batch, strictly on-policy: the fraction
 * of responses whose policy-gradient weight is exactly zero (GRPO and DS: a group whose rewards agree has advantage 0
 * — DS discards it, which costs its generation all the same; COPO: (1 − w)·A^glob + w·A^loc = 0), and for COPO the
 * mean weight of the global loss (1 − w) and the mean answer entropy of the groups (bits).
 */
export function gradientProfile(
  spec: MethodSpec,
  r: Rollouts,
): { zeroGrad: number; globalWeight: number; answerEntropy: number } {
  const N = r.B * r.G;
  const local = advantages(spec.recipe.advantage, r.rewards, r.B, r.G);
  const obj = spec.recipe.objective;
  if (!obj || obj.kind !== 'copo') {
    let z = 0;
    for (let i = 0; i < N; i++) if (local[i] === 0) z++;
    return { zeroGrad: z / N, globalWeight: NaN, answerEntropy: NaN };
  }
  const p = copoParams(obj);
  const stats = copoGroupStats(r.rewards, copoBatchAnswerKeys(r), r.B, r.G, p.consistencyCoef);
  const { global, weight } = copoResponseParts(r, local, p, stats);
  let z = 0,
    gw = 0;
  for (let i = 0; i < N; i++) {
    if ((1 - weight[i]) * global[i] + weight[i] * local[i] === 0) z++;
    gw += 1 - weight[i];
  }
  const H = stats.answerEntropy.reduce((a, b) => a + b, 0) / r.B;
  return { zeroGrad: z / N, globalWeight: gw / N, answerEntropy: H };
}

/** Per rollout step. */
export interface BudgetCurves {
  /** Mean reward of the step's B fresh training problems (sampled by the current policy). */
  reward: number[];
  /** Mean sampling entropy per generated token of that draw (nats). */
  entropy: number[];
  /** Fraction of the draw's responses with zero policy-gradient weight under the method (see `gradientProfile`). */
  zeroGrad: number[];
  /** Fractions of the draw's groups that are all correct / all wrong. */
  allCorrect: number[];
  allWrong: number[];
  /** COPO: mean weight of the global loss over the draw's responses, mean answer entropy (bits); NaN otherwise. */
  globalWeight: number[];
  answerEntropy: number[];
  /** Adam steps taken so far (after this rollout step). */
  adamSteps: number[];
  /** Fraction of trained tokens whose clip bound, over this step's mini-batches (NaN when no step). */
  clipFraction: number[];
}

/** Trains `policy` by `spec` on a budget of `c.rollouts` draws of B prompts (see the module comment). */
export function trainOnBudget(policy: RlPolicy, task: Task, spec: MethodSpec, c: Config, rng: Rng): BudgetCurves {
  const stream = trainingStream(task, rng);
  const L = completionBudget(task, c.level);
  const tap = new EntropyTap(policy);
  const copo = spec.recipe.objective?.kind === 'copo' ? copoParams(spec.recipe.objective) : null;
  const curves: BudgetCurves = {
    reward: [],
    entropy: [],
    zeroGrad: [],
    allCorrect: [],
    allWrong: [],
    globalWeight: [],
    answerEntropy: [],
    adamSteps: [],
    clipFraction: [],
  };
  let buffer: Rollouts[] = [];
  let buffered = 0,
    steps = 0;
  for (let t = 1; t <= c.rollouts; t++) {
    tap.reset();
    const draw = sampleRollouts(tap, task, stream.batch(c.level, c.batchPrompts), c.groupSize, L, rng.split(`s${t}`));
    curves.entropy.push(tap.mean());
    curves.reward.push(meanReward(draw));
    const prof = gradientProfile(spec, draw);
    const u = uniformShares(draw);
    curves.zeroGrad.push(prof.zeroGrad);
    curves.globalWeight.push(prof.globalWeight);
    curves.answerEntropy.push(prof.answerEntropy);
    curves.allCorrect.push(u.allCorrect);
    curves.allWrong.push(u.allWrong);
    let batch: Rollouts | null = draw;
    if (spec.dynamicSampling) {
      const sel = selectGroups(draw, mixedGroups(draw).slice(0, c.batchPrompts - buffered));
      if (sel.B > 0) buffer.push(sel);
      buffered += sel.B;
      if (buffered < c.batchPrompts) batch = null;
      else {
        batch = concatRollouts(buffer);
        buffer = [];
        buffered = 0;
      }
    }
    if (!batch) {
      curves.adamSteps.push(steps);
      curves.clipFraction.push(NaN);
      continue;
    }
    // COPO's global advantage is standardised over the prompts of the whole update batch (as verl computes it once
    // before the mini-batches); each mini-batch carries its groups' share of those statistics.
    const stats = copo
      ? copoGroupStats(batch.rewards, copoBatchAnswerKeys(batch), batch.B, batch.G, copo.consistencyCoef)
      : null;
    const update = miniBatchSteps(policy, spec.recipe, batch, c.miniBatches, rng.split(`order${t}`), {
      prepare: stats
        ? (mb, groups) =>
            attachCopoGroupStats(mb, {
              answerEntropy: Float64Array.from(groups, (b) => stats.answerEntropy[b]),
              globalAdvantage: Float64Array.from(groups, (b) => stats.globalAdvantage[b]),
            })
        : undefined,
    });
    steps += update.steps;
    curves.adamSteps.push(steps);
    curves.clipFraction.push(update.clipFraction);
  }
  return curves;
}

/**
 * One seed. Per method m ∈ {base, …methods}: `m/L<l>:pass@k` (held-out, unbiased, `evalSamples` each), `m/evalEntropy`
 * (mean sampling entropy per generated token on the held-out evaluation), and for the trained methods
 * `m/meanReward` (mean over rollout steps of the reward on that step's fresh training problems: the area under the
 * accuracy curve), `m/lateReward` (its last quarter), `m/zeroGrad` (mean fraction of sampled responses with zero
 * gradient weight), `m/zeroGradEarly` (its first quarter), `m/allCorrect`, `m/allWrong`, `m/entropyLate` (rollout
 * entropy over the last quarter), `m/adamSteps`, `m/clippedFraction`, and for COPO variants `m/globalWeight`,
 * `m/globalWeightEarly`, `m/globalWeightLate`. Series of every per-step curve. Timings `m/rolloutMs`, `m/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkMethodNames('copo', c.methods, METHODS);
  if (!(Number.isInteger(c.rollouts) && c.rollouts >= 1))
    throw new RangeError(`copo: rollouts must be a positive integer, got ${c.rollouts}`);
  const run = seedRun(c, seed, 'copo', { entropy: true });
  const { metrics, series, timings } = run;
  run.evaluate('base', new LmPolicy(run.copy(), { lr: 1 }));
  const early = Math.max(1, Math.floor(c.rollouts / 4));
  const late = Math.floor((3 * c.rollouts) / 4);
  for (const name of c.methods) {
    const policy = run.policy(c.lr);
    const t0 = Date.now();
    const cv = trainOnBudget(policy, run.task, METHODS[name], c, run.root.split('train'));
    timings[metricKey(name, 'rolloutMs')] = (Date.now() - t0) / c.rollouts;
    const key = (k: string) => metricKey(name, k);
    for (const [k, v] of Object.entries(cv)) series[key(k)] = v as number[];
    metrics[key('meanReward')] = mean(cv.reward);
    metrics[key('lateReward')] = mean(cv.reward.slice(late));
    metrics[key('zeroGrad')] = mean(cv.zeroGrad);
    metrics[key('zeroGradEarly')] = mean(cv.zeroGrad.slice(0, early));
    metrics[key('allCorrect')] = mean(cv.allCorrect);
    metrics[key('allWrong')] = mean(cv.allWrong);
    metrics[key('entropyLate')] = mean(cv.entropy.slice(late));
    metrics[key('adamSteps')] = cv.adamSteps[cv.adamSteps.length - 1];
    metrics[key('clippedFraction')] = finiteMean(cv.clipFraction);
    if (METHODS[name].recipe.objective?.kind === 'copo') {
      metrics[key('globalWeight')] = mean(cv.globalWeight);
      metrics[key('globalWeightEarly')] = mean(cv.globalWeight.slice(0, early));
      metrics[key('globalWeightLate')] = mean(cv.globalWeight.slice(late));
    }
    run.evaluate(name, policy);
  }
  return run.result();
}
