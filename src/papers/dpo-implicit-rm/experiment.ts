/**
 * The DPORM-vs-EXRM miniature (Lin et al. 2024, "On the Limited Generalization Capability of the Implicit
 * Reward Model Induced by Direct Preference Optimization"), one seed = one task, one training set, both
 * models, six evaluation sets.
 *
 * Task (token-sequences.ts): prompts of P tokens, responses of L tokens, vocabulary V, gold reward with
 * linear and interaction terms; reference policy π_ref autoregressive log-linear; prompt tokens drawn from
 * a skewed distribution. Training pairs: two responses from π_ref per prompt, Bradley–Terry labels from r*.
 * Both models share one feature backbone ψ and one training protocol (full-batch Adam, same steps,
 * learning rate, and ridge on the reward-unit parameters): EXRM (scalar head, BT loss) and DPORM (policy
 * initialised at π_ref, DPO loss; reward = β·log π/π_ref).
 * Evaluation: pairwise accuracy against the gold reward (deterministic labels, ties dropped) on the
 * training pairs, on fresh in-distribution pairs, and on five shifted sets: longer responses, shifted
 * prompt-token distribution, responses from a different policy, sharper sampling (temperature < 1),
 * uniformly random tokens.
 * Task entry point: `runSeed(config, seed)` ('papers/dpo-implicit-rm/experiment#runSeed').
 *
 * Record keys (`method/metric`), for the models `exrm` and `dporm`: `<model>/train`, `/<eval set>`
 * (pairwise gold accuracy), `/shiftedMean`, `/finalLoss`, series `/loss`; `data/train.pairs`,
 * `data/<eval set>.pairs` (pair counts); `shift/<eval set>` (distance of the set's inputs from the training
 * pairs' inputs, `shiftDistance`) with its parts `shift/<eval set>.prompt`, `.bigram`, `.length`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam64 } from '../../nn/adam';
import {
  featureDim,
  labelPairs,
  randomTokenPolicy,
  randomTokenTask,
  samplePrompts,
  sampleResponses,
  withTemperature,
  type SequencePairs,
  type SequenceSet,
  type TokenPolicy,
  type TokenTask,
} from '../../testbeds/preference/data/token-sequences';
import {
  explicitRewards,
  implicitRewards,
  pairAccuracy,
  pairwiseLoss,
} from '../../testbeds/preference/methods/sequence-rewards';

export interface Config {
  /** Vocabulary size V. */
  V: number;
  /** Prompt length P (tokens). */
  P: number;
  /** Response length L (tokens) of the training and most evaluation pairs. */
  L: number;
  /** Response length of the 'longer-responses' evaluation set. */
  longL: number;
  /** Gold reward: bonus α per response token that appears in the prompt. */
  alpha: number;
  /** Gold reward: penalty ρ per repeated consecutive token. */
  rho: number;
  /** Scale of π_ref's unigram logits. */
  refUnigram: number;
  /** Scale of π_ref's bigram logits. */
  refBigram: number;
  /** π_ref's logit bonus for copying a prompt token. */
  refCopy: number;
  /** Prompt tokens ~ softmax(promptSkew·z), z ~ N(0, 1); the shifted set uses softmax(−promptSkew·z). */
  promptSkew: number;
  /** Sampling temperature of the 'sharper-sampling' evaluation set (< 1). */
  sharpTemperature: number;
  /** Training pairs (two responses from π_ref per prompt, Bradley–Terry labels). */
  nTrain: number;
  /** Pairs per evaluation set. */
  nTest: number;
  /** DPO's β (the implicit reward is β·log π/π_ref). */
  beta: number;
  /** Ridge on the reward-unit parameters of both models. */
  l2: number;
  /** Full-batch Adam steps of both models. */
  steps: number;
  /** Adam learning rate of both models. */
  lr: number;
}

/** The full-profile configuration of the notebook. */
export const DEFAULTS: Config = {
  V: 8,
  P: 3,
  L: 4,
  longL: 8,
  alpha: 1,
  rho: 1,
  refUnigram: 1,
  refBigram: 0.5,
  refCopy: 0.5,
  promptSkew: 1.5,
  sharpTemperature: 0.5,
  nTrain: 2000,
  nTest: 1000,
  beta: 0.1,
  l2: 1e-3,
  steps: 200,
  lr: 0.05,
};

