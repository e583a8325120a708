/**
 * "Conditional Advantage Estimation for Reinforcement Learning in Large Reasoning Models" (Chen et al. 2025, CANON) on
 * the reasoning testbed: the tiny transformer (testbeds/reasoning/base-model.ts, ADDITION_BASE) trained on 3-digit
 * scratchpad addition with fresh training-split problems, by CANON (trainer/objectives/canon.ts) regrouping by entropy
 * and by length, against GRPO, Dr. GRPO (CANON's own base: its μ = ½ special case) and directional shaping of the same
 * two metrics in both directions (trainer/objectives/directional-shaping.ts). One pipeline for all:
 *   rollout step   sample G answers to each of B fresh prompts (temperature 1), each response's mean per-token
 *                  sampling entropy kept with it; keep the groups with mixed verifier rewards and draw B fresh prompts
 *                  again until B such groups are kept (at most `maxRounds` draws);
 *   gradient steps split the kept groups at random into `miniBatches` mini-batches and take one Adam step on each
 *                  (the official script: 512 prompts in 16 mini-batches of 32), so later mini-batches are off-policy
 *                  and the clip-higher ratio clip (0.2 / 0.28, the official clip_ratio_high) acts.
 * Methods (record-key names), one recipe each, everything else shared:
 *   GRPO        A = (r − r̄)/std, token-mean                       (the official script's GRPO row, token-mean)
 *   DrGRPO      A = r − r̄, constant normaliser                   (adv_estimator=dr_grpo, seq-mean-token-sum)
 *   CANON-H     Eq. 5 with μ = 1 regrouped by mean entropy        (adv_estimator=dr_entropy_token_budget)
 *   CANON-L     Eq. 5 with μ = 1 regrouped by length              (adv_estimator=dr_length_on_mean)
 *   EntAdv-hi   Dr. GRPO + entropy advantage, higher is better    (Cheng et al. 2025, α = 0.4, κ = 2)
 *   EntAdv-lo   the same prior reversed (lower entropy is better)
 *   Len-short   Dr. GRPO + Kimi k1.5 length reward, shorter is better (weight 1)
 *   Len-long    the same prior reversed (longer is better)
 * All methods of a seed start from the same base model, see the same first draws of training problems and the same
 * random streams, and are evaluated on the same held-out problems with the same sampling streams (paired by seed).
 * `premiseSeed` measures on one base-model batch which side of each metric has the higher accuracy, how much the length
 * varies within a group, and checks the identity CANON(μ = ½) = Dr. GRPO.
 */
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Rng } from '../../core/rng';
import { ADDITION_BASE, reasoningBase } from '../../testbeds/reasoning/base-model';
import { getTask } from '../../testbeds/reasoning/tasks/registry';
import type { Problem, Task } from '../../testbeds/reasoning/tasks/task';
import { advantages } from '../../testbeds/reasoning/trainer/advantage';
import {
  completionBudget,
  concatRollouts,
  passAtKFromCounts,
  sampleRollouts,
  selectGroups,
} from '../../testbeds/reasoning/trainer/loop';
import {
  canonAdvantages,
  canonHalves,
  canonRecipe,
  type EntropyRollouts,
} from '../../testbeds/reasoning/trainer/objectives/canon';
import {
  entropyAdvantageRecipe,
  lengthRewardRecipe,
} from '../../testbeds/reasoning/trainer/objectives/directional-shaping';
import {
  checkMethodNames,
  finiteMean,
  mean,
  mixedGroups,
  seedRun,
  trainPipeline as dapoPipeline,
  trainingStream,
  type PipelineCurves as DapoCurves,
  type PaperConfig,
  type PipelineConfig,
} from '../../testbeds/reasoning/trainer/pipeline';
import { LmPolicy, type Completions, type RlPolicy, type Scored } from '../../testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../testbeds/reasoning/trainer/recipes';

export { chunks, levelTag, mixedGroups } from '../../testbeds/reasoning/trainer/pipeline';

const CLIP_HIGHER = { kind: 'clip-higher', epsLow: 0.2, epsHigh: 0.28 } as const;

/** The compared methods by record-key name. */
export const METHODS: Record<string, Recipe> = {
  GRPO: { ...RECIPES.dapo, name: 'GRPO', filters: [], dynamicSampling: null },
  DrGRPO: { ...RECIPES['dr-grpo'], clipping: CLIP_HIGHER },
  'CANON-H': canonRecipe('entropy'),
  'CANON-L': canonRecipe('length'),
  'EntAdv-hi': entropyAdvantageRecipe('higher'),
  'EntAdv-lo': entropyAdvantageRecipe('lower'),
  'Len-short': lengthRewardRecipe('lower'),
  'Len-long': lengthRewardRecipe('higher'),
};

