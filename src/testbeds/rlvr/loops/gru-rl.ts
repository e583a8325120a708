/**
 * RLVR on the GRU base model (policies/base-model.ts, src/nn): group-sampled policy-gradient training
 * on a fixed set of addition problems with the 0/1 verifiable reward, in the GRPO family
 * (methods/advantages.ts), with exact per-problem evaluation. This file also holds what every GRU loop
 * shares (`startGruRun`, `sampleGroupBatch`); loops/gru-pg.ts and loops/gru-entropy-control.ts build on it.
 *
 * One update: B problems × G sampled answers (temperature 1, stop at ADD_EOS), rewards, group advantages
 * (`batchAdvantages`: GRPO, Dr. GRPO, RLOO, REINFORCE ± baseline, BNPO), optional sample filtering
 * (positive-only / negative-only, as in the two-stage paper's ablations), then `epochs` passes of the
 * clipped surrogate  −Σ_t c_t · min(ρ_t A, clip(ρ_t, 1 − ε, 1 + ε) A)  (methods/ppo-clip.ts; ρ_t =
 * π/π_old; with one epoch ρ = 1 and this is the on-policy policy gradient), with token weights c_t
 * from `aggregateTokenLoss`, and optionally β · KL(π‖π_ref) by GRPO's k3 estimator. Adam on the flat
 * parameter vector.
 *
 * Evaluation is exact: P(correct | problem) by teacher forcing (`exactSuccess`), so pass@k =
 * 1 − (1 − p)^k per problem, averaged over problems (passk.ts `meanPassAtKPow`), without sampling noise.
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { Adam } from '../../../nn/adam';
import { GruLm, type SampleResult } from '../../../nn/gru-lm';
import { gruLmCopy, type AnyGruLm } from '../../../nn/thread-engine';
import {
  ADD_EOS,
  ADD_PAD,
  additionReward,
  answerLength,
  groupPrompts,
  promptLength,
  type DigitAdditionProblem,
} from '../env/addition';
import { batchAdvantages, type AdvantageOptions, type GroupBatch } from '../methods/advantages';
import { clippedSurrogateGrad, ppoClipped } from '../methods/ppo-clip';
import { dropGreedySolved } from '../methods/self-curation';
import { aggregateTokenLoss, type TokenAggregation } from '../methods/token-aggregation';
import { meanPassAtKPow } from '../passk';
import {
  baseModel,
  DEFAULT_BASE_MODEL,
  exactSuccess,
  randomProblems,
  type BaseModelSpec,
} from '../policies/base-model';

export interface GruRlConfig {
  base?: BaseModelSpec;
  /** Operand sizes of the RL training and held-out problems. */
  digits: number[];
  nTrain: number;
  nHeldOut: number;
  steps: number;
  batchPrompts: number;
  groupSize: number;
  lr: number;
  advantage: AdvantageOptions;
  aggregation: TokenAggregation;
  /** Which sampled answers contribute: all, only positive-advantage, or only negative-advantage ones. */
  samples?: 'all' | 'positive' | 'negative';
  /** Gradient passes per batch (PPO-style reuse; 1 = on-policy). */
  epochs?: number;
  /** PPO clip ε (only acts when epochs > 1). */
  clip?: number;
  /** KL(π‖π_ref) coefficient, GRPO's k3 estimator (0 = off). */
  klBeta?: number;
  evalEvery: number;
  passKs: number[];
  /**
   * Data curation: the subset of a sampled batch (indices into it) that the update uses, e.g. SELF's
   * "drop problems the current model already answers correctly by greedy decoding"
   * (`dropGreedySolved`). Default: all.
   */
  curate?: 'none' | 'drop-greedy-solved';
}

export interface GruRlState {
  step: number;
  /** Exact success probability per training problem and per held-out problem. */
  pTrain: Float64Array;
  pHeldOut: Float64Array;
}

/** What every GRU RL loop starts from (shared by gru-rl, gru-pg and gru-entropy-control). */
export interface GruRun {
  spec: BaseModelSpec;
  /** The run's random root: 'train-set', 'held-out-set', 'order', `sample${t}` are its streams. */
  root: Rng;
  /** The frozen base model (shared: do not train it) and the copy that is trained. */
  base: GruLm;
  model: AnyGruLm;
  /** Prompt and answer lengths of the base model (its largest operand size), T = P + L. */
  P: number;
  L: number;
  T: number;
  train: DigitAdditionProblem[];
  held: DigitAdditionProblem[];
  /** The stream that draws each batch's problem indices. */
  order: Rng;
  /** Exact per-problem success of the current model on the train and held-out sets. */
  evaluate(): { pTrain: Float64Array; pHeldOut: Float64Array };
}

