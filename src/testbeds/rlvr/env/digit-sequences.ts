/**
 * The digit-sequence task of the ROVER miniature (He et al. 2025, "Random Policy Valuation is Enough
 * for LLM Reasoning with Verifiable Rewards"): a token-sequence task with many valid answers. The policy
 * is tabular over the prefix's sufficient statistic (position, last digit, running sum mod the modulus,
 * "no rule broken yet"): every prefix with the same statistic has the same future, so this is an exact
 * aggregation of the prefix tree, and success probability, entropy and Q^u are computed exactly by
 * dynamic programming. Typed arrays throughout. The training updates are in loops/sequence-policy.ts.
 */
import { Rng } from '../../../core/rng';
import { logSumExp } from '../../../math';

/**
 * Length-L sequences over digits 0…V−1; a sequence of prompt q is correct iff no two adjacent digits are
 * equal, it uses none of the prompt's banned digits, and its digit sum ≡ target[q] (mod M). Prompt q
 * has target q mod M and bans the q mod (maxBanned + 1) digits (3q + j) mod V, j = 0, 1, …: the number
 * of banned digits sets the difficulty. Policy state (t, prev, sum mod M, ok), prev = V for t = 0;
 * ok = 0 once a rule is broken (later tokens are still generated, as an LLM keeps writing after a slip).
 */
export interface DigitTask {
  L: number;
  V: number;
  M: number;
  nPrompts: number;
  targets: Int32Array;
  /** banned[q·V + a] = 1 if digit a is banned in prompt q. */
  banned: Uint8Array;
}

export function digitTask(nPrompts: number, L = 8, maxBanned = 0, V = 10, M = 11): DigitTask {
  if (!(Number.isInteger(L) && L >= 2)) throw new RangeError(`rover.digitTask: L must be an integer ≥ 2, got ${L}`);
  if (!(Number.isInteger(nPrompts) && nPrompts >= 1))
    throw new RangeError(`rover.digitTask: nPrompts must be a positive integer, got ${nPrompts}`);
  if (!(Number.isInteger(maxBanned) && maxBanned >= 0 && maxBanned <= V - 3))
    throw new RangeError(`rover.digitTask: maxBanned must be an integer in [0, V − 3 = ${V - 3}], got ${maxBanned}`);
  const banned = new Uint8Array(nPrompts * V);
  for (let q = 0; q < nPrompts; q++) {
    const k = q % (maxBanned + 1);
    for (let j = 0; j < k; j++) banned[q * V + ((3 * q + j) % V)] = 1;
  }
  return { L, V, M, nPrompts, targets: Int32Array.from({ length: nPrompts }, (_, q) => q % M), banned };
}

/** The ok flag after token a at a state with flag ok and previous digit prev, in prompt q. */
export function okAfter(task: DigitTask, q: number, ok: number, prev: number, a: number): number {
  return ok && a !== prev && !task.banned[q * task.V + a] ? 1 : 0;
}

/** States per prompt: L · (V + 1) · M · 2. */
export function statesPerPrompt(task: DigitTask): number {
  return task.L * (task.V + 1) * task.M * 2;
}

/** Index of the policy state (t, prev, sum mod M, ok) of prompt q (the logits are stateIndex·V + a). */
export function digitStateIndex(task: DigitTask, q: number, t: number, prev: number, sum: number, ok: number): number {
  return (((q * task.L + t) * (task.V + 1) + prev) * task.M + sum) * 2 + ok;
}

/** Is a full sequence correct for prompt q? */
export function isCorrect(task: DigitTask, q: number, seq: ArrayLike<number>): boolean {
  let s = 0;
  for (let t = 0; t < task.L; t++) {
    if (t > 0 && seq[t] === seq[t - 1]) return false;
    if (task.banned[q * task.V + seq[t]]) return false;
    s += seq[t];
  }
  return s % task.M === task.targets[q];
}

/** log-softmax of logits[off … off + V) into out[0 … V) (z − logSumExp); returns nothing. */
export function logSoftmaxInto(z: ArrayLike<number>, off: number, V: number, out: Float64Array): void {
  const lz = logSumExp(z, off, V);
  for (let a = 0; a < V; a++) out[a] = z[off + a] - lz;
}

export interface ExactEval {
  /** Success probability of each prompt. */
  p: Float64Array;
  /** Sequence entropy of each prompt (nats). */
  entropy: Float64Array;
}