export const EVAL_SETS = [
  'in-distribution',
  'longer-responses',
  'prompt-shift',
  'other-policy',
  'sharper-sampling',
  'uniform-tokens',
] as const;
export const SHIFTED_SETS = EVAL_SETS.slice(1);
export const MODELS = ['exrm', 'dporm'] as const;

function softmaxScaled(z: Float64Array, scale: number): Float64Array {
  let m = -Infinity;
  for (const v of z) m = Math.max(m, scale * v);
  const e = z.map((v) => Math.exp(scale * v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

/** Total-variation distance between two histograms (each normalised by its own total). */
export function totalVariation(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) throw new RangeError(`totalVariation: histograms of ${a.length} and ${b.length} bins`);
  const sa = a.reduce((s, x) => s + x, 0),
    sb = b.reduce((s, x) => s + x, 0);
  if (!(sa > 0 && sb > 0)) throw new RangeError('totalVariation: an empty histogram');
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] / sa - b[i] / sb);
  return d / 2;
}

/** Histogram of the prompt tokens of the pairs (chosen and rejected share their prompts: chosen side only). */
export function promptHistogram(p: SequencePairs, V: number): Float64Array {
  const h = new Float64Array(V);
  for (const v of p.chosen.prompts) h[v]++;
  return h;
}

/** Histogram of the response bigrams (prev, v) of both sides, prev = V standing for the start of the response. */
export function bigramHistogram(p: SequencePairs, V: number): Float64Array {
  const h = new Float64Array((V + 1) * V);
  for (const s of [p.chosen, p.rejected])
    for (let i = 0; i < s.n; i++) {
      let prev = V;
      for (let t = 0; t < s.L; t++) {
        const v = s.responses[i * s.L + t];
        h[prev * V + v]++;
        prev = v;
      }
    }
  return h;
}

/**
 * How far an evaluation set's inputs lie from the training pairs' inputs: the largest of three distances,
 * each in [0, 1] — TV distance of the prompt-token distributions, TV distance of the response-bigram
 * distributions, and the share of response positions beyond the training length (a position never seen in
 * training). An independent in-distribution sample gives the sampling-noise floor of this statistic.
 */
export function shiftDistance(
  train: SequencePairs,
  set: SequencePairs,
  V: number,
): { prompt: number; bigram: number; length: number; shift: number } {
  const prompt = totalVariation(promptHistogram(train, V), promptHistogram(set, V));
  const bigram = totalVariation(bigramHistogram(train, V), bigramHistogram(set, V));
  const length = Math.max(0, (set.chosen.L - train.chosen.L) / set.chosen.L);
  return { prompt, bigram, length, shift: Math.max(prompt, bigram, length) };
}

/** n prompts, two responses each from `pol`, labelled from the gold reward. */
export function makePairs(
  rng: Rng,
  task: TokenTask,
  pol: TokenPolicy | { uniform: number },
  promptProbs: Float64Array,
  n: number,
  L: number,
  labels: 'bradley-terry' | 'deterministic',
): SequencePairs {
  const prompts = samplePrompts(rng.split('prompts'), promptProbs, n, task.P);
  const a = sampleResponses(rng.split('a'), pol, prompts, task.P, L);
  const b = sampleResponses(rng.split('b'), pol, prompts, task.P, L);
  return labelPairs(rng.split('labels'), task, a, b, labels);
}

