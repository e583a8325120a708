/**
 * Token-sequence preference task with a shared log-linear "backbone" (the small-feature stand-in for a
 * GRU/LM), used to compare an explicit Bradley–Terry reward model with DPO's implicit reward (the two
 * reward models: methods/sequence-rewards.ts).
 *
 * Prompts x are P tokens, responses y are L tokens, vocabulary V. One feature map ψ(x, prev, v) ∈ R^D
 * scores a candidate next token v after `prev` (a start symbol at t = 0):
 *   [one-hot(v) | 1[v ∈ x] | 1[v = prev] | one-hot(prev, v)]   (D = V + 2 + (V+1)·V; 4 non-zeros at most)
 *  - explicit reward model (EXRM): r_w(x, y) = Σ_t w·ψ(x, y_{t−1}, y_t)  (a scalar head over the same features);
 *  - policy: logits_t(v) = ref_t(v) + (φ/β)·ψ(x, y_{t−1}, v); DPO's implicit reward (DPORM) is
 *    β·log π_φ(y|x)/π_ref(y|x) = Σ_t [φ·ψ(x, y_{t−1}, y_t) − β·log Σ_v π_ref(v|·)·exp(φ·ψ(x, y_{t−1}, v)/β)].
 *    The parameter φ is in reward units, so the same optimiser settings mean the same step sizes for both.
 * Gold reward: r*(x, y) = Σ_t g[y_t] + α·Σ_t 1[y_t ∈ x] − ρ·Σ_{t≥1} 1[y_t = y_{t−1}] (linear + interaction terms;
 * representable by the EXRM, and by neither model's prior). Reference policy: autoregressive log-linear,
 * ref_t(v) = (u[v] + c·1[v ∈ x] + B[prev, v]) / temperature.
 */
import type { Rng } from '../../../core/rng';
import { sigmoid } from '../../../math';

export interface TokenTask {
  V: number;
  P: number;
  /** Gold reward parameters. */
  g: Float64Array;
  alpha: number;
  rho: number;
}

/** An autoregressive log-linear sampler: logits u[v] + copy·1[v ∈ x] + B[prev·V + v], divided by temperature. */
export interface TokenPolicy {
  V: number;
  u: Float64Array;
  copy: number;
  /** (V+1) × V: row V is the start symbol. */
  B: Float64Array;
  temperature: number;
}

/** A set of (prompt, response) sequences, flat: prompts n × P, responses n × L. */
export interface SequenceSet {
  n: number;
  P: number;
  L: number;
  prompts: Int32Array;
  responses: Int32Array;
}

/** Pairs of responses to the same prompt with a label: chosen first (index into two SequenceSets). */
export interface SequencePairs {
  chosen: SequenceSet;
  rejected: SequenceSet;
}

export function featureDim(V: number): number {
  return V + 2 + (V + 1) * V;
}

export function randomTokenTask(rng: Rng, o: { V: number; P: number; alpha: number; rho: number }): TokenTask {
  const g = new Float64Array(o.V);
  for (let v = 0; v < o.V; v++) g[v] = rng.normal();
  return { V: o.V, P: o.P, g, alpha: o.alpha, rho: o.rho };
}

export function randomTokenPolicy(
  rng: Rng,
  o: { V: number; unigramScale: number; bigramScale: number; copy: number; temperature?: number },
): TokenPolicy {
  const u = new Float64Array(o.V),
    B = new Float64Array((o.V + 1) * o.V);
  for (let v = 0; v < o.V; v++) u[v] = o.unigramScale * rng.normal();
  for (let i = 0; i < B.length; i++) B[i] = o.bigramScale * rng.normal();
  return { V: o.V, u, copy: o.copy, B, temperature: o.temperature ?? 1 };
}

export function withTemperature(p: TokenPolicy, temperature: number): TokenPolicy {
  return { ...p, temperature };
}

function inPrompt(prompts: Int32Array, off: number, P: number, v: number): boolean {
  for (let j = 0; j < P; j++) if (prompts[off + j] === v) return true;
  return false;
}

/** Reference log-probabilities of every next token at one position, into out[0..V). */
export function refLogProbs(
  pol: TokenPolicy,
  prompts: Int32Array,
  pOff: number,
  P: number,
  prev: number,
  out: Float64Array,
): void {
  const V = pol.V;
  let m = -Infinity;
  for (let v = 0; v < V; v++) {
    const l = (pol.u[v] + (inPrompt(prompts, pOff, P, v) ? pol.copy : 0) + pol.B[prev * V + v]) / pol.temperature;
    out[v] = l;
    if (l > m) m = l;
  }
  let s = 0;
  for (let v = 0; v < V; v++) s += Math.exp(out[v] - m);
  const lse = m + Math.log(s);
  for (let v = 0; v < V; v++) out[v] -= lse;
}