export const METHOD_NAMES = Object.keys(METHODS);

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config extends PaperConfig, PipelineConfig {
  /** Prompts of the base-model batch of `premiseSeed`. */
  premisePrompts: number;
}

export const DEFAULTS: Config = {
  base: ADDITION_BASE,
  methods: METHOD_NAMES,
  level: 3,
  rollouts: 80,
  batchPrompts: 16,
  groupSize: 8,
  maxRounds: 3,
  miniBatches: 4,
  lr: 1e-4,
  evalProblems: 128,
  evalSamples: 16,
  passKs: [1, 4, 16],
  premisePrompts: 256,
};

/** A policy that passes everything to `inner` and keeps the last sampled completions (for their entropies). */
class LastSample implements RlPolicy {
  last: Completions | null = null;
  constructor(readonly inner: RlPolicy) {}
  sample(...a: Parameters<RlPolicy['sample']>): Completions {
    this.last = this.inner.sample(...a);
    return this.last;
  }
  score(seq: Int32Array, N: number, T: number, P: number): Scored {
    return this.inner.score(seq, N, T, P);
  }
  backward(s: Scored, w: Float32Array, e?: Float32Array): void {
    this.inner.backward(s, w, e);
  }
  step(): number {
    return this.inner.step();
  }
  snapshot(): Float32Array {
    return this.inner.snapshot();
  }
}

/**
 * G samples of each problem with each response's mean per-token sampling entropy (`responseEntropy`) and the sum of
 * the per-token entropies and of the generated tokens (for the batch's mean entropy per token).
 */
export function sampleWithEntropy(
  policy: RlPolicy,
  task: Task,
  problems: readonly Problem[],
  G: number,
  L: number,
  rng: Rng,
): { batch: EntropyRollouts; entropySum: number; tokens: number } {
  const tap = new LastSample(policy);
  const batch: EntropyRollouts = sampleRollouts(tap, task, problems, G, L, rng);
  const c = tap.last!;
  if (!c.entropy) throw new Error('canon experiment: the policy reports no sampling entropies');
  const h = new Float64Array(c.N);
  let entropySum = 0,
    tokens = 0;
  for (let n = 0; n < c.N; n++) {
    let s = 0;
    for (let t = 0; t < c.lengths[n]; t++) s += c.entropy[n * c.L + t];
    h[n] = c.lengths[n] > 0 ? s / c.lengths[n] : 0;
    entropySum += s;
    tokens += c.lengths[n];
  }
  batch.responseEntropy = h;
  return { batch, entropySum, tokens };
}

/** `selectGroups` keeping the responses' entropies. */
function selectWithEntropy(r: EntropyRollouts, idx: readonly number[]): EntropyRollouts {
  const out: EntropyRollouts = selectGroups(r, idx);
  out.responseEntropy = Float64Array.from(
    idx.flatMap((b) => Array.from({ length: r.G }, (_, g) => r.responseEntropy![b * r.G + g])),
  );
  return out;
}

/** `concatRollouts` keeping the responses' entropies. */
function concatWithEntropy(parts: readonly EntropyRollouts[]): EntropyRollouts {
  const out: EntropyRollouts = { ...concatRollouts(parts) };
  out.responseEntropy = Float64Array.from(parts.flatMap((p) => Array.from(p.responseEntropy!)));
  return out;
}

/**
 * The inter-group gap of a batch under a metric: the mean over its mixed groups of r̄⁺ − r̄⁻, the mean reward of the
 * higher-metric half minus that of the lower half (CANON's split). Positive: the higher side is the better one.
 * NaN when no group is mixed.
 */
export function halfGap(r: { B: number; G: number; rewards: ArrayLike<number> }, metric: ArrayLike<number>): number {
  const upper = canonHalves(metric, r.B, r.G);
  const groups = mixedGroups(r);
  if (!groups.length) return NaN;
  let sum = 0;
  for (const b of groups) {
    const s = [0, 0],
      n = [0, 0];
    for (let g = 0; g < r.G; g++) {
      const i = b * r.G + g;
      s[upper[i]] += r.rewards[i];
      n[upper[i]]++;
    }
    sum += s[1] / n[1] - s[0] / n[0];
  }
  return sum / groups.length;
}

/** Per rollout step: the pipeline's curves and those of the first draw. */
export interface PipelineCurves extends DapoCurves {
  /** Mean sampling entropy per generated token of the first draw. */
  entropy: number[];
  /** Mean tokens per response of that draw. */
  tokens: number[];
  /** Inter-group gap r̄⁺ − r̄⁻ of that draw, split by mean entropy (`halfGap`). */
  entropyGap: number[];
  /** The same split by length. */
  lengthGap: number[];
}

