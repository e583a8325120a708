/**
 * GRPO training of the shared-parameter log-linear answer policy (policies/log-linear.ts), with the
 * reasoning-boundary paper's curation and a sampling diagnostic.
 *
 * Updates (one ascent direction per batch, SGD step θ ← θ + η d):
 *   'grpo'          G responses per problem sampled on-policy from π; GRPO advantages
 *                   A_i = (r_i − r̄)/(std_unbiased + ε) (verl's compute_grpo_outcome_advantage);
 *                   d = (1/(B·G)) Σ_i A_i (φ(q, o_i) − φ̄_q), the gradient of the surrogate
 *                   (1/(B·G)) Σ_i A_i log π(o_i | q) (= the PPO/GRPO surrogate at ratio 1, one update per batch).
 *   'self'          the paper's data curation (official code, RayMaxPPOTrainer.fit): decode every batch
 *                   problem greedily under the current policy, drop the problems whose greedy answer is
 *                   correct (high-likelihood problems), and run the GRPO update on the rest. The loss is
 *                   still normalised by the nominal batch B·G (verl with use_dynamic_bsz scales each
 *                   micro-batch by its size over the nominal mini-batch size).
 *   'grpo-uniform'  diagnostic, not in the paper: the GRPO update with responses sampled uniformly
 *                   over the K candidates instead of from π (no importance weights), which isolates the
 *                   role of on-policy sampling; its expected direction weights every problem equally.
 * All arrays are flat Float64Arrays (problem-major; features (q·K + a)·d + j); no tensors.
 */
import { Rng } from '../../../core/rng';
import { groupAdvantages, type GroupBatch } from '../methods/advantages';
import {
  checkTheta,
  greedyAnswer,
  logLinearLogits,
  meanFeature,
  rowProbs,
  type ProblemSet,
} from '../policies/log-linear';

export type LogLinearMethod = 'grpo' | 'self' | 'grpo-uniform';
export const LOG_LINEAR_METHODS: readonly LogLinearMethod[] = ['grpo', 'self', 'grpo-uniform'];

/** One batch's responses and advantages. */
export interface LogLinearBatch extends GroupBatch {
  /** Problems of the batch that were trained on (after curation). */
  problems: Int32Array;
  /** Sampled candidate of each response (problems.length · G, group-major). */
  actions: Int32Array;
  advantages: Float64Array;
  /** Nominal number of responses the loss is normalised by (B·G before curation). */
  normaliser: number;
  /** Problems dropped by the curation (greedy answer already correct). */
  dropped: number;
}

/**
 * Sample the batch for one update: curation ('self' drops greedy-correct problems), G responses per
 * kept problem from π ('grpo', 'self') or uniformly ('grpo-uniform'), 0/1 rewards, GRPO advantages.
 */
export function sampleLogLinearBatch(
  rng: Rng,
  set: ProblemSet,
  probs: Float64Array,
  problems: Int32Array,
  G: number,
  method: LogLinearMethod,
  eps = 1e-6,
): LogLinearBatch {
  const where = 'rlvr.logLinear.sampleLogLinearBatch';
  if (!Number.isInteger(G) || G < 2)
    throw new RangeError(
      `${where}: groupSize must be an integer ≥ 2 (GRPO's unbiased std needs two responses), got ${G}`,
    );
  if (!LOG_LINEAR_METHODS.includes(method))
    throw new RangeError(
      `${where}: unknown method '${String(method)}'; expected one of ${LOG_LINEAR_METHODS.join(', ')}`,
    );
  const K = set.nCandidates;
  const kept: number[] = [];
  for (const q of problems) {
    if (q < 0 || q >= set.nProblems)
      throw new RangeError(`${where}: problem index ${q} is outside [0, ${set.nProblems})`);
    if (method === 'self' && set.correct[q * K + greedyAnswer(set, probs, q)]) continue;
    kept.push(q);
  }
  const B = kept.length;
  const actions = new Int32Array(B * G);
  const rewards = new Float64Array(B * G);
  const advantages = new Float64Array(B * G);
  for (let b = 0; b < B; b++) {
    const q = kept[b];
    const row = probs.subarray(q * K, q * K + K);
    for (let i = 0; i < G; i++) {
      const a = method === 'grpo-uniform' ? rng.int(K) : rng.categorical(row);
      actions[b * G + i] = a;
      rewards[b * G + i] = set.correct[q * K + a];
    }
    groupAdvantages(rewards, b * G, G, { kind: 'grpo', std: 'unbiased', eps }, advantages);
  }
  return {
    problems: Int32Array.from(kept),
    G,
    actions,
    rewards,
    advantages,
    normaliser: problems.length * G,
    dropped: problems.length - B,
  };
}

/**
 * The ascent direction d = (1/N) Σ_i A_i ∇ log π(o_i | q_i) = (1/N) Σ_i A_i (φ(q_i, o_i) − φ̄_{q_i}), the gradient
 * of the surrogate (1/N) Σ_i A_i log π_θ(o_i | q_i) at the current θ (N = batch.normaliser).
 */
