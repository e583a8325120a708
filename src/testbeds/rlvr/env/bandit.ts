/**
 * The tabular multi-prompt softmax "bandit": the exact miniature of one RLVR step.
 *
 * Q prompts, each with K candidate responses; response a of prompt q earns a verifiable reward
 * r[q·K + a] (0/1 for pass/fail, or any real). The policy is one softmax per prompt over free logits
 * z[q·K + a]: π_q(a) = exp z_qa / Σ_b exp z_qb. Everything a policy-gradient paper talks about is
 * exact here: the success probability p_q = Σ_a π_q(a) r_qa, the objective J = mean_q p_q, its
 * gradient ∂J/∂z_qa = π_q(a) (r_qa − p_q) / Q, entropies, KLs, and pass@k = 1 − (1 − p_q)^k for
 * binary rewards. All arrays are flat Float64Arrays in prompt-major order; no tensors. The policy's
 * row-wise operations (softmax, entropy, KL, sampling) are in policies/tabular-softmax.ts.
 */
import { Rng } from '../../../core/rng';
import { passAtKExact } from '../passk';

export interface Bandit {
  readonly nPrompts: number;
  readonly nResponses: number;
  /** rewards[q·K + a]. */
  readonly rewards: Float64Array;
}

/** A bandit from a flat reward table (checked). */
export function makeBandit(nPrompts: number, nResponses: number, rewards: ArrayLike<number>): Bandit {
  const where = 'rlvr.makeBandit';
  if (!Number.isInteger(nPrompts) || nPrompts < 1)
    throw new RangeError(`${where}: nPrompts must be a positive integer, got ${nPrompts}`);
  if (!Number.isInteger(nResponses) || nResponses < 2)
    throw new RangeError(`${where}: nResponses must be an integer ≥ 2, got ${nResponses}`);
  if (rewards.length !== nPrompts * nResponses)
    throw new RangeError(
      `${where}: rewards has ${rewards.length} entries, expected nPrompts·nResponses = ${nPrompts * nResponses}`,
    );
  const r = Float64Array.from(rewards);
  for (let i = 0; i < r.length; i++)
    if (!Number.isFinite(r[i])) throw new RangeError(`${where}: rewards[${i}] = ${r[i]} is not finite`);
  return { nPrompts, nResponses, rewards: r };
}

export interface RandomBinaryBanditOptions {
  nPrompts: number;
  nResponses: number;
  /** Inclusive range of the number of correct responses per prompt (default [1, 4]). */
  correct?: readonly [number, number];
  /** Initial logits z ~ N(0, logitScale²) (default 1). */
  logitScale?: number;
  /**
   * Per-prompt difficulty: the logits of the correct responses are shifted by d_q ~ N(difficultyMean,
   * difficultySd²) (defaults −1.5 and 1.5), which spreads the initial success rates p_q over (0, 1).
   */
  difficultyMean?: number;
  difficultySd?: number;
}

/** A random 0/1-reward bandit with a spread of per-prompt difficulties, and its initial logits. */
export function randomBinaryBandit(rng: Rng, o: RandomBinaryBanditOptions): { bandit: Bandit; logits: Float64Array } {
  const Q = o.nPrompts;
  const K = o.nResponses;
  const [cLo, cHi] = o.correct ?? [1, 4];
  if (!(Number.isInteger(cLo) && Number.isInteger(cHi) && cLo >= 1 && cHi >= cLo && cHi < K)) {
    throw new RangeError(
      `rlvr.randomBinaryBandit: correct must be integers 1 ≤ lo ≤ hi < nResponses (${K}), got [${cLo}, ${cHi}]`,
    );
  }
  const scale = o.logitScale ?? 1;
  const dMean = o.difficultyMean ?? -1.5;
  const dSd = o.difficultySd ?? 1.5;
  const rewards = new Float64Array(Q * K);
  const logits = new Float64Array(Q * K);
  const rr = rng.split('rewards');
  const rl = rng.split('logits');
  const idx = Array.from({ length: K }, (_, i) => i);
  for (let q = 0; q < Q; q++) {
    const c = cLo + rr.int(cHi - cLo + 1);
    const perm = rr.shuffle(idx.slice());
    for (let j = 0; j < c; j++) rewards[q * K + perm[j]] = 1;
    const d = rl.normal(dMean, dSd);
    for (let a = 0; a < K; a++) logits[q * K + a] = rl.normal(0, scale) + (rewards[q * K + a] > 0 ? d : 0);
  }
  return { bandit: makeBandit(Q, K, rewards), logits };
}

/** Success probability (expected reward) of every prompt: p_q = Σ_a π_q(a) r_qa. */
export function promptSuccess(b: Bandit, probs: ArrayLike<number>, out?: Float64Array): Float64Array {
  const K = b.nResponses;
  const p = out ?? new Float64Array(b.nPrompts);
  for (let q = 0; q < b.nPrompts; q++) {
    let s = 0;
    for (let a = 0; a < K; a++) s += probs[q * K + a] * b.rewards[q * K + a];
    p[q] = s;
  }
  return p;
}

/** The objective J = mean over prompts of the expected reward. */
export function objective(b: Bandit, probs: ArrayLike<number>): number {
  const p = promptSuccess(b, probs);
  let s = 0;
  for (let q = 0; q < p.length; q++) s += p[q];
  return s / p.length;
}

/** Exact gradient of J = mean_q p_q with respect to the logits: π_q(a)(r_qa − p_q)/Q. */
export function exactGradient(b: Bandit, probs: ArrayLike<number>, out?: Float64Array): Float64Array {
  const K = b.nResponses;
  const Q = b.nPrompts;
  const g = out ?? new Float64Array(Q * K);
  for (let q = 0; q < Q; q++) {
    let pq = 0;
    for (let a = 0; a < K; a++) pq += probs[q * K + a] * b.rewards[q * K + a];
    for (let a = 0; a < K; a++) g[q * K + a] = (probs[q * K + a] * (b.rewards[q * K + a] - pq)) / Q;
  }
  return g;
}

/** Mean over prompts of the exact pass@k, counting a response as a pass when its reward ≥ `passReward`. */
export function banditPassAtK(b: Bandit, probs: ArrayLike<number>, k: number, passReward = 1): number {
  const K = b.nResponses;
  let s = 0;
  for (let q = 0; q < b.nPrompts; q++) {
    let p = 0;
    for (let a = 0; a < K; a++) if (b.rewards[q * K + a] >= passReward) p += probs[q * K + a];
    s += passAtKExact(Math.min(1, p), k);
  }
  return s / b.nPrompts;
}
