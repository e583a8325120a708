/**
 * A log-linear answer policy with SHARED parameters, for the reasoning-boundary / negative-interference
 * miniature (Nguyen et al. 2025, "The Reasoning Boundary Paradox: How Reinforcement Learning
 * Constrains Language Models"; official code github.com/mail-research/SELF-llm-interference).
 *
 * Problem q has K candidate answers; candidate a has a feature vector φ(q, a) ∈ R^d and a frozen base
 * logit b(q, a). The policy is
 *
 *   π_θ(a | q) = exp(b(q, a) + θ·φ(q, a)) / Σ_a' exp(b(q, a') + θ·φ(q, a')),
 *
 * with one θ shared by every problem (the base model is θ = 0). A candidate is correct or not
 * (verifiable 0/1 reward); the correct-solution likelihood of q is p_q = Σ_{a correct} π(a | q), exact.
 * Exact quantities used throughout:
 *   ∇_θ log π(a | q) = φ(q, a) − φ̄_q,                φ̄_q = Σ_a π(a | q) φ(q, a)
 *   ∇_θ log p_q      = E_{π(·|q, correct)}[φ] − φ̄_q
 *   pass@k(q)        = 1 − (1 − p_q)^k
 * Because θ is shared, an update computed on one batch of problems changes p for every other problem:
 * the paper's (negative) interference. To first order in the step size η, an update θ ← θ + η d moves
 * log p_{q'} by η ⟨∇ log p_{q'}, d⟩ (`interference`).
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
import { Rng } from '../../core/rng';
import { passAtKExact } from './bandit';
import { groupAdvantages } from './pg';

export interface ProblemSet {
  readonly nProblems: number;
  /** K: candidate answers per problem. */
  readonly nCandidates: number;
  /** d: feature dimension = size of θ. */
  readonly dim: number;
  /** φ(q, a)_j at (q·K + a)·d + j. */
  readonly features: Float64Array;
  /** Frozen base logits b(q, a) at q·K + a. */
  readonly baseLogits: Float64Array;
  /** 1 where candidate a of problem q is correct. */
  readonly correct: Uint8Array;
}

