/**
 * The prm-clip-delta experiment (Gao et al. 2024): one seed draws reference-policy solutions, fits a
 * PRM and an ORM on them (logistic regression on step / solution features), warm-starts a tabular
 * step policy by SFT on the same solutions, then trains a copy of the SFT policy with RL for every
 * reward kind (success only, + PRM sum, + ORM, Clip, Delta, Clip-Delta) on the same problem stream.
 *
 * RL: per-line policy gradient with returns-to-go (γ = 1, as the paper's PPO) and a leave-one-out group
 * baseline taken per line index: A_{i,k} = G_{i,k} − (1/(G−1)) Σ_{j≠i} G_{j,k}, where G_{j,k} = 0 once
 * solution j has ended (RLOO applied to each line index; `pg.groupAdvantages`). With the success reward
 * alone, A_{i,0} is exactly RLOO's advantage.
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import {
  A_ADD,
  A_REPEAT,
  N_ACTIONS,
  ORM_DIM,
  PRM_DIM,
  STEP_ACTION_NAMES,
  type ArithmeticTask,
  type StepProblem,
  type ReferencePolicy,
  type Solution,
  checkTask,
  exactAccuracy,
  nStates,
  ormFeatures,
  referenceProbs,
  rollout,
  sampleProblem,
  sftLogits,
} from '../../testbeds/rlvr/env/step-arithmetic';
import { groupAdvantages } from '../../testbeds/rlvr/methods/advantages';
import {
  REWARD_KINDS,
  type RewardKind,
  fitLogistic,
  logisticScore,
  prmScores,
  stepRewards,
} from '../../testbeds/rlvr/methods/process-rewards';
import { softmaxPerRow } from '../../testbeds/rlvr/policies/tabular-softmax';

export interface Config {
  /** The arithmetic task: numbers per problem and the line limit. */
  task: ArithmeticTask;
  /** Mistake propensities of the reference policy that writes the SFT and reward-model data. */
  reference: ReferencePolicy;
  /** Reference-policy solutions: the SFT demonstrations and the reward models' training data. */
  refSamples: number;
  /** Held-out reference solutions to score the reward models. */
  heldOutSamples: number;
  /** L2 coefficient of the reward models' logistic regression. */
  l2: number;
  /** Weight α of the learned reward (the success reward is 1). */
  alpha: number;
  /** Clip threshold: 'mean' = the PRM's mean score over the reference lines, or a number. */
  eta: 'mean' | number;
  /** Training reward kinds, each RL run from the same SFT policy on the same problem stream. */
  methods: RewardKind[];
  /** RL updates per reward kind. */
  iterations: number;
  /** Problems per update. */
  batchPrompts: number;
  /** Solutions per problem (the RLOO group). */
  groupSize: number;
  /** Step size on the logits. */
  lr: number;
  /** Held-out problems for evaluation. */
  testProblems: number;
  /** Sampled solutions per test problem for the length / padding metrics. */
  evalSamples: number;
  /** Evaluation every logEvery updates. */
  logEvery: number;
  /** N of the best-of-N check of the reward models at inference time (SFT policy). */
  bestOfN: number;
}

/** The full-profile experiment (the notebook overrides refSamples, iterations and testProblems). */
export const DEFAULTS: Config = {
  task: { minTerms: 3, maxTerms: 5, maxSteps: 10 },
  reference: { slip: [0.04, 0.16], repeat: [0.08, 0.12], wrongOperand: 0.04, earlyAnswer: 0.03, extraLine: 0.04 },
  refSamples: 2000,
  heldOutSamples: 500,
  l2: 1e-3,
  alpha: 1,
  eta: 'mean',
  methods: ['success', 'prm', 'orm', 'clip', 'delta', 'clip-delta'],
  iterations: 1000,
  batchPrompts: 32,
  groupSize: 4,
  lr: 1,
  testProblems: 200,
  evalSamples: 4,
  logEvery: 50,
  bestOfN: 8,
};