/** Loads the base model, copies it, draws the problem sets; `where` names the caller in errors. */
export function startGruRun(
  c: { base?: BaseModelSpec; digits: number[]; nTrain: number; nHeldOut: number },
  seed: number,
  where: string,
): GruRun {
  const spec = c.base ?? DEFAULT_BASE_MODEL;
  const root = new Rng(seed).split('gru-rl');
  const base = baseModel(spec).model;
  const model = gruLmCopy(where, base, root.split('unused-init'));
  const maxD = Math.max(...spec.digits);
  const P = promptLength(maxD);
  const L = answerLength(maxD);
  if (Math.max(...c.digits) > maxD)
    throw new RangeError(`${where}: digits ${c.digits.join(',')} exceed the base model's largest operand size ${maxD}`);
  const train = randomProblems(root.split('train-set'), c.nTrain, c.digits);
  const held = randomProblems(root.split('held-out-set'), c.nHeldOut, c.digits);
  return {
    spec,
    root,
    base,
    model,
    P,
    L,
    T: P + L,
    train,
    held,
    order: root.split('order'),
    evaluate: () => ({ pTrain: exactSuccess(model, train, P), pHeldOut: exactSuccess(model, held, P) }),
  };
}

/** A group-sampled batch: G answers per problem (temperature 1, stop at ADD_EOS), 0/1 rewards, prompt + answer rows. */
export interface GruGroupBatch extends GroupBatch {
  /** Answers in the batch (B·G). */
  N: number;
  /** N × P prompt rows. */
  prompts: Int32Array;
  sample: SampleResult;
  /** N × (P + L) rows: the prompt, then the sampled answer (ADD_PAD after ADD_EOS). */
  seq: Int32Array;
  meanReward: number;
  /** Mean predictive entropy over the generated tokens. */
  meanEntropy: number;
}

export function sampleGroupBatch(
  sampler: AnyGruLm,
  problems: readonly DigitAdditionProblem[],
  P: number,
  L: number,
  G: number,
  rng: Rng,
): GruGroupBatch {
  const N = problems.length * G,
    T = P + L;
  const prompts = groupPrompts(problems, P, G);
  const s = sampler.sample(prompts, N, P, L, rng, { eos: ADD_EOS, pad: ADD_PAD });
  const rewards = new Float64Array(N);
  let ent = 0,
    entN = 0;
  for (let i = 0; i < N; i++) {
    rewards[i] = additionReward(problems[Math.floor(i / G)], s.tokens, i * L, s.lengths[i]);
    for (let k = 0; k < s.lengths[i]; k++) {
      ent += s.entropy[i * L + k];
      entN++;
    }
  }
  const seq = new Int32Array(N * T);
  for (let i = 0; i < N; i++) {
    seq.set(prompts.subarray(i * P, (i + 1) * P), i * T);
    seq.set(s.tokens.subarray(i * L, (i + 1) * L), i * T + P);
  }
  return {
    N,
    G,
    prompts,
    sample: s,
    rewards,
    seq,
    meanReward: rewards.reduce((a, b) => a + b, 0) / N,
    meanEntropy: ent / Math.max(1, entN),
  };
}

/**
 * Trains a copy of the base model with the config's policy gradient, calling `onEval` at step 0 and
 * every evalEvery steps (and at the end) with exact per-problem success on the train and held-out sets.
 */
