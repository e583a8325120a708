/**
 * RLVR on the GRU base model (src/nn): group-sampled policy-gradient training on a fixed set of
 * addition problems with the 0/1 verifiable reward, in the GRPO family of pg.ts, with exact
 * per-problem evaluation.
 *
 * One update: B problems × G sampled answers (temperature 1, stop at EOS), rewards, group advantages
 * (`batchAdvantages`: GRPO, Dr. GRPO, RLOO, REINFORCE ± baseline, BNPO), optional sample filtering
 * (positive-only / negative-only, as in the two-stage paper's ablations), then `epochs` passes of the
 * clipped surrogate  −Σ_t c_t · min(ρ_t A, clip(ρ_t, 1 − ε, 1 + ε) A)  (ρ_t = π/π_old; with one epoch
 * ρ = 1 and this is the on-policy policy gradient), with token weights c_t from `aggregateTokenLoss`,
 * and optionally β · KL(π‖π_ref) by GRPO's k3 estimator. Adam on the flat parameter vector.
 *
 * Evaluation is exact: P(correct | problem) by teacher forcing (`exactSuccess`), so pass@k =
 * 1 − (1 − p)^k per problem, averaged over problems, without sampling noise.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { Adam } from '../../nn/adam';
import { GruLm, type SampleResult } from '../../nn/gru-lm';
import { EOS, PAD, additionReward, answerLength, encodePrompt, promptLength, type AdditionProblem } from './addition';
import { baseModel, DEFAULT_BASE_MODEL, exactSuccess, randomProblems, type BaseModelSpec } from './base-model';
import { aggregateTokenLoss, batchAdvantages, type AdvantageOptions } from './pg';

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
  aggregation: 'seq-mean-token-mean' | 'token-mean' | 'seq-mean-token-sum-norm';
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

/** Mean pass@k = 1 − (1 − p)^k over problems (exact, from per-problem success probabilities). */
export function meanPassAtK(p: ArrayLike<number>, k: number): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += 1 - Math.pow(1 - p[i], k);
  return s / p.length;
}

/** Prompt rows of problems (padded to the base model's prompt length P), repeated G times each. */
export function groupPrompts(problems: readonly AdditionProblem[], P: number, G: number): Int32Array {
  const out = new Int32Array(problems.length * G * P);
  problems.forEach((pr, i) => {
    const row = encodePrompt(pr, P);
    for (let g = 0; g < G; g++) out.set(row, (i * G + g) * P);
  });
  return out;
}

/** What every GRU RL loop starts from (shared by gru-rl, off-policy-gru and entropy-gru). */
export interface GruRun {
  spec: BaseModelSpec;
  /** The run's random root: 'train-set', 'held-out-set', 'order', `sample${t}` are its streams. */
  root: Rng;
  /** The frozen base model (shared: do not train it) and the copy that is trained. */
  base: GruLm;
  model: GruLm;
  /** Prompt and answer lengths of the base model (its largest operand size), T = P + L. */
  P: number;
  L: number;
  T: number;
  train: AdditionProblem[];
  held: AdditionProblem[];
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
  const model = new GruLm(base.shape, root.split('unused-init'));
  model.load(base.snapshot());
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

/** A group-sampled batch: G answers per problem (temperature 1, stop at EOS), 0/1 rewards, prompt + answer rows. */
export interface GroupBatch {
  N: number;
  prompts: Int32Array;
  sample: SampleResult;
  rewards: Float64Array;
  /** N × (P + L) rows: the prompt, then the sampled answer (PAD after EOS). */
  seq: Int32Array;
  meanReward: number;
  /** Mean predictive entropy over the generated tokens. */
  meanEntropy: number;
}

export function sampleGroupBatch(
  sampler: GruLm,
  problems: readonly AdditionProblem[],
  P: number,
  L: number,
  G: number,
  rng: Rng,
): GroupBatch {
  const N = problems.length * G,
    T = P + L;
  const prompts = groupPrompts(problems, P, G);
  const s = sampler.sample(prompts, N, P, L, rng, { eos: EOS, pad: PAD });
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
  onEval: (s: GruRlState, model: GruLm) => void,
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
          // d/dlogp of −c·min(ρA, clip(ρ)A): −c·A·ρ when the unclipped term is active, 0 otherwise.
          const clipped = epochs > 1 && ((A > 0 && ratio > 1 + eps) || (A < 0 && ratio < 1 - eps));
          let g = clipped ? 0 : -coef[i][k] * A * ratio;
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

/** SELF-style curation: the problems whose greedy (argmax) answer under `model` is wrong. */
export function dropGreedySolved(
  model: GruLm,
  problems: readonly AdditionProblem[],
  P: number,
  L: number,
): AdditionProblem[] {
  const g = model.sample(groupPrompts(problems, P, 1), problems.length, P, L, new Rng(0), {
    eos: EOS,
    pad: PAD,
    greedy: true,
  });
  return problems.filter((p, i) => additionReward(p, g.tokens, i * L, g.lengths[i]) === 0);
}

/**
 * One seed of a GRU RLVR run as a record: pass@k curves over training on the train and held-out
 * sets, the final per-problem success probabilities next to the base model's (series `pBase:*`,
 * `pFinal:*`), and the sampled-token entropy and mean reward per update.
 */
export function runGruRlSeed(c: GruRlConfig, seed: number): RunResult {
  const series: Record<string, number[]> = { step: [] };
  for (const set of ['train', 'heldout']) for (const k of c.passKs) series[`${set}:pass@${k}`] = [];
  let first: GruRlState | null = null,
    last: GruRlState | null = null;
  const t0 = Date.now();
  const curves = trainGruRl(c, seed, (s) => {
    if (!first) first = { step: s.step, pTrain: s.pTrain, pHeldOut: s.pHeldOut };
    last = s;
    series.step.push(s.step);
    for (const k of c.passKs) {
      series[`train:pass@${k}`].push(meanPassAtK(s.pTrain, k));
      series[`heldout:pass@${k}`].push(meanPassAtK(s.pHeldOut, k));
    }
  });
  const f = first as unknown as GruRlState,
    l = last as unknown as GruRlState;
  const metrics: Record<string, number> = {};
  for (const k of c.passKs) {
    metrics[`base:train:pass@${k}`] = meanPassAtK(f.pTrain, k);
    metrics[`final:train:pass@${k}`] = meanPassAtK(l.pTrain, k);
    metrics[`base:heldout:pass@${k}`] = meanPassAtK(f.pHeldOut, k);
    metrics[`final:heldout:pass@${k}`] = meanPassAtK(l.pHeldOut, k);
  }
  metrics['final:entropy'] = curves.entropy[curves.entropy.length - 1];
  metrics['first:entropy'] = curves.entropy[0];
  series.entropy = curves.entropy;
  series.reward = curves.reward;
  if (curves.curated.length) series.curatedBatch = curves.curated;
  series['pBase:train'] = Array.from(f.pTrain);
  series['pFinal:train'] = Array.from(l.pTrain);
  series['pBase:heldout'] = Array.from(f.pHeldOut);
  series['pFinal:heldout'] = Array.from(l.pHeldOut);
  return { metrics, series, timings: { trainMs: Date.now() - t0 } };
}
