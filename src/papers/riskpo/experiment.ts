/**
 * "RiskPO: Risk-based Policy Optimization via Verifiable Reward for LLM Post-Training" (Ren, Jiang et al. 2025) on the
 * reasoning testbed: the tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE) trained on 3-digit
 * scratchpad addition with fresh training-split problems, by RiskPO (trainer/objectives/riskpo.ts: the bundle MVaR
 * advantage with tracked quantiles) and the baselines, all on one pipeline (the authors' verl setting in miniature):
 *   rollout step   sample G answers to each of B fresh prompts (temperature 1); the B prompts form B/K bundles of K
 *   gradient steps split the batch at random into `miniBatches` mini-batches (whole bundles for RiskPO, whole groups
 *                  otherwise) and take one Adam step on each in turn (the authors' hard-level script: 512 prompts,
 *                  mini-batch 128, so 4), every mini-batch after the first off-policy (ratios and clips act)
 *   quantiles      RiskPO's q_α, q_β are tracked over the papers of every batch after its advantages are computed
 *                  (QuantileTracker; lr_q 0.1), the first update using each bundle's own quantiles
 * Methods (record-key names), everything else shared (prompts, samples per prompt, Adam steps, learning rate):
 *   RiskPO      bundle MVaR with the authors' hard-level settings (K 5, α 0.2, β 0.8, ω 1.5, credit 'sum-mean',
 *               std-normalised, no natural baseline), tracked quantiles, PPO clip 0.2, per-sequence token mean, no KL,
 *               no filter
 *   RiskPO-easy as RiskPO with the authors' easy-level settings (β 0.9, credit 'std', natural baseline q_α − q_β)
 *   RiskPO-K1   as RiskPO with K = 1 (no bundling: X is the 0/1 reward of one answer; the bundling ablation)
 *   GRPO        A = (r − r̄)/std, PPO clip 0.2, per-sequence token mean, no KL (testbed recipe grpo without its KL)
 *   DAPO        A = (r − r̄)/std, clip-higher 0.2/0.28, token mean, groups with uniform rewards dropped; without the
 *               dynamic re-sampling, so that every method samples the same prompts and answers
 * All methods of a seed start from the same base model, see the same training problems (the same stream) and random
 * streams, and are evaluated on the same held-out problems with the same sampling streams (paired by seed).
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import type { Rng } from '../../core/rng';
import { ADDITION_BASE } from '../../testbeds/reasoning/base-model';
import type { Task } from '../../testbeds/reasoning/tasks/task';
import { advantages } from '../../testbeds/reasoning/trainer/advantage';
import { completionBudget, sampleRollouts } from '../../testbeds/reasoning/trainer/loop';
import {
  QuantileTracker,
  RISKPO_EASY,
  RISKPO_RECIPE,
  bundlePaperScores,
  checkRiskpoSpec,
  empiricalMvar,
  riskpoSpec,
  type RiskpoSpec,
} from '../../testbeds/reasoning/trainer/objectives/riskpo';
import {
  EntropyTap,
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
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';
import { recipeAdvantages } from '../../testbeds/reasoning/trainer/update';
import { meanPassAtK } from '../../testbeds/rlvr/passk';

export { chunks as splitChunks, levelTag } from '../../testbeds/reasoning/trainer/pipeline';

/** A compared method: its recipe, and for RiskPO whether its quantiles are tracked. */
export interface MethodSpec {
  recipe: Recipe;
  /** RiskPO only: track q_α, q_β across updates (false: each bundle's own quantiles at every update). */
  tracked?: boolean;
}

/** The compared methods by record-key name. */
export const METHODS: Record<string, MethodSpec> = {
  RiskPO: { recipe: RISKPO_RECIPE, tracked: true },
  'RiskPO-easy': {
    recipe: { ...RISKPO_RECIPE, name: 'RiskPO (easy-level settings)', objective: riskpoSpec(RISKPO_EASY) },
    tracked: true,
  },
  'RiskPO-K1': {
    recipe: { ...RISKPO_RECIPE, name: 'RiskPO (K = 1)', objective: riskpoSpec({ bundleSize: 1 }) },
    tracked: true,
  },
  GRPO: { recipe: { ...RECIPES.grpo, kl: { kind: 'none' } } },
  DAPO: { recipe: { ...RECIPES.dapo, dynamicSampling: null } },
};