/**
 * Trains `policy` with `recipe` on the pipeline of the module comment (the responses' mean entropies travel with
 * their groups); deterministic given `rng`.
 */
export function trainPipeline(policy: RlPolicy, task: Task, recipe: Recipe, c: Config, rng: Rng): PipelineCurves {
  const first: Omit<PipelineCurves, keyof DapoCurves> = { entropy: [], tokens: [], entropyGap: [], lengthGap: [] };
  const cv = dapoPipeline<EntropyRollouts>(policy, task, recipe, c, rng, {
    draw: (problems, L, srng, round) => {
      const d = sampleWithEntropy(policy, task, problems, c.groupSize, L, srng);
      if (round === 0) {
        first.entropy.push(d.entropySum / d.tokens);
        first.tokens.push(d.tokens / (d.batch.B * d.batch.G));
      }
      return d.batch;
    },
    firstDraw: (fb) => {
      first.entropyGap.push(halfGap(fb, fb.responseEntropy!));
      first.lengthGap.push(halfGap(fb, fb.lengths));
    },
    select: selectWithEntropy,
    concat: concatWithEntropy,
  });
  return { ...cv, ...first };
}

/** What a held-out evaluation measured. */
export interface Evaluation {
  /** Correct samples per problem. */
  counts: Int32Array;
  /** Mean tokens per response (the stop token included). */
  tokens: number;
  /** Mean tokens per correct response (NaN when none is correct). */
  tokensCorrect: number;
  /** Mean sampling entropy per generated token. */
  entropy: number;
}

/** n samples of each problem (temperature 1), in chunks of about `chunkRows` rows. */
export function evaluateHeldout(
  policy: RlPolicy,
  task: Task,
  problems: readonly Problem[],
  n: number,
  rng: Rng,
  chunkRows = 1024,
): Evaluation {
  const L = completionBudget(task, problems[0].level);
  const counts = new Int32Array(problems.length);
  const per = Math.max(1, Math.floor(chunkRows / n));
  let tokens = 0,
    rows = 0,
    correctTokens = 0,
    correct = 0,
    hSum = 0,
    hTokens = 0;
  for (let s = 0; s < problems.length; s += per) {
    const chunk = problems.slice(s, s + per);
    const {
      batch: r,
      entropySum,
      tokens: generated,
    } = sampleWithEntropy(policy, task, chunk, n, L, rng.split(`eval${s}`));
    hSum += entropySum;
    hTokens += generated;
    for (let i = 0; i < r.rewards.length; i++) {
      counts[s + Math.floor(i / n)] += r.rewards[i];
      tokens += r.lengths[i];
      rows++;
      if (r.rewards[i] === 1) {
        correctTokens += r.lengths[i];
        correct++;
      }
    }
  }
  return {
    counts,
    tokens: tokens / rows,
    tokensCorrect: correct ? correctTokens / correct : NaN,
    entropy: hSum / hTokens,
  };
}

