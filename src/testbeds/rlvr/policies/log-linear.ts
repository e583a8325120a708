/**
 * A log-linear answer policy with SHARED parameters: the exact miniature of negative interference between
 * problems (as in Nguyen et al. 2025, "The Reasoning Boundary Paradox: How Reinforcement Learning
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
 * Problem sets with shared solution strategies are env/strategy-world.ts; GRPO training of θ is
 * loops/log-linear-grpo.ts. All arrays are flat Float64Arrays (problem-major; features (q·K + a)·d + j);
 * no tensors.
 */
import { softmaxPerRow } from './tabular-softmax';

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

/**
 * A problem set from flat arrays (checked: sizes, finiteness, at least one correct and one wrong candidate per
 * problem).
 */
export function makeProblemSet(
  nProblems: number,
  nCandidates: number,
  dim: number,
  features: ArrayLike<number>,
  baseLogits: ArrayLike<number>,
  correct: ArrayLike<number>,
): ProblemSet {
  const where = 'rlvr.logLinear.makeProblemSet';
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

export function checkTheta(set: ProblemSet, theta: ArrayLike<number>, where: string): void {
  if (theta.length !== set.dim)
    throw new RangeError(`${where}: θ has ${theta.length} entries, the problem set's features have dim ${set.dim}`);
}

/** Logits z(q, a) = b(q, a) + θ·φ(q, a) for every problem. */
export function logLinearLogits(set: ProblemSet, theta: ArrayLike<number>, out?: Float64Array): Float64Array {
  checkTheta(set, theta, 'rlvr.logLinear.logLinearLogits');
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

/** π(a | q) for every problem (row-wise softmax of the logits, in place in `out`). */
export function policyProbs(set: ProblemSet, theta: ArrayLike<number>, out?: Float64Array): Float64Array {
  const z = logLinearLogits(set, theta, out);
  return softmaxPerRow(z, set.nCandidates, z);
}

/**
 * log p_q = log Σ_{a correct} π(a | q) for every problem, computed stably from the logits as
 * LSE_{a correct} z − LSE_a z (exact even when p_q underflows).
 */
export function logSuccess(set: ProblemSet, theta: ArrayLike<number>, out?: Float64Array): Float64Array {
  const K = set.nCandidates;
  const z = logLinearLogits(set, theta);
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
      `rlvr.logLinear.gradLogSuccess: p = ${p} for problem ${q}; log p has no gradient where the correct answers ` +
        `have underflowed to probability 0`,
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

/** Index of the most likely candidate of q (greedy decoding; ties go to the lowest index). */
export function greedyAnswer(set: ProblemSet, probs: ArrayLike<number>, q: number): number {
  const K = set.nCandidates;
  let best = 0;
  for (let a = 1; a < K; a++) if (probs[q * K + a] > probs[q * K + best]) best = a;
  return best;
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

export function interference(
  set: ProblemSet,
  theta: ArrayLike<number>,
  direction: ArrayLike<number>,
  lr: number,
): { exact: Float64Array; firstOrder: Float64Array } {
  const where = 'rlvr.logLinear.interference';
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