export function trainGruRl(
  c: GruRlConfig,
  seed: number,
  onEval: (s: GruRlState, model: AnyGruLm) => void,
): { entropy: number[]; reward: number[]; curated: number[] } {
  const run = startGruRun(c, seed, 'rlvr.trainGruRl');
  const { root, model, P, L, T, train, order } = run;
  const ref = c.klBeta ? run.base : null;
  const opt = new Adam(model.size, { lr: c.lr, maxGradNorm: 1 });
  const B = Math.min(c.batchPrompts, c.nTrain),
    G = c.groupSize;
  const epochs = c.epochs ?? 1,
    eps = c.clip ?? 0.2,
    beta = c.klBeta ?? 0;
  const evaluate = (step: number) => onEval({ step, ...run.evaluate() }, model);
  evaluate(0);
  const entropyCurve: number[] = [],
    rewardCurve: number[] = [],
    curatedCounts: number[] = [];
  for (let t = 1; t <= c.steps; t++) {
    const idx = Array.from({ length: B }, () => order.int(c.nTrain));
    let problems = idx.map((i) => train[i]);
    if (c.curate === 'drop-greedy-solved') {
      problems = dropGreedySolved(model, problems, P, L);
      curatedCounts.push(problems.length);
      if (problems.length === 0) {
        entropyCurve.push(NaN);
        rewardCurve.push(NaN);
        if (t % c.evalEvery === 0 || t === c.steps) evaluate(t);
        continue;
      }
    }
    const Bt = problems.length;
    const batch = sampleGroupBatch(model, problems, P, L, G, root.split(`sample${t}`));
    const { N, sample: s, rewards, seq } = batch;
    entropyCurve.push(batch.meanEntropy);
    rewardCurve.push(batch.meanReward);
    const { adv } = batchAdvantages(rewards, Bt, G, c.advantage);
    if (c.samples === 'positive') for (let i = 0; i < N; i++) adv[i] = Math.max(0, adv[i]);
    if (c.samples === 'negative') for (let i = 0; i < N; i++) adv[i] = Math.min(0, adv[i]);
    const coef = aggregateTokenLoss(
      Array.from(s.lengths, (l) => Math.max(1, l)),
      c.aggregation,
      L,
    );
    let refLogp: Float32Array | null = null;
    if (ref && beta > 0) refLogp = Float32Array.from(ref.forward(seq, N, T, P - 1).logp);
    const w = new Float32Array(N * L);
    for (let e = 0; e < epochs; e++) {
      model.zeroGrad();
      const f = model.forward(seq, N, T, P - 1);
      for (let i = 0; i < N; i++) {
        const A = adv[i];
        for (let k = 0; k < L; k++) {
          const j = i * L + k;
          if (k >= s.lengths[i]) {
            w[j] = 0;
            continue;
          }
          const ratio = epochs > 1 ? Math.exp(f.logp[j] - s.logp[j]) : 1;
          const clipped = epochs > 1 && ppoClipped(A, ratio, 1 - eps, 1 + eps);
          let g = clippedSurrogateGrad(coef[i][k], A, ratio, clipped);
          if (refLogp) {
            // k3: KL ≈ e^{ref − logp} − (ref − logp) − 1, d/dlogp = 1 − e^{ref − logp}
            g += beta * coef[i][k] * (1 - Math.exp(refLogp[j] - f.logp[j]));
          }
          w[j] = g;
        }
      }
      model.backward(f, w);
      opt.step(model.params.f, model.grads.f);
    }
    if (t % c.evalEvery === 0 || t === c.steps) evaluate(t);
  }
  model.releaseCaches();
  return { entropy: entropyCurve, reward: rewardCurve, curated: curatedCounts };
}

/**
 * One seed of a GRU RLVR run as a record, keyed `method/metric` with the trained policy under `method`
 * (default 'rl') and the base model under 'base':
 *   metrics  base/{train,heldout}:pass@k, <method>/{train,heldout}:pass@k (at the end),
 *            <method>/entropy:first, <method>/entropy:final (sampled-token entropy of the first and last
 *            update);
 *   series   <method>/step (evaluation points), <method>/{train,heldout}:pass@k (at each), <method>/entropy
 *            and <method>/reward (per update), <method>/curatedBatch (with curation), and the per-problem
 *            success probabilities base/p:train, base/p:heldout, <method>/p:train, <method>/p:heldout.
 */
export function runGruRlSeed(c: GruRlConfig, seed: number, method = 'rl'): RunResult {
  const key = (metric: string) => metricKey(method, metric);
  const series: Record<string, number[]> = { [key('step')]: [] };
  for (const set of ['train', 'heldout']) for (const k of c.passKs) series[key(`${set}:pass@${k}`)] = [];
  let first: GruRlState | null = null,
    last: GruRlState | null = null;
  const t0 = Date.now();
  const curves = trainGruRl(c, seed, (s) => {
    if (!first) first = { step: s.step, pTrain: s.pTrain, pHeldOut: s.pHeldOut };
    last = s;
    series[key('step')].push(s.step);
    for (const k of c.passKs) {
      series[key(`train:pass@${k}`)].push(meanPassAtKPow(s.pTrain, k));
      series[key(`heldout:pass@${k}`)].push(meanPassAtKPow(s.pHeldOut, k));
    }
  });
  const f = first as unknown as GruRlState,
    l = last as unknown as GruRlState;
  const metrics: Record<string, number> = {};
  for (const k of c.passKs) {
    metrics[metricKey('base', `train:pass@${k}`)] = meanPassAtKPow(f.pTrain, k);
    metrics[key(`train:pass@${k}`)] = meanPassAtKPow(l.pTrain, k);
    metrics[metricKey('base', `heldout:pass@${k}`)] = meanPassAtKPow(f.pHeldOut, k);
    metrics[key(`heldout:pass@${k}`)] = meanPassAtKPow(l.pHeldOut, k);
  }
  metrics[key('entropy:final')] = curves.entropy[curves.entropy.length - 1];
  metrics[key('entropy:first')] = curves.entropy[0];
  series[key('entropy')] = curves.entropy;
  series[key('reward')] = curves.reward;
  if (curves.curated.length) series[key('curatedBatch')] = curves.curated;
  series[metricKey('base', 'p:train')] = Array.from(f.pTrain);
  series[key('p:train')] = Array.from(l.pTrain);
  series[metricKey('base', 'p:heldout')] = Array.from(f.pHeldOut);
  series[key('p:heldout')] = Array.from(l.pHeldOut);
  return { metrics, series, timings: { [key('trainMs')]: Date.now() - t0 } };
}