export function checkConfig(c: Config, where = 'prm-clip-delta'): void {
  checkTask(c.task, where);
  const ints: [string, number, number][] = [
    ['refSamples', c.refSamples, 10],
    ['heldOutSamples', c.heldOutSamples, 1],
    ['iterations', c.iterations, 1],
    ['batchPrompts', c.batchPrompts, 1],
    ['groupSize', c.groupSize, 2],
    ['testProblems', c.testProblems, 1],
    ['evalSamples', c.evalSamples, 1],
    ['logEvery', c.logEvery, 1],
    ['bestOfN', c.bestOfN, 1],
  ];
  for (const [name, v, min] of ints)
    if (!Number.isInteger(v) || v < min)
      throw new RangeError(`${where}: ${name} must be an integer ≥ ${min}, got ${v}`);
  if (!(c.lr > 0)) throw new RangeError(`${where}: lr must be > 0, got ${c.lr}`);
  if (!(c.alpha >= 0)) throw new RangeError(`${where}: alpha must be ≥ 0, got ${c.alpha}`);
  if (!(c.l2 > 0)) throw new RangeError(`${where}: l2 must be > 0, got ${c.l2}`);
  if (c.eta !== 'mean' && !Number.isFinite(c.eta))
    throw new RangeError(`${where}: eta must be 'mean' or a finite number, got ${String(c.eta)}`);
  if (!Array.isArray(c.methods) || c.methods.length === 0)
    throw new RangeError(`${where}: methods must list at least one of ${REWARD_KINDS.join(', ')}`);
  for (const m of c.methods)
    if (!REWARD_KINDS.includes(m))
      throw new RangeError(`${where}: unknown method ${String(m)}; use one of ${REWARD_KINDS.join(', ')}`);
}

export interface RewardModels {
  prm: Float64Array;
  orm: Float64Array;
  eta: number;
}

/** Fit the PRM (rows = lines, label = prefix still correct) and the ORM (rows = solutions, label = correct). */
export function fitRewardModels(
  t: ArithmeticTask,
  sols: readonly Solution[],
  l2: number,
): { prm: Float64Array; orm: Float64Array; meanScore: number } {
  let nLines = 0;
  for (const s of sols) nLines += s.len;
  const X = new Float64Array(nLines * PRM_DIM);
  const y = new Float64Array(nLines);
  let r = 0;
  for (const s of sols) {
    X.set(s.features.subarray(0, s.len * PRM_DIM), r * PRM_DIM);
    for (let k = 0; k < s.len; k++) y[r + k] = s.prefixCorrect[k];
    r += s.len;
  }
  const prm = fitLogistic(X, y, PRM_DIM, { l2 }).weights;
  let sum = 0;
  for (let i = 0; i < nLines; i++) sum += logisticScore(prm, X, i);
  const XO = new Float64Array(sols.length * ORM_DIM);
  const yo = new Float64Array(sols.length);
  sols.forEach((s, i) => {
    ormFeatures(t, s, XO, i * ORM_DIM);
    yo[i] = s.correct ? 1 : 0;
  });
  const orm = fitLogistic(XO, yo, ORM_DIM, { l2 }).weights;
  return { prm, orm, meanScore: sum / nLines };
}

/** Area under the ROC curve of scores for binary labels (ties count ½). */
export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let rankSumPos = 0;
  let nPos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++)
      if (labels[idx[k]] === 1) {
        rankSumPos += rank;
        nPos++;
      }
    i = j + 1;
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return NaN;
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

interface EvalStats {
  acc: number;
  steps: number;
  unnecessary: number;
  prmSum: number;
  truncated: number;
}

/** Exact accuracy over the test problems; lines, padding, PRM sum and truncation from sampled solutions. */
function evaluate(
  c: Config,
  probs: Float64Array,
  tests: readonly StepProblem[],
  rm: RewardModels,
  rng: Rng,
): EvalStats {
  let acc = 0;
  let steps = 0;
  let unn = 0;
  let prmSum = 0;
  let trunc = 0;
  const sc = new Float64Array(c.task.maxSteps);
  for (const p of tests) {
    acc += exactAccuracy(c.task, p, probs);
    for (let e = 0; e < c.evalSamples; e++) {
      const s = rollout(c.task, p, probs, rng);
      steps += s.len;
      unn += s.repeats / s.len;
      prmScores(rm.prm, s, sc);
      for (let k = 0; k < s.len; k++) prmSum += sc[k];
      if (!s.answered) trunc++;
    }
  }
  const nS = tests.length * c.evalSamples;
  return {
    acc: acc / tests.length,
    steps: steps / nS,
    unnecessary: unn / nS,
    prmSum: prmSum / nS,
    truncated: trunc / nS,
  };
}