/** A problem set from flat arrays (checked: sizes, finiteness, at least one correct and one wrong candidate per problem). */
export function makeProblemSet(
  nProblems: number,
  nCandidates: number,
  dim: number,
  features: ArrayLike<number>,
  baseLogits: ArrayLike<number>,
  correct: ArrayLike<number>,
): ProblemSet {
  const where = 'rlvr.boundary.makeProblemSet';
  if (!Number.isInteger(nProblems) || nProblems < 1)
    throw new RangeError(`${where}: nProblems must be a positive integer, got ${nProblems}`);
  if (!Number.isInteger(nCandidates) || nCandidates < 2)
    throw new RangeError(`${where}: nCandidates must be an integer ≥ 2, got ${nCandidates}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`${where}: dim must be a positive integer, got ${dim}`);
  const n = nProblems * nCandidates;
  if (features.length !== n * dim)
    throw new RangeError(
      `${where}: features has ${features.length} entries, expected nProblems·nCandidates·dim = ${n * dim}`,
    );
  if (baseLogits.length !== n)
    throw new RangeError(
      `${where}: baseLogits has ${baseLogits.length} entries, expected nProblems·nCandidates = ${n}`,
    );
  if (correct.length !== n)
    throw new RangeError(`${where}: correct has ${correct.length} entries, expected nProblems·nCandidates = ${n}`);
  const f = Float64Array.from(features);
  const b = Float64Array.from(baseLogits);
  const c = new Uint8Array(n);
  for (let i = 0; i < f.length; i++)
    if (!Number.isFinite(f[i])) throw new RangeError(`${where}: features[${i}] = ${f[i]} is not finite`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(b[i])) throw new RangeError(`${where}: baseLogits[${i}] = ${b[i]} is not finite`);
    if (correct[i] !== 0 && correct[i] !== 1)
      throw new RangeError(`${where}: correct[${i}] must be 0 or 1, got ${correct[i]}`);
    c[i] = correct[i];
  }
  for (let q = 0; q < nProblems; q++) {
    let k = 0;
    for (let a = 0; a < nCandidates; a++) k += c[q * nCandidates + a];
    if (k === 0)
      throw new RangeError(`${where}: problem ${q} has no correct candidate (its p would be 0 and log p undefined)`);
    if (k === nCandidates)
      throw new RangeError(`${where}: problem ${q} has only correct candidates (its p would be 1 for every θ)`);
  }
  return { nProblems, nCandidates, dim, features: f, baseLogits: b, correct: c };
}

function checkTheta(set: ProblemSet, theta: ArrayLike<number>, where: string): void {
  if (theta.length !== set.dim)
    throw new RangeError(`${where}: θ has ${theta.length} entries, the problem set's features have dim ${set.dim}`);
}

/** Logits z(q, a) = b(q, a) + θ·φ(q, a) for every problem. */
export function logitsOf(set: ProblemSet, theta: ArrayLike<number>, out?: Float64Array): Float64Array {
  checkTheta(set, theta, 'rlvr.boundary.logitsOf');
  const d = set.dim;
  const n = set.nProblems * set.nCandidates;
  const z = out ?? new Float64Array(n);
  const F = set.features;
  for (let i = 0; i < n; i++) {
    let s = set.baseLogits[i];
    const o = i * d;
    for (let j = 0; j < d; j++) s += theta[j] * F[o + j];
    z[i] = s;
  }
  return z;
}

/** π(a | q) for every problem (row-wise softmax of the logits). */
export function policyProbs(set: ProblemSet, theta: ArrayLike<number>, out?: Float64Array): Float64Array {
  const K = set.nCandidates;
  const p = logitsOf(set, theta, out);
  for (let s = 0; s < p.length; s += K) {
    let m = -Infinity;
    for (let a = 0; a < K; a++) if (p[s + a] > m) m = p[s + a];
    let z = 0;
    for (let a = 0; a < K; a++) {
      p[s + a] = Math.exp(p[s + a] - m);
      z += p[s + a];
    }
    for (let a = 0; a < K; a++) p[s + a] /= z;
  }
  return p;
}

/**
 * log p_q = log Σ_{a correct} π(a | q) for every problem, computed stably from the logits as
 * LSE_{a correct} z − LSE_a z (exact even when p_q underflows).
 */
export function logSuccess(set: ProblemSet, theta: ArrayLike<number>, out?: Float64Array): Float64Array {
  const K = set.nCandidates;
  const z = logitsOf(set, theta);
  const res = out ?? new Float64Array(set.nProblems);
  for (let q = 0; q < set.nProblems; q++) {
    const s = q * K;
    let m = -Infinity;
    let mc = -Infinity;
    for (let a = 0; a < K; a++) {
      if (z[s + a] > m) m = z[s + a];
      if (set.correct[s + a] && z[s + a] > mc) mc = z[s + a];
    }
    let all = 0;
    let cor = 0;
    for (let a = 0; a < K; a++) {
      all += Math.exp(z[s + a] - m);
      if (set.correct[s + a]) cor += Math.exp(z[s + a] - mc);
    }
    res[q] = mc + Math.log(cor) - (m + Math.log(all));
  }
  return res;
}

/** p_q from the policy's probabilities. */
export function successFromProbs(set: ProblemSet, probs: ArrayLike<number>, out?: Float64Array): Float64Array {
  const K = set.nCandidates;
  const p = out ?? new Float64Array(set.nProblems);
  for (let q = 0; q < set.nProblems; q++) {
    let s = 0;
    for (let a = 0; a < K; a++) if (set.correct[q * K + a]) s += probs[q * K + a];
    p[q] = s;
  }
  return p;
}

/** φ̄_q = Σ_a π(a | q) φ(q, a) into out (length d). */
export function meanFeature(set: ProblemSet, probs: ArrayLike<number>, q: number, out: Float64Array): Float64Array {
  const K = set.nCandidates;
  const d = set.dim;
  out.fill(0);
  for (let a = 0; a < K; a++) {
    const w = probs[q * K + a];
    const o = (q * K + a) * d;
    for (let j = 0; j < d; j++) out[j] += w * set.features[o + j];
  }
  return out;
}

/** ∇_θ log π(a | q) = φ(q, a) − φ̄_q into out. */
export function gradLogProb(
  set: ProblemSet,
  probs: ArrayLike<number>,
  q: number,
  a: number,
  out: Float64Array,
): Float64Array {
  const d = set.dim;
  meanFeature(set, probs, q, out);
  const o = (q * set.nCandidates + a) * d;
  for (let j = 0; j < d; j++) out[j] = set.features[o + j] - out[j];
  return out;
}

/** ∇_θ log p_q = E_{π(·|q, correct)}[φ] − φ̄_q into out. */
export function gradLogSuccess(set: ProblemSet, probs: ArrayLike<number>, q: number, out: Float64Array): Float64Array {
  const K = set.nCandidates;
  const d = set.dim;
  let p = 0;
  for (let a = 0; a < K; a++) if (set.correct[q * K + a]) p += probs[q * K + a];
  if (!(p > 0))
    throw new RangeError(
      `rlvr.boundary.gradLogSuccess: p = ${p} for problem ${q}; log p has no gradient where the correct answers have underflowed to probability 0`,
    );
  out.fill(0);
  for (let a = 0; a < K; a++) {
    const pi = probs[q * K + a];
    const w = (set.correct[q * K + a] ? pi / p : 0) - pi;
    if (w === 0) continue;
    const o = (q * K + a) * d;
    for (let j = 0; j < d; j++) out[j] += w * set.features[o + j];
  }
  return out;
}

/** Mean over problems of the exact pass@k = 1 − (1 − p_q)^k. */
export function meanPassAtK(p: ArrayLike<number>, k: number, mask?: ArrayLike<number>): number {
  if (p.length === 0) throw new RangeError('rlvr.boundary.meanPassAtK: no problems');
  let s = 0;
  let n = 0;
  for (let q = 0; q < p.length; q++) {
    if (mask && !mask[q]) continue;
    s += passAtKExact(Math.min(1, Math.max(0, p[q])), k);
    n++;
  }
  if (n === 0) throw new RangeError('rlvr.boundary.meanPassAtK: the mask selects no problem');
  return s / n;
}

export type BoundaryMethod = 'grpo' | 'self' | 'grpo-uniform';
export const BOUNDARY_METHODS: readonly BoundaryMethod[] = ['grpo', 'self', 'grpo-uniform'];

/** Index of the most likely candidate of q (greedy decoding; ties go to the lowest index). */
export function greedyAnswer(set: ProblemSet, probs: ArrayLike<number>, q: number): number {
  const K = set.nCandidates;
  let best = 0;
  for (let a = 1; a < K; a++) if (probs[q * K + a] > probs[q * K + best]) best = a;
  return best;
}

/** One batch's responses and advantages. */
export interface BoundaryBatch {
  /** Problems of the batch that were trained on (after curation). */
  problems: Int32Array;
  G: number;
  /** Sampled candidate of each response (problems.length · G, group-major). */
  actions: Int32Array;
  rewards: Float64Array;
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
export function sampleBoundaryBatch(
  rng: Rng,
  set: ProblemSet,
  probs: Float64Array,
  problems: Int32Array,
  G: number,
  method: BoundaryMethod,
  eps = 1e-6,
): BoundaryBatch {
  const where = 'rlvr.boundary.sampleBoundaryBatch';
  if (!Number.isInteger(G) || G < 2)
    throw new RangeError(
      `${where}: groupSize must be an integer ≥ 2 (GRPO's unbiased std needs two responses), got ${G}`,
    );
  if (!BOUNDARY_METHODS.includes(method))
    throw new RangeError(
      `${where}: unknown method '${String(method)}'; expected one of ${BOUNDARY_METHODS.join(', ')}`,
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
  batch: BoundaryBatch,
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
export function batchSurrogate(set: ProblemSet, theta: ArrayLike<number>, batch: BoundaryBatch): number {
  const K = set.nCandidates;
  const z = logitsOf(set, theta);
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
export function interference(
  set: ProblemSet,
  theta: ArrayLike<number>,
  direction: ArrayLike<number>,
  lr: number,
): { exact: Float64Array; firstOrder: Float64Array } {
  const where = 'rlvr.boundary.interference';
  checkTheta(set, theta, where);
  if (direction.length !== set.dim)
    throw new RangeError(`${where}: direction has ${direction.length} entries, expected dim ${set.dim}`);
  if (!Number.isFinite(lr)) throw new RangeError(`${where}: lr must be finite, got ${lr}`);
  const before = logSuccess(set, theta);
  const next = Float64Array.from(theta, (v, j) => v + lr * direction[j]);
  const after = logSuccess(set, next);
  const probs = policyProbs(set, theta);
  const g = new Float64Array(set.dim);
  const exact = new Float64Array(set.nProblems);
  const firstOrder = new Float64Array(set.nProblems);
  for (let q = 0; q < set.nProblems; q++) {
    exact[q] = after[q] - before[q];
    gradLogSuccess(set, probs, q, g);
    let s = 0;
    for (let j = 0; j < set.dim; j++) s += g[j] * direction[j];
    firstOrder[q] = lr * s;
  }
  return { exact, firstOrder };
}

// ---------------------------------------------------------------------------------------------
// The problem distribution: solution strategies shared across problems.

/**
 * Problems solved by "strategies". Every problem has a type t (T types) and one valid strategy v
 * (of S): the type's main strategy with probability `mainStrategyProb`, otherwise one of the other
 * strategies uniformly. Its K = S·c candidates use strategy ⌊a / c⌋; exactly one candidate of strategy
 * v is correct (the other c − 1 are flawed executions). Features (d = S + T·S + m):
 *   [0, S)            one-hot strategy (a global strategy preference shared by all problems)
 *   [S, S + T·S)      one-hot (type, strategy) (a per-type strategy preference)
 *   [S + T·S, d)      m random N(0, scale²/m) features per candidate (problem-specific directions)
 * Base logits b(q, a) = popularity[s] + noiseSd·N(0, 1) + (correct ? δ_q : 0), δ_q ~ N(executionMean,
 * executionSd²): popular strategies and well-executed problems have high base likelihood, problems
 * that need a rare strategy have low base likelihood.
 */
export interface StrategyWorldConfig {
  nStrategies: number;
  candidatesPerStrategy: number;
  nTypes: number;
  /** Main strategy of each type (length nTypes). */
  typeMainStrategy: number[];
  mainStrategyProb: number;
  /** Base log-popularity of each strategy (length nStrategies). */
  popularity: number[];
  executionMean: number;
  executionSd: number;
  noiseSd: number;
  nRandomFeatures: number;
  randomFeatureScale: number;
}

export interface StrategyProblems extends ProblemSet {
  type: Int32Array;
  validStrategy: Int32Array;
}

export function checkStrategyWorld(w: StrategyWorldConfig): void {
  const where = 'rlvr.boundary.strategyProblems';
  const S = w.nStrategies;
  if (!Number.isInteger(S) || S < 2) throw new RangeError(`${where}: nStrategies must be an integer ≥ 2, got ${S}`);
  if (!Number.isInteger(w.candidatesPerStrategy) || w.candidatesPerStrategy < 1)
    throw new RangeError(`${where}: candidatesPerStrategy must be a positive integer, got ${w.candidatesPerStrategy}`);
  if (!Number.isInteger(w.nTypes) || w.nTypes < 1)
    throw new RangeError(`${where}: nTypes must be a positive integer, got ${w.nTypes}`);
  if (w.typeMainStrategy.length !== w.nTypes)
    throw new RangeError(
      `${where}: typeMainStrategy has ${w.typeMainStrategy.length} entries for nTypes = ${w.nTypes}`,
    );
  for (const s of w.typeMainStrategy)
    if (!Number.isInteger(s) || s < 0 || s >= S)
      throw new RangeError(`${where}: typeMainStrategy entries must be strategy indices in [0, ${S}), got ${s}`);
  if (w.popularity.length !== S)
    throw new RangeError(`${where}: popularity has ${w.popularity.length} entries for nStrategies = ${S}`);
  if (!(w.mainStrategyProb >= 0 && w.mainStrategyProb <= 1))
    throw new RangeError(`${where}: mainStrategyProb must be in [0, 1], got ${w.mainStrategyProb}`);
  if (!(w.executionSd >= 0 && w.noiseSd >= 0 && w.randomFeatureScale >= 0))
    throw new RangeError(`${where}: executionSd, noiseSd and randomFeatureScale must be ≥ 0`);
  if (!Number.isInteger(w.nRandomFeatures) || w.nRandomFeatures < 0)
    throw new RangeError(`${where}: nRandomFeatures must be a non-negative integer, got ${w.nRandomFeatures}`);
  if (S * w.candidatesPerStrategy < 2) throw new RangeError(`${where}: need at least 2 candidates per problem`);
}

export function strategyDim(w: StrategyWorldConfig): number {
  return w.nStrategies + w.nTypes * w.nStrategies + w.nRandomFeatures;
}

/** Draw n problems from the strategy world. */
export function strategyProblems(rng: Rng, w: StrategyWorldConfig, n: number): StrategyProblems {
  checkStrategyWorld(w);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`rlvr.boundary.strategyProblems: n must be a positive integer, got ${n}`);
  const S = w.nStrategies;
  const c = w.candidatesPerStrategy;
  const K = S * c;
  const T = w.nTypes;
  const m = w.nRandomFeatures;
  const d = strategyDim(w);
  const features = new Float64Array(n * K * d);
  const base = new Float64Array(n * K);
  const correct = new Uint8Array(n * K);
  const type = new Int32Array(n);
  const valid = new Int32Array(n);
  const fs = m > 0 ? w.randomFeatureScale / Math.sqrt(m) : 0;
  for (let q = 0; q < n; q++) {
    const t = rng.int(T);
    type[q] = t;
    const main = w.typeMainStrategy[t];
    let v = main;
    if (!(rng.uniform() < w.mainStrategyProb)) {
      v = rng.int(S - 1);
      if (v >= main) v++;
    }
    valid[q] = v;
    const right = v * c + rng.int(c);
    const delta = rng.normal(w.executionMean, w.executionSd);
    for (let a = 0; a < K; a++) {
      const s = Math.floor(a / c);
      const i = q * K + a;
      const o = i * d;
      features[o + s] = 1;
      features[o + S + t * S + s] = 1;
      for (let j = 0; j < m; j++) features[o + S + T * S + j] = fs * rng.normal();
      const isRight = a === right;
      correct[i] = isRight ? 1 : 0;
      base[i] = w.popularity[s] + w.noiseSd * rng.normal() + (isRight ? delta : 0);
    }
  }
  return { ...makeProblemSet(n, K, d, features, base, correct), type, validStrategy: valid };
}

// ---------------------------------------------------------------------------------------------
// Training loop.

export interface BoundaryTrainConfig {
  method: BoundaryMethod;
  steps: number;
  /** SGD step size η: θ ← θ + η·d. */
  lr: number;
  /** Problems per batch B (drawn without replacement each step). */
  batchProblems: number;
  groupSize: number;
}

/** What the per-step callback sees: θ before and after, the direction and the batch. */
export interface BoundaryStep {
  /** Update index, 1-based. */
  t: number;
  thetaBefore: Float64Array;
  thetaAfter: Float64Array;
  direction: Float64Array;
  batch: BoundaryBatch;
}

export function checkTrainConfig(c: BoundaryTrainConfig, nProblems: number): void {
  const where = 'rlvr.boundary.trainBoundary';
  if (!BOUNDARY_METHODS.includes(c.method))
    throw new RangeError(
      `${where}: unknown method '${String(c.method)}'; expected one of ${BOUNDARY_METHODS.join(', ')}`,
    );
  if (!Number.isInteger(c.steps) || c.steps < 0)
    throw new RangeError(`${where}: steps must be a non-negative integer, got ${c.steps}`);
  if (!(c.lr > 0 && Number.isFinite(c.lr)))
    throw new RangeError(`${where}: lr must be a positive finite number, got ${c.lr}`);
  if (!Number.isInteger(c.batchProblems) || c.batchProblems < 1 || c.batchProblems > nProblems)
    throw new RangeError(
      `${where}: batchProblems must be an integer in [1, ${nProblems}] (the training set's size), got ${c.batchProblems}`,
    );
  if (!Number.isInteger(c.groupSize) || c.groupSize < 2)
    throw new RangeError(`${where}: groupSize must be an integer ≥ 2, got ${c.groupSize}`);
}

/** π(· | q) for the listed problems only (other rows of out untouched). */
export function rowProbs(
  set: ProblemSet,
  theta: ArrayLike<number>,
  problems: ArrayLike<number>,
  out: Float64Array,
): Float64Array {
  const K = set.nCandidates;
  const d = set.dim;
  const F = set.features;
  for (let b = 0; b < problems.length; b++) {
    const s = problems[b] * K;
    let m = -Infinity;
    for (let a = 0; a < K; a++) {
      let z = set.baseLogits[s + a];
      const o = (s + a) * d;
      for (let j = 0; j < d; j++) z += theta[j] * F[o + j];
      out[s + a] = z;
      if (z > m) m = z;
    }
    let tot = 0;
    for (let a = 0; a < K; a++) {
      out[s + a] = Math.exp(out[s + a] - m);
      tot += out[s + a];
    }
    for (let a = 0; a < K; a++) out[s + a] /= tot;
  }
  return out;
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
export function trainBoundary(
  train: ProblemSet,
  theta0: ArrayLike<number>,
  c: BoundaryTrainConfig,
  rng: Rng,
  onStep?: (s: BoundaryStep) => void,
): Float64Array {
  checkTrainConfig(c, train.nProblems);
  checkTheta(train, theta0, 'rlvr.boundary.trainBoundary');
  let theta = Float64Array.from(theta0);
  const probs = new Float64Array(train.nProblems * train.nCandidates);
  const idx = Int32Array.from({ length: train.nProblems }, (_, i) => i);
  const rb = rng.split('batches');
  const rs = rng.split('samples');
  const dir = new Float64Array(train.dim);
  for (let t = 1; t <= c.steps; t++) {
    const problems = drawBatch(rb, train.nProblems, c.batchProblems, idx);
    rowProbs(train, theta, problems, probs);
    const batch = sampleBoundaryBatch(rs, train, probs, problems, c.groupSize, c.method);
    batchDirection(train, probs, batch, dir);
    const next = Float64Array.from(theta, (v, j) => v + c.lr * dir[j]);
    if (onStep) onStep({ t, thetaBefore: theta, thetaAfter: next, direction: Float64Array.from(dir), batch });
    theta = next;
  }
  return theta;
}