export function batchDirection(
  set: ProblemSet,
  probs: ArrayLike<number>,
  batch: LogLinearBatch,
  out?: Float64Array,
): Float64Array {
  const d = set.dim;
  const K = set.nCandidates;
  const dir = out ?? new Float64Array(d);
  dir.fill(0);
  const bar = new Float64Array(d);
  const G = batch.G;
  for (let b = 0; b < batch.problems.length; b++) {
    const q = batch.problems[b];
    let sumA = 0;
    for (let i = 0; i < G; i++) {
      const A = batch.advantages[b * G + i];
      if (A === 0) continue;
      sumA += A;
      const o = (q * K + batch.actions[b * G + i]) * d;
      const c = A / batch.normaliser;
      for (let j = 0; j < d; j++) dir[j] += c * set.features[o + j];
    }
    if (sumA === 0) continue;
    meanFeature(set, probs, q, bar);
    const c = sumA / batch.normaliser;
    for (let j = 0; j < d; j++) dir[j] -= c * bar[j];
  }
  return dir;
}

/** The surrogate (1/N) Σ_i A_i log π_θ(o_i | q_i) of a batch at θ (its gradient is `batchDirection`). */
export function batchSurrogate(set: ProblemSet, theta: ArrayLike<number>, batch: LogLinearBatch): number {
  const K = set.nCandidates;
  const z = logLinearLogits(set, theta);
  let s = 0;
  for (let b = 0; b < batch.problems.length; b++) {
    const q = batch.problems[b];
    let m = -Infinity;
    for (let a = 0; a < K; a++) if (z[q * K + a] > m) m = z[q * K + a];
    let e = 0;
    for (let a = 0; a < K; a++) e += Math.exp(z[q * K + a] - m);
    const lse = m + Math.log(e);
    for (let i = 0; i < batch.G; i++)
      s += batch.advantages[b * batch.G + i] * (z[q * K + batch.actions[b * batch.G + i]] - lse);
  }
  return s / batch.normaliser;
}

/**
 * Interference of the update θ ← θ + η·d on every problem of `set`: the exact change of the
 * correct-solution log-likelihood, Δ_q = log p_q(θ + η d) − log p_q(θ), and its first-order formula
 * η ⟨∇_θ log p_q(θ), d⟩. Δ_q < 0 for a problem outside the batch is negative interference.
 */

export interface LogLinearTrainConfig {
  method: LogLinearMethod;
  steps: number;
  /** SGD step size η: θ ← θ + η·d. */
  lr: number;
  /** Problems per batch B (drawn without replacement each step). */
  batchProblems: number;
  groupSize: number;
}

/** What the per-step callback sees: θ before and after, the direction and the batch. */
export interface LogLinearStep {
  /** Update index, 1-based. */
  t: number;
  thetaBefore: Float64Array;
  thetaAfter: Float64Array;
  direction: Float64Array;
  batch: LogLinearBatch;
}

export function checkLogLinearTrainConfig(c: LogLinearTrainConfig, nProblems: number): void {
  const where = 'rlvr.logLinear.trainLogLinear';
  if (!LOG_LINEAR_METHODS.includes(c.method))
    throw new RangeError(
      `${where}: unknown method '${String(c.method)}'; expected one of ${LOG_LINEAR_METHODS.join(', ')}`,
    );
  if (!Number.isInteger(c.steps) || c.steps < 0)
    throw new RangeError(`${where}: steps must be a non-negative integer, got ${c.steps}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr)))
    throw new RangeError(`${where}: lr must be a positive finite number, got ${c.lr}`);
  if (!Number.isInteger(c.batchProblems) || c.batchProblems < 1 || c.batchProblems > nProblems)
    throw new RangeError(
      `${where}: batchProblems must be an integer in [1, ${nProblems}] (the training set's size), got ` +
        `${c.batchProblems}`,
    );
  if (!Number.isInteger(c.groupSize) || c.groupSize < 2)
    throw new RangeError(`${where}: groupSize must be an integer ≥ 2, got ${c.groupSize}`);
}

/** B distinct problems, uniformly (partial Fisher–Yates). */
function drawBatch(rng: Rng, Q: number, B: number, idx: Int32Array): Int32Array {
  for (let i = 0; i < B; i++) {
    const j = i + rng.int(Q - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, B);
}

/** Train θ (a copy of theta0) on `train` with the method; calls onStep after every update. Returns the final θ. */
export function trainLogLinear(
  train: ProblemSet,
  theta0: ArrayLike<number>,
  c: LogLinearTrainConfig,
  rng: Rng,
  onStep?: (s: LogLinearStep) => void,
): Float64Array {
  checkLogLinearTrainConfig(c, train.nProblems);
  checkTheta(train, theta0, 'rlvr.logLinear.trainLogLinear');
  let theta = Float64Array.from(theta0);
  const probs = new Float64Array(train.nProblems * train.nCandidates);
  const idx = Int32Array.from({ length: train.nProblems }, (_, i) => i);
  const rb = rng.split('batches');
  const rs = rng.split('samples');
  const dir = new Float64Array(train.dim);
  for (let t = 1; t <= c.steps; t++) {
    const problems = drawBatch(rb, train.nProblems, c.batchProblems, idx);
    rowProbs(train, theta, problems, probs);
    const batch = sampleLogLinearBatch(rs, train, probs, problems, c.groupSize, c.method);
    batchDirection(train, probs, batch, dir);
    const next = Float64Array.from(theta, (v, j) => v + c.lr * dir[j]);
    if (onStep) onStep({ t, thetaBefore: theta, thetaAfter: next, direction: Float64Array.from(dir), batch });
    theta = next;
  }
  return theta;
}