/** One RL run from the SFT logits with one reward kind; returns the final logits and the curves. */
function train(
  c: Config,
  kind: RewardKind,
  sft: Float64Array,
  rm: RewardModels,
  tests: readonly StepProblem[],
  root: Rng,
) {
  const t = c.task;
  const L = t.maxSteps;
  const G = c.groupSize;
  const B = c.batchPrompts;
  const logits = Float64Array.from(sft);
  const probs = softmaxPerRow(logits, N_ACTIONS);
  const grad = new Float64Array(logits.length);
  const problemRng = root.split('rl-problems'); // the same problem stream for every reward kind
  const sampleRng = root.split(`rl-sample-${kind}`);
  const evalRng = root.split(`eval-${kind}`);
  const spec = { kind, alpha: c.alpha, eta: rm.eta };
  const rtg = new Float64Array(G * L); // returns-to-go, solution-major
  const col = new Float64Array(G);
  const advCol = new Float64Array(G);
  const scores = new Float64Array(L);
  const rewards = new Float64Array(L);
  const ormRow = new Float64Array(ORM_DIM);
  const curves: Record<string, number[]> = {
    iter: [],
    acc: [],
    steps: [],
    unnecessary: [],
    prmSum: [],
    truncated: [],
    trainReturn: [],
  };
  const log = (it: number, trainReturn: number) => {
    const e = evaluate(c, probs, tests, rm, evalRng);
    curves.iter.push(it);
    curves.acc.push(e.acc);
    curves.steps.push(e.steps);
    curves.unnecessary.push(e.unnecessary);
    curves.prmSum.push(e.prmSum);
    curves.truncated.push(e.truncated);
    if (it > 0) curves.trainReturn.push(trainReturn);
    return e;
  };
  let last = log(0, 0);
  let retSum = 0;
  let retN = 0;
  const group: Solution[] = new Array(G);
  for (let it = 1; it <= c.iterations; it++) {
    grad.fill(0);
    for (let b = 0; b < B; b++) {
      const p = sampleProblem(t, problemRng);
      rtg.fill(0);
      for (let i = 0; i < G; i++) {
        const s = rollout(t, p, probs, sampleRng);
        group[i] = s;
        const sc = prmScores(rm.prm, s, scores.subarray(0, s.len));
        const orm = logisticScore(rm.orm, ormFeatures(t, s, ormRow));
        const r = stepRewards(spec, sc, s.correct ? 1 : 0, orm, rewards.subarray(0, s.len));
        let acc = 0;
        for (let k = s.len - 1; k >= 0; k--) rtg[i * L + k] = acc += r[k];
        retSum += acc;
        retN++;
      }
      for (let k = 0; k < L; k++) {
        let alive = false;
        for (let i = 0; i < G; i++) {
          col[i] = rtg[i * L + k];
          if (group[i].len > k) alive = true;
        }
        if (!alive) break;
        groupAdvantages(col, 0, G, { kind: 'rloo' }, advCol);
        for (let i = 0; i < G; i++) {
          const s = group[i];
          if (s.len <= k) continue;
          const A = advCol[i];
          if (A === 0) continue;
          const o = s.states[k] * N_ACTIONS;
          for (let a = 0; a < N_ACTIONS; a++) grad[o + a] -= A * probs[o + a];
          grad[o + s.actions[k]] += A;
        }
      }
    }
    const scale = c.lr / (B * G);
    for (let i = 0; i < logits.length; i++) logits[i] += scale * grad[i];
    softmaxPerRow(logits, N_ACTIONS, probs);
    if (it % c.logEvery === 0 || it === c.iterations) {
      last = log(it, retSum / Math.max(retN, 1));
      retSum = 0;
      retN = 0;
    }
  }
  return { probs, curves, final: last };
}

/**
 * One seed. Keys `method/metric`: the reward models prm/auc, prm/stepAccuracy, prm/scoreAdd,
 * prm/scoreRepeat, prm/eta (the clip threshold η), orm/auc, ref/accuracy, and best-of-N with the SFT
 * policy prm/bestOfN, orm/bestOfN, sft/oneSample; per training reward M (and `sft`, the common start)
 * M/acc, M/steps, M/unnecessary, M/prmSum, M/truncated. Series prm/weight, orm/weight, all/iter and
 * M/acc, M/steps, M/unnecessary, M/prmSum, M/truncated, M/trainReturn over training. Timings
 * all/setupMs, M/trainMs, all/totalMs.
 */