export const METHOD_NAMES = Object.keys(METHODS);

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config extends PaperConfig {
  /** Prompts per rollout step (B; a multiple of every RiskPO method's bundle size). */
  batchPrompts: number;
  /** lr_q of the quantile tracker. */
  lrQ: number;
  /** A training prompt is "hard" in the gradient-share diagnostic when at most this many of its G answers are right. */
  hardMaxCorrect: number;
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: METHOD_NAMES,
  level: 3,
  rollouts: 60,
  batchPrompts: 20,
  groupSize: 8,
  miniBatches: 4,
  lr: 1e-4,
  lrQ: 0.1,
  hardMaxCorrect: 1,
  evalProblems: 128,
  evalSamples: 32,
  passKs: [1, 4, 32],
};

/**
 * Share of the advantage mass Σ|A_i| that falls on the answers of hard prompts (at most `hardMaxCorrect` of their G
 * answers right), over the answers kept; NaN when the mass is 0.
 */
export function hardShare(
  adv: ArrayLike<number>,
  keep: ArrayLike<number>,
  rewards: ArrayLike<number>,
  B: number,
  G: number,
  hardMaxCorrect: number,
): number {
  let hard = 0,
    all = 0;
  for (let b = 0; b < B; b++) {
    let c = 0;
    for (let g = 0; g < G; g++) c += rewards[b * G + g];
    for (let g = 0; g < G; g++) {
      const i = b * G + g;
      if (!keep[i]) continue;
      const a = Math.abs(adv[i]);
      all += a;
      if (c <= hardMaxCorrect) hard += a;
    }
  }
  return all > 0 ? hard / all : NaN;
}

/** Per rollout step. */
export interface TrainCurves {
  /** Mean reward of the batch of B fresh training problems (sampled by the current policy). */
  reward: number[];
  /** Mean sampling entropy per generated token of that batch. */
  entropy: number[];
  /** Fraction of kept tokens whose clip bound (over the mini-batches). */
  clipFraction: number[];
  /** Share of the method's advantage mass on hard prompts, and GRPO's on the same batch. */
  hardShare: number[];
  grpoHardShare: number[];
  /** RiskPO: the quantiles the advantage used (NaN: per-bundle) and the batch's empirical MVaR at them. */
  qDown: number[];
  qUp: number[];
  mvar: number[];
}

/** Trains `policy` by method `m` (see the module comment); deterministic given `rng`. */
export function trainMethod(policy: RlPolicy, task: Task, m: MethodSpec, c: Config, rng: Rng): TrainCurves {
  const stream = trainingStream(task, rng);
  const L = completionBudget(task, c.level);
  const tap = new EntropyTap(policy);
  const base = m.recipe.objective?.kind === 'riskpo' ? checkRiskpoSpec(m.recipe.objective) : null;
  const K = base ? base.bundleSize : 1;
  if (c.batchPrompts % K !== 0)
    throw new RangeError(
      `riskpo experiment: batchPrompts ${c.batchPrompts} is not a multiple of the bundle size ${K} (${m.recipe.name})`,
    );
  const tracker = base ? new QuantileTracker([base.alphaDown, base.alphaUp], c.lrQ) : null;
  const curves: TrainCurves = {
    reward: [],
    entropy: [],
    clipFraction: [],
    hardShare: [],
    grpoHardShare: [],
    qDown: [],
    qUp: [],
    mvar: [],
  };
  for (let t = 1; t <= c.rollouts; t++) {
    const srng = rng.split(`sample${t}`);
    tap.reset();
    const batch = sampleRollouts(tap, task, stream.batch(c.level, c.batchPrompts), c.groupSize, L, srng);
    curves.entropy.push(tap.mean());
    curves.reward.push(meanReward(batch));
    let recipe = m.recipe;
    if (base && tracker) {
      const spec: RiskpoSpec =
        m.tracked && tracker.ready ? { ...base, qDown: tracker.q[0], qUp: tracker.q[1] } : { ...base };
      recipe = { ...m.recipe, objective: spec };
      curves.qDown.push(spec.qDown ?? NaN);
      curves.qUp.push(spec.qUp ?? NaN);
    }
    // The gradient-share diagnostic on the whole batch: this method's advantages and GRPO's, same answers.
    const { adv, keep } = recipeAdvantages(recipe, batch, null);
    curves.hardShare.push(hardShare(adv, keep, batch.rewards, batch.B, batch.G, c.hardMaxCorrect));
    const grpo = advantages('grpo', batch.rewards, batch.B, batch.G);
    curves.grpoHardShare.push(
      hardShare(grpo, new Uint8Array(batch.B * batch.G).fill(1), batch.rewards, batch.B, batch.G, c.hardMaxCorrect),
    );
    // Mini-batches of whole bundles (K = 1: whole groups), in a random order; an update that kept nothing is left
    // out of the clip fraction.
    const update = miniBatchSteps(policy, recipe, batch, c.miniBatches, rng.split(`order${t}`), {
      unit: K,
      clipCount: 'kept',
    });
    curves.clipFraction.push(update.clipFraction);
    if (base && tracker) {
      const papers = bundlePaperScores(batch.rewards, batch.B, batch.G, K);
      tracker.update(papers);
      curves.mvar.push(empiricalMvar(papers, tracker.q[0], tracker.q[1], base.wMix));
    }
  }
  return curves;
}