export function runSeed(config: Config, seed: number): RunResult {
  const rng = new Rng(seed).split('dpo-implicit-rm');
  const { V, P } = config;
  const task = randomTokenTask(rng.split('task'), { V, P, alpha: config.alpha, rho: config.rho });
  const ref = randomTokenPolicy(rng.split('ref'), {
    V,
    unigramScale: config.refUnigram,
    bigramScale: config.refBigram,
    copy: config.refCopy,
  });
  const other = randomTokenPolicy(rng.split('other'), {
    V,
    unigramScale: config.refUnigram,
    bigramScale: config.refBigram,
    copy: config.refCopy,
  });
  const z = new Float64Array(V);
  const zr = rng.split('prompt-dist');
  for (let v = 0; v < V; v++) z[v] = zr.normal();
  const promptTrain = softmaxScaled(z, config.promptSkew),
    promptShift = softmaxScaled(z, -config.promptSkew);

  const train = makePairs(rng.split('train'), task, ref, promptTrain, config.nTrain, config.L, 'bradley-terry');
  const evalSets: Record<(typeof EVAL_SETS)[number], SequencePairs> = {
    'in-distribution': makePairs(rng.split('test-id'), task, ref, promptTrain, config.nTest, config.L, 'deterministic'),
    'longer-responses': makePairs(
      rng.split('test-long'),
      task,
      ref,
      promptTrain,
      config.nTest,
      config.longL,
      'deterministic',
    ),
    'prompt-shift': makePairs(
      rng.split('test-prompt'),
      task,
      ref,
      promptShift,
      config.nTest,
      config.L,
      'deterministic',
    ),
    'other-policy': makePairs(
      rng.split('test-other'),
      task,
      other,
      promptTrain,
      config.nTest,
      config.L,
      'deterministic',
    ),
    'sharper-sampling': makePairs(
      rng.split('test-sharp'),
      task,
      withTemperature(ref, config.sharpTemperature),
      promptTrain,
      config.nTest,
      config.L,
      'deterministic',
    ),
    'uniform-tokens': makePairs(
      rng.split('test-uniform'),
      task,
      { uniform: V },
      promptTrain,
      config.nTest,
      config.L,
      'deterministic',
    ),
  };
  const D = featureDim(V);
  const rewardFns = {
    exrm: (w: Float64Array, s: SequenceSet, coef?: Float64Array, grad?: Float64Array) =>
      explicitRewards(w, V, s, coef, grad),
    dporm: (phi: Float64Array, s: SequenceSet, coef?: Float64Array, grad?: Float64Array) =>
      implicitRewards(phi, config.beta, ref, s, coef, grad),
  };
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  for (const m of MODELS) {
    const params = new Float64Array(D);
    const opt = new Adam64(D, { lr: config.lr });
    const lossCurve: number[] = [];
    for (let t = 0; t < config.steps; t++) {
      const { loss, grad } = pairwiseLoss(params, train, rewardFns[m], config.l2);
      if (t % 10 === 0) lossCurve.push(loss);
      opt.step(params, grad);
    }
    series[metricKey(m, 'loss')] = lossCurve;
    const acc = (pp: SequencePairs) => pairAccuracy(rewardFns[m](params, pp.chosen), rewardFns[m](params, pp.rejected));
    metrics[metricKey(m, 'train')] = acc(train);
    for (const k of EVAL_SETS) metrics[metricKey(m, k)] = acc(evalSets[k]);
    metrics[metricKey(m, 'shiftedMean')] =
      SHIFTED_SETS.reduce((s, k) => s + metrics[metricKey(m, k)], 0) / SHIFTED_SETS.length;
    metrics[metricKey(m, 'finalLoss')] = pairwiseLoss(params, train, rewardFns[m], config.l2).loss;
  }
  // Pair counts of the training set and of every evaluation set (deterministic labels drop ties).
  metrics[metricKey('data', 'train.pairs')] = train.chosen.n;
  for (const k of EVAL_SETS) metrics[metricKey('data', `${k}.pairs`)] = evalSets[k].chosen.n;
  // How far each evaluation set lies from the training inputs (the in-distribution set gives the noise floor).
  for (const k of EVAL_SETS) {
    const d = shiftDistance(train, evalSets[k], V);
    metrics[metricKey('shift', k)] = d.shift;
    metrics[metricKey('shift', `${k}.prompt`)] = d.prompt;
    metrics[metricKey('shift', `${k}.bigram`)] = d.bigram;
    metrics[metricKey('shift', `${k}.length`)] = d.length;
  }
  return { metrics, series };
}