export function runSeed(c: Config, seed: number): RunResult {
  checkConfig(c);
  const t0 = Date.now();
  const t = c.task;
  const root = new Rng(seed).split('prm-clip-delta');
  const refP = referenceProbs(t, c.reference);
  const dataRng = root.split('reference-data');
  const ref: Solution[] = [];
  for (let i = 0; i < c.refSamples; i++) ref.push(rollout(t, sampleProblem(t, dataRng), refP, dataRng));
  const held: Solution[] = [];
  const heldRng = root.split('held-out');
  for (let i = 0; i < c.heldOutSamples; i++) held.push(rollout(t, sampleProblem(t, heldRng), refP, heldRng));
  const fit = fitRewardModels(t, ref, c.l2);
  const rm: RewardModels = { prm: fit.prm, orm: fit.orm, eta: c.eta === 'mean' ? fit.meanScore : c.eta };

  // Reward-model diagnostics on held-out reference solutions.
  const hs: number[] = [];
  const hl: number[] = [];
  const byAction: number[][] = STEP_ACTION_NAMES.map(() => []);
  const os: number[] = [];
  const ol: number[] = [];
  let stepAcc = 0;
  for (const s of held) {
    const sc = prmScores(rm.prm, s);
    for (let k = 0; k < s.len; k++) {
      hs.push(sc[k]);
      hl.push(s.prefixCorrect[k]);
      if (s.prefixCorrect[k] === 1) byAction[s.actions[k]].push(sc[k]);
      stepAcc += (sc[k] > 0.5 ? 1 : 0) === s.prefixCorrect[k] ? 1 : 0;
    }
    os.push(logisticScore(rm.orm, ormFeatures(t, s)));
    ol.push(s.correct ? 1 : 0);
  }
  const meanOf = (x: number[]) => (x.length ? x.reduce((a, b) => a + b, 0) / x.length : NaN);

  const sft = sftLogits(t, ref);
  const sftProbs = softmaxPerRow(sft, N_ACTIONS);
  const testRng = root.split('test-problems');
  const tests: StepProblem[] = [];
  for (let i = 0; i < c.testProblems; i++) tests.push(sampleProblem(t, testRng));

  // Best-of-N at inference time with the SFT policy: pick by PRM (minimum line score) or by ORM.
  const bonRng = root.split('best-of-n');
  let bonPrm = 0;
  let bonOrm = 0;
  let bonMean = 0;
  for (const p of tests) {
    let bestP = -Infinity;
    let bestO = -Infinity;
    let cP = false;
    let cO = false;
    let nc = 0;
    for (let j = 0; j < c.bestOfN; j++) {
      const s = rollout(t, p, sftProbs, bonRng);
      const sc = prmScores(rm.prm, s);
      let mn = Infinity;
      for (let k = 0; k < s.len; k++) mn = Math.min(mn, sc[k]);
      if (!s.answered) mn = -1;
      const o = s.answered ? logisticScore(rm.orm, ormFeatures(t, s)) : -1;
      if (mn > bestP) {
        bestP = mn;
        cP = s.correct;
      }
      if (o > bestO) {
        bestO = o;
        cO = s.correct;
      }
      if (s.correct) nc++;
    }
    bonPrm += cP ? 1 : 0;
    bonOrm += cO ? 1 : 0;
    bonMean += nc / c.bestOfN;
  }

  const metrics: Record<string, number> = {
    [metricKey('prm', 'eta')]: rm.eta,
    [metricKey('prm', 'auc')]: auc(hs, hl),
    [metricKey('prm', 'stepAccuracy')]: stepAcc / hs.length,
    [metricKey('orm', 'auc')]: auc(os, ol),
    [metricKey('ref', 'accuracy')]: meanOf(ol),
    [metricKey('prm', 'scoreAdd')]: meanOf(byAction[A_ADD]),
    [metricKey('prm', 'scoreRepeat')]: meanOf(byAction[A_REPEAT]),
    [metricKey('prm', 'bestOfN')]: bonPrm / tests.length,
    [metricKey('orm', 'bestOfN')]: bonOrm / tests.length,
    [metricKey('sft', 'oneSample')]: bonMean / tests.length,
  };
  const series: Record<string, number[]> = {};
  series[metricKey('prm', 'weight')] = Array.from(rm.prm);
  series[metricKey('orm', 'weight')] = Array.from(rm.orm);
  const evalMetrics = (m: string, e: EvalStats) => {
    for (const k of ['acc', 'steps', 'unnecessary', 'prmSum', 'truncated'] as const) metrics[metricKey(m, k)] = e[k];
  };
  evalMetrics('sft', evaluate(c, sftProbs, tests, rm, root.split('eval-sft')));
  const timings: Record<string, number> = { [metricKey('all', 'setupMs')]: Date.now() - t0 };
  const iterKey = metricKey('all', 'iter');
  for (const m of c.methods) {
    const tm = Date.now();
    const r = train(c, m, sft, rm, tests, root);
    timings[metricKey(m, 'trainMs')] = Date.now() - tm;
    evalMetrics(m, r.final);
    for (const [k, v] of Object.entries(r.curves))
      if (k !== 'iter' || !series[iterKey]) series[k === 'iter' ? iterKey : metricKey(m, k)] = v;
  }
  timings[metricKey('all', 'totalMs')] = Date.now() - t0;
  return { metrics, series, timings, extra: { nStates: nStates(t) } };
}