/** Exact success probability and sequence entropy per prompt by forward dynamic programming. */
export function exactEval(task: DigitTask, z: Float64Array): ExactEval {
  const { L, V, M } = task;
  const W = (V + 1) * M * 2;
  let d = new Float64Array(W);
  let d2 = new Float64Array(W);
  const lp = new Float64Array(V);
  const p = new Float64Array(task.nPrompts);
  const H = new Float64Array(task.nPrompts);
  for (let q = 0; q < task.nPrompts; q++) {
    d.fill(0);
    d[(V * M + 0) * 2 + 1] = 1;
    let h = 0;
    for (let t = 0; t < L; t++) {
      d2.fill(0);
      for (let prev = 0; prev <= V; prev++)
        for (let s = 0; s < M; s++)
          for (let ok = 0; ok < 2; ok++) {
            const w = d[(prev * M + s) * 2 + ok];
            if (w === 0) continue;
            logSoftmaxInto(z, digitStateIndex(task, q, t, prev, s, ok) * V, V, lp);
            for (let a = 0; a < V; a++) {
              const pa = Math.exp(lp[a]);
              h -= w * pa * lp[a];
              const ok2 = okAfter(task, q, ok, prev, a);
              d2[(a * M + ((s + a) % M)) * 2 + ok2] += w * pa;
            }
          }
      const tmp = d;
      d = d2;
      d2 = tmp;
    }
    let succ = 0;
    for (let a = 0; a < V; a++) succ += d[(a * M + task.targets[q]) * 2 + 1];
    p[q] = succ;
    H[q] = h;
  }
  return { p, entropy: H };
}

/** Exact Q^u (uniform-policy Q) at every state and action, by backward recursion; layout as the logits. */
export function uniformQ(task: DigitTask): Float64Array {
  const { L, V, M } = task;
  const Q = new Float64Array(task.nPrompts * statesPerPrompt(task) * V);
  for (let q = 0; q < task.nPrompts; q++) {
    for (let t = L - 1; t >= 0; t--)
      for (let prev = 0; prev <= V; prev++)
        for (let s = 0; s < M; s++)
          for (let ok = 0; ok < 2; ok++) {
            const base = digitStateIndex(task, q, t, prev, s, ok) * V;
            for (let a = 0; a < V; a++) {
              const ok2 = okAfter(task, q, ok, prev, a);
              const s2 = (s + a) % M;
              if (t === L - 1) Q[base + a] = ok2 && s2 === task.targets[q] ? 1 : 0;
              else {
                const nb = digitStateIndex(task, q, t + 1, a, s2, ok2) * V;
                let m = 0;
                for (let b = 0; b < V; b++) m += Q[nb + b];
                Q[base + a] = m / V;
              }
            }
          }
  }
  return Q;
}

/**
 * Sample one sequence of prompt q into seq[off … off + L), its states into st[…] and log π(a_t|s_t) into lp[…]; returns
 * the reward.
 */
export function sampleSequence(
  rng: Rng,
  task: DigitTask,
  z: Float64Array,
  q: number,
  seq: Int32Array,
  st: Int32Array,
  lpOut: Float64Array,
  off: number,
  buf: Float64Array,
): number {
  const { L, V, M } = task;
  let prev = V;
  let s = 0;
  let ok = 1;
  for (let t = 0; t < L; t++) {
    const si = digitStateIndex(task, q, t, prev, s, ok);
    logSoftmaxInto(z, si * V, V, buf);
    let u = rng.uniform();
    let a = V - 1;
    for (let b = 0; b < V; b++) {
      u -= Math.exp(buf[b]);
      if (u < 0) {
        a = b;
        break;
      }
    }
    seq[off + t] = a;
    st[off + t] = si;
    lpOut[off + t] = buf[a];
    ok = okAfter(task, q, ok, prev, a);
    s = (s + a) % M;
    prev = a;
  }
  return ok && s === task.targets[q] ? 1 : 0;
}

/** State reached after action a in state index si (−1 after the last token). */
export function nextState(task: DigitTask, si: number, a: number): number {
  const { L, V, M } = task;
  const ok = si % 2;
  let r = (si - ok) / 2;
  const s = r % M;
  r = (r - s) / M;
  const prev = r % (V + 1);
  r = (r - prev) / (V + 1);
  const t = r % L;
  const q = (r - t) / L;
  if (t === L - 1) return -1;
  return digitStateIndex(task, q, t + 1, a, (s + a) % M, okAfter(task, q, ok, prev, a));
}

export function sampleEval(
  rng: Rng,
  task: DigitTask,
  z: Float64Array,
  n: number,
): { correct: Int32Array; distinctCorrect: Int32Array } {
  const { L, V } = task;
  const seq = new Int32Array(L);
  const st = new Int32Array(L);
  const lp = new Float64Array(L);
  const buf = new Float64Array(V);
  const correct = new Int32Array(task.nPrompts);
  const distinct = new Int32Array(task.nPrompts);
  for (let q = 0; q < task.nPrompts; q++) {
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      const r = sampleSequence(rng, task, z, q, seq, st, lp, 0, buf);
      if (r > 0) {
        correct[q]++;
        let code = 0;
        for (let t = 0; t < L; t++) code = code * V + seq[t];
        seen.add(code);
      }
    }
    distinct[q] = seen.size;
  }
  return { correct, distinctCorrect: distinct };
}