/**
 * One seed. Per method m ∈ {base, …methods}: `m/L<l>:pass@k` (held-out, unbiased, `evalSamples` each),
 * `m/evalTokens` and `m/evalTokensCorrect` (mean tokens per response, per correct response, on the held-out samples),
 * `m/evalEntropy` (mean sampling entropy per generated token there); for the trained methods `m/meanReward` (mean
 * over rollout steps of the first draw's reward on fresh training problems), `m/lateReward` (its last quarter),
 * `m/trainTokens` (the first draw's mean tokens per response, mean over rollout steps), `m/promptsSampled`,
 * `m/clippedFraction`. Series `m/L<l>:counts`, `m/reward`, `m/entropy`, `m/tokens`, `m/entropyGap`, `m/lengthGap`,
 * `m/kept`, `m/sampled`, `m/clipFraction`. Timings `m/rolloutMs`, `m/evalMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkMethodNames('conditional-advantage-estimation-for-reinforcement', c.methods, METHODS);
  const run = seedRun(c, seed, 'canon');
  const { metrics, series, timings, tag } = run;
  const evaluate = (name: string, policy: RlPolicy) => {
    const t0 = Date.now();
    // The same sampling stream for every method (common random numbers across the paired comparison).
    const e = evaluateHeldout(policy, run.task, run.heldout, c.evalSamples, run.root.split('eval'));
    series[metricKey(name, `${tag}:counts`)] = Array.from(e.counts);
    for (const k of c.passKs)
      metrics[metricKey(name, `${tag}:pass@${k}`)] = passAtKFromCounts(e.counts, c.evalSamples, k);
    metrics[metricKey(name, 'evalTokens')] = e.tokens;
    metrics[metricKey(name, 'evalTokensCorrect')] = e.tokensCorrect;
    metrics[metricKey(name, 'evalEntropy')] = e.entropy;
    timings[metricKey(name, 'evalMs')] = Date.now() - t0;
  };
  evaluate('base', new LmPolicy(run.copy(), { lr: 1 }));
  for (const name of c.methods) {
    const policy = run.policy(c.lr);
    const t0 = Date.now();
    const cv = trainPipeline(policy, run.task, METHODS[name], c, run.root.split('train'));
    timings[metricKey(name, 'rolloutMs')] = (Date.now() - t0) / c.rollouts;
    const key = (k: string) => metricKey(name, k);
    const late = Math.floor((3 * c.rollouts) / 4);
    series[key('reward')] = cv.reward;
    series[key('entropy')] = cv.entropy;
    series[key('tokens')] = cv.tokens;
    series[key('entropyGap')] = cv.entropyGap;
    series[key('lengthGap')] = cv.lengthGap;
    series[key('kept')] = cv.kept;
    series[key('sampled')] = cv.sampled;
    series[key('clipFraction')] = cv.clipFraction;
    metrics[key('meanReward')] = mean(cv.reward);
    metrics[key('lateReward')] = mean(cv.reward.slice(late));
    metrics[key('trainTokens')] = mean(cv.tokens);
    metrics[key('promptsSampled')] = cv.sampled.reduce((a, b) => a + b, 0);
    metrics[key('clippedFraction')] = finiteMean(cv.clipFraction);
    evaluate(name, policy);
  }
  return run.result();
}

/**
 * Premises and the identity on one batch of `premisePrompts` fresh training problems × G answers sampled from the
 * base model: `premise/entropyGap` and `premise/lengthGap` (`halfGap`: which side of each metric is the more
 * accurate), `premise/mixedGroups` (their number), `premise/lengthSpread` (mean over groups of the longest minus the
 * shortest response), `premise/lengthVaries` (fraction of groups whose responses are not all of one length),
 * `premise/correctLengthSpread` (mean over groups with ≥ 2 correct answers of their longest minus shortest),
 * `premise/tokens` (mean tokens per response), `premise/correctRate`; `identity/mu05Entropy` and
 * `identity/mu05Length`: max |A_CANON(μ = ½) − A_DrGRPO| over the batch for each metric.
 */
export function premiseSeed(c: Config, seed: number): RunResult {
  const task = getTask(c.base.task);
  const base = reasoningBase(c.base).model;
  const rng = new Rng(seed).split('canon-premise');
  const stream = trainingStream(task, rng);
  const L = completionBudget(task, c.level);
  const sampler = new LmPolicy(base, { lr: 1 });
  const { batch: r } = sampleWithEntropy(
    sampler,
    task,
    stream.batch(c.level, c.premisePrompts),
    c.groupSize,
    L,
    rng.split('sample'),
  );
  const { B, G } = r;
  let spread = 0,
    varies = 0,
    cSpread = 0,
    cGroups = 0,
    tokens = 0;
  for (let b = 0; b < B; b++) {
    const ls = Array.from({ length: G }, (_, g) => r.lengths[b * G + g]);
    const lc = ls.filter((_, g) => r.rewards[b * G + g] === 1);
    spread += Math.max(...ls) - Math.min(...ls);
    if (Math.max(...ls) > Math.min(...ls)) varies++;
    if (lc.length >= 2) {
      cSpread += Math.max(...lc) - Math.min(...lc);
      cGroups++;
    }
    tokens += ls.reduce((a, x) => a + x, 0);
  }
  const dr = advantages('dr-grpo', r.rewards, B, G);
  const maxDiff = (a: Float64Array) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - dr[i])), 0);
  return {
    metrics: {
      [metricKey('premise', 'entropyGap')]: halfGap(r, r.responseEntropy!),
      [metricKey('premise', 'lengthGap')]: halfGap(r, r.lengths),
      [metricKey('premise', 'mixedGroups')]: mixedGroups(r).length,
      [metricKey('premise', 'lengthSpread')]: spread / B,
      [metricKey('premise', 'lengthVaries')]: varies / B,
      [metricKey('premise', 'correctLengthSpread')]: cGroups ? cSpread / cGroups : NaN,
      [metricKey('premise', 'tokens')]: tokens / (B * G),
      [metricKey('premise', 'correctRate')]: r.rewards.reduce((a, x) => a + x, 0) / (B * G),
      [metricKey('identity', 'mu05Entropy')]: maxDiff(canonAdvantages(r.rewards, r.responseEntropy!, B, G, 0.5)),
      [metricKey('identity', 'mu05Length')]: maxDiff(canonAdvantages(r.rewards, r.lengths, B, G, 0.5)),
    },
  };
}