/** n prompts of P tokens, each token drawn from promptProbs. */
export function samplePrompts(rng: Rng, promptProbs: Float64Array, n: number, P: number): Int32Array {
  const prompts = new Int32Array(n * P);
  for (let i = 0; i < n * P; i++) prompts[i] = drawIndex(rng, promptProbs);
  return prompts;
}

/** One response of length L per prompt, from `pol` or uniformly random tokens ({ uniform: V }). */
export function sampleResponses(
  rng: Rng,
  pol: TokenPolicy | { uniform: number },
  prompts: Int32Array,
  P: number,
  L: number,
): SequenceSet {
  const n = prompts.length / P;
  const V = 'uniform' in pol ? pol.uniform : pol.V;
  const responses = new Int32Array(n * L);
  const lp = new Float64Array(V);
  for (let i = 0; i < n; i++) {
    let prev = V;
    for (let t = 0; t < L; t++) {
      let v: number;
      if ('uniform' in pol) v = rng.int(V);
      else {
        refLogProbs(pol, prompts, i * P, P, prev, lp);
        for (let k = 0; k < V; k++) lp[k] = Math.exp(lp[k]);
        v = drawIndex(rng, lp);
      }
      responses[i * L + t] = v;
      prev = v;
    }
  }
  return { n, P, L, prompts, responses };
}

function drawIndex(rng: Rng, probs: ArrayLike<number>): number {
  const u = rng.uniform();
  let c = 0;
  for (let i = 0; i < probs.length; i++) {
    c += probs[i];
    if (u < c) return i;
  }
  return probs.length - 1;
}

/** Gold reward of sequence i of a set. */
export function goldReward(task: TokenTask, s: SequenceSet, i: number): number {
  let r = 0,
    prev = -1;
  for (let t = 0; t < s.L; t++) {
    const v = s.responses[i * s.L + t];
    r += task.g[v];
    if (inPrompt(s.prompts, i * s.P, s.P, v)) r += task.alpha;
    if (v === prev) r -= task.rho;
    prev = v;
  }
  return r;
}

/**
 * Pairs for the same prompts: two independent response sets `a`, `b` (a.prompts must equal b.prompts);
 * labels from the gold reward: 'bradley-terry' sampling or 'deterministic' (ties dropped).
 */
export function labelPairs(
  rng: Rng,
  task: TokenTask,
  a: SequenceSet,
  b: SequenceSet,
  labels: 'bradley-terry' | 'deterministic',
): SequencePairs {
  const keepW: number[] = [],
    keepL: number[] = [];
  for (let i = 0; i < a.n; i++) {
    const d = goldReward(task, a, i) - goldReward(task, b, i);
    if (labels === 'deterministic') {
      if (d === 0) continue;
      keepW.push(d > 0 ? 0 : 1);
    } else keepW.push(rng.uniform() < sigmoid(d) ? 0 : 1);
    keepL.push(i);
  }
  const n = keepL.length,
    P = a.P,
    L = a.L;
  const mk = (): SequenceSet => ({ n, P, L, prompts: new Int32Array(n * P), responses: new Int32Array(n * L) });
  const chosen = mk(),
    rejected = mk();
  keepL.forEach((i, k) => {
    const [w, l] = keepW[k] === 0 ? [a, b] : [b, a];
    chosen.prompts.set(a.prompts.subarray(i * P, i * P + P), k * P);
    rejected.prompts.set(a.prompts.subarray(i * P, i * P + P), k * P);
    chosen.responses.set(w.responses.subarray(i * L, i * L + L), k * L);
    rejected.responses.set(l.responses.subarray(i * L, i * L + L), k * L);
  });
  return { chosen, rejected };
}

/** Indices of the non-zero features ψ(x, prev, v) (3 or 4 of them, −1 for absent) into out[0..4). */
export function featureIndices(
  V: number,
  prompts: Int32Array,
  pOff: number,
  P: number,
  prev: number,
  v: number,
  out: Int32Array,
): void {
  out[0] = v;
  out[1] = inPrompt(prompts, pOff, P, v) ? V : -1;
  out[2] = prev < V && v === prev ? V + 1 : -1;
  out[3] = V + 2 + prev * V + v;
}