/**
 * One seed. Per method m ∈ {base, …methods}: `m/L<l>:pass@k` (held-out, unbiased, `evalSamples` each),
 * `m/hard:pass@k` (the same on the hardest bucket: held-out problems the base model solved in none of its samples),
 * `m/evalEntropy` (mean sampling entropy per generated token on the held-out evaluation); for the trained methods
 * `m/meanReward`, `m/lateReward` (mean batch reward over the run and its last quarter), `m/entropyLate` (rollout
 * entropy over the last quarter), `m/hardShare` and `m/grpoHardShare` (mean over rollout steps of the share of the
 * advantage mass on hard training prompts, this method's and GRPO's on the same batches), `m/clippedFraction`.
 * `base/hardCount`: the bucket's size. Series `m/L<l>:counts`, `m/reward`, `m/entropy`, `m/hardShare`,
 * `m/grpoHardShare`, `m/clipFraction`, and for RiskPO methods `m/qDown`, `m/qUp`, `m/mvar`. Timings `m/rolloutMs`,
 * `m/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkMethodNames('riskpo', c.methods, METHODS);
  let hard: number[] = [];
  const run = seedRun(c, seed, 'riskpo', {
    counts: (name, counts) => {
      if (name !== 'base') return;
      hard = [];
      counts.forEach((n, i) => n === 0 && hard.push(i));
      run.metrics[metricKey('base', 'hardCount')] = hard.length;
    },
    passK: (name, k, counts) => {
      run.metrics[metricKey(name, `hard:pass@${k}`)] = hard.length
        ? meanPassAtK(
            hard.map(() => c.evalSamples),
            hard.map((i) => counts[i]),
            k,
          )
        : NaN;
    },
    entropy: true,
  });
  const { metrics, series, timings } = run;
  run.evaluate('base', new LmPolicy(run.copy(), { lr: 1 }));
  for (const name of c.methods) {
    const policy = run.policy(c.lr);
    const t0 = Date.now();
    const cv = trainMethod(policy, run.task, METHODS[name], c, run.root.split('train'));
    timings[metricKey(name, 'rolloutMs')] = (Date.now() - t0) / c.rollouts;
    const key = (k: string) => metricKey(name, k);
    const late = Math.floor((3 * c.rollouts) / 4);
    series[key('reward')] = cv.reward;
    series[key('entropy')] = cv.entropy;
    series[key('clipFraction')] = cv.clipFraction;
    series[key('hardShare')] = cv.hardShare;
    series[key('grpoHardShare')] = cv.grpoHardShare;
    if (cv.qDown.length) {
      series[key('qDown')] = cv.qDown;
      series[key('qUp')] = cv.qUp;
      series[key('mvar')] = cv.mvar;
    }
    metrics[key('meanReward')] = mean(cv.reward);
    metrics[key('lateReward')] = mean(cv.reward.slice(late));
    metrics[key('entropyLate')] = mean(cv.entropy.slice(late));
    metrics[key('hardShare')] = finiteMean(cv.hardShare);
    metrics[key('grpoHardShare')] = finiteMean(cv.grpoHardShare);
    metrics[key('clippedFraction')] = finiteMean(cv.clipFraction);
    run.evaluate(name, policy);
  }
  return run.result();
}
