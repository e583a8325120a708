/**
 * Principle-grounded feedback on feature-vector responses: a world of K binary principles ("accurate", "concise", …)
 * and C prompt types, each prompt type weighting the principles by its own importance vector.
 *
 * Responses x ~ N(0, I_d). Principle k has a true log-odds of being satisfied,
 *   s_k(x) = g·(⟨u_k, x⟩ + b_k),     P(x satisfies k) = σ(s_k(x)),
 * with unit vectors u_k and offsets b_k (so principles differ in base rate). The true utility of a response to a
 * prompt of type c is the importance-weighted sum of the principles' log-odds,
 *   U(w_c, x) = Σ_k w_ck s_k(x),     w_c ~ Dirichlet(α) on the simplex,
 * and any other weighting w (a user's principles of interest) defines U(w, ·) the same way.
 * Two kinds of annotation of the same prompts and responses:
 * - a pairwise preference: P(a ≻ b | c) = σ(U(w_c, a) − U(w_c, b)) (Bradley–Terry on the true utility);
 * - a binary principle judgment: the annotator names a principle k ~ Categorical(w_c) (the aspects that matter for
 *   the prompt are the ones feedback is written about) and says whether the response satisfies it,
 *   z ~ Bernoulli(σ(s_k(x))).
 */
import type { Rng } from '../../../core/rng';
import { dotRow, responses, unitVector } from './feature-preferences';

export interface PrincipleWorldOptions {
  /** Feature dimension, principles, prompt types. */
  d: number;
  K: number;
  C: number;
  /** Gain g of the principles' log-odds. */
  gain: number;
  /** Dirichlet concentration α of the prompt types' importance weights. */
  alpha: number;
  /** Offsets b_k are drawn uniformly from [−offset, offset]. */
  offset: number;
}

export interface PrincipleWorld extends PrincipleWorldOptions {
  /** Principle directions (K unit vectors of length d). */
  u: Float64Array[];
  b: Float64Array;
  /** Importance weights of every prompt type (C vectors on the K-simplex). */
  w: Float64Array[];
}

export function principleWorld(rng: Rng, o: PrincipleWorldOptions): PrincipleWorld {
  const u = Array.from({ length: o.K }, () => unitVector(rng, o.d));
  const b = Float64Array.from({ length: o.K }, () => rng.range(-o.offset, o.offset));
  const w = Array.from({ length: o.C }, () => rng.dirichlet(o.K, o.alpha));
  return { ...o, u, b, w };
}

/** s_k(x_i): the true log-odds that response i (row of the n × d matrix x) satisfies principle k. */
export function principleLogOdds(world: PrincipleWorld, k: number, x: Float32Array, i: number): number {
  return world.gain * (dotRow(world.u[k], x, i, world.d) + world.b[k]);
}

/** U(w, x_i) = Σ_k w_k s_k(x_i). */
export function principleUtility(world: PrincipleWorld, w: ArrayLike<number>, x: Float32Array, i: number): number {
  let s = 0;
  for (let k = 0; k < world.K; k++) if (w[k] !== 0) s += w[k] * principleLogOdds(world, k, x, i);
  return s;
}

/** n prompts with their two responses: prompt types c, responses x1, x2 (n × d). */
export interface PromptPairs {
  c: Int32Array;
  x1: Float32Array;
  x2: Float32Array;
}

export function promptPairs(rng: Rng, world: PrincipleWorld, n: number): PromptPairs {
  return {
    c: Int32Array.from({ length: n }, () => rng.int(world.C)),
    x1: responses(rng, n, world.d),
    x2: responses(rng, n, world.d),
  };
}

/** Bradley–Terry preference labels of the pairs under their prompts' utilities: y_i = 1 if x1 ≻ x2 was drawn. */
export function pairwiseLabels(rng: Rng, world: PrincipleWorld, pairs: PromptPairs): Float32Array {
  const n = pairs.c.length;
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const w = world.w[pairs.c[i]];
    const p = 1 / (1 + Math.exp(-(principleUtility(world, w, pairs.x1, i) - principleUtility(world, w, pairs.x2, i))));
    y[i] = rng.uniform() < p ? 1 : 0;
  }
  return y;
}

/** Binary principle judgments: (prompt type, principle, response, yes/no) rows. */
export interface PrincipleJudgments {
  c: Int32Array;
  k: Int32Array;
  /** n × d responses judged. */
  x: Float32Array;
  /** 1 = "yes, the response satisfies the principle". */
  z: Float32Array;
}

/**
 * Binary judgments of the pairs' responses: `perPair` judgments per prompt (1: of the first or the second response
 * at random; 2: one of each), each of a principle k ~ Categorical(w_c), labelled z ~ Bernoulli(σ(s_k(x))).
 */
export function principleJudgments(
  rng: Rng,
  world: PrincipleWorld,
  pairs: PromptPairs,
  perPair: 1 | 2,
): PrincipleJudgments {
  const n = pairs.c.length,
    d = world.d,
    m = n * perPair;
  const out: PrincipleJudgments = {
    c: new Int32Array(m),
    k: new Int32Array(m),
    x: new Float32Array(m * d),
    z: new Float32Array(m),
  };
  for (let i = 0; i < n; i++)
    for (let j = 0; j < perPair; j++) {
      const r = i * perPair + j;
      const first = perPair === 2 ? j === 0 : rng.uniform() < 0.5;
      const src = first ? pairs.x1 : pairs.x2;
      const k = rng.categorical(world.w[pairs.c[i]]);
      out.c[r] = pairs.c[i];
      out.k[r] = k;
      out.x.set(src.subarray(i * d, (i + 1) * d), r * d);
      out.z[r] = rng.uniform() < 1 / (1 + Math.exp(-principleLogOdds(world, k, src, i))) ? 1 : 0;
    }
  return out;
}

/**
 * Model inputs [one-hot(c) | one-hot(k) | x] (n × (C + K + d)); `k` null leaves the principle block out
 * (n × (C + d)), the input of a reward model that is not told a principle.
 */
export function principleInputs(
  world: PrincipleWorld,
  c: ArrayLike<number>,
  k: ArrayLike<number> | null,
  x: Float32Array,
): Float32Array {
  const n = c.length,
    d = world.d;
  const width = world.C + (k ? world.K : 0) + d;
  const out = new Float32Array(n * width);
  for (let i = 0; i < n; i++) {
    const o = i * width;
    out[o + c[i]] = 1;
    if (k) out[o + world.C + k[i]] = 1;
    out.set(x.subarray(i * d, (i + 1) * d), o + world.C + (k ? world.K : 0));
  }
  return out;
}
