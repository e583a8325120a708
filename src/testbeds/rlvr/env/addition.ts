/**
 * Digit addition as a verifiable-reward task for small sequence models. A problem "a+b=" with
 * `digits`-digit operands is a prompt of 2·digits + 2 tokens; the answer is the digits of a + b written
 * least-significant first (the order a left-to-right recurrent model can compute with carries),
 * followed by EOS. Reward 1 iff the generated tokens up to EOS equal the answer.
 */
import { Rng } from '../../../core/rng';

export const PLUS = 10;
export const EQUALS = 11;
export const EOS = 12;
export const PAD = 13;
export const VOCAB = 14;
const SYMBOL = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '=', '$', '_'];

export interface AdditionProblem {
  a: number;
  b: number;
  digits: number;
}

/** A random problem with `digits`-digit operands (leading digit non-zero when digits > 1). */
export function randomProblem(rng: Rng, digits: number): AdditionProblem {
  if (!Number.isInteger(digits) || digits < 1 || digits > 7)
    throw new RangeError(`rlvr.addition: digits must be an integer in [1, 7], got ${digits}`);
  const lo = digits === 1 ? 0 : 10 ** (digits - 1);
  const hi = 10 ** digits;
  return { a: lo + rng.int(hi - lo), b: lo + rng.int(hi - lo), digits };
}

/** Prompt length for the largest operand size in a batch. */
export function promptLength(maxDigits: number): number {
  return 2 * maxDigits + 2;
}

/** Answer length including EOS (a + b has at most digits + 1 digits). */
export function answerLength(maxDigits: number): number {
  return maxDigits + 2;
}

function digitsOf(n: number, width: number): number[] {
  const s = String(n).padStart(width, '0');
  return Array.from(s, (c) => c.charCodeAt(0) - 48);
}

/** Prompt tokens, left-padded with PAD to `length`. */
export function encodePrompt(p: AdditionProblem, length: number): Int32Array {
  const t = [...digitsOf(p.a, p.digits), PLUS, ...digitsOf(p.b, p.digits), EQUALS];
  if (t.length > length)
    throw new RangeError(`rlvr.addition: prompt of ${t.length} tokens does not fit length ${length}`);
  const out = new Int32Array(length).fill(PAD);
  out.set(t, length - t.length);
  return out;
}

/** Prompt rows of problems (padded to the prompt length P), repeated G times each: N·G × P, group-major. */
export function groupPrompts(problems: readonly AdditionProblem[], P: number, G: number): Int32Array {
  const out = new Int32Array(problems.length * G * P);
  problems.forEach((pr, i) => {
    const row = encodePrompt(pr, P);
    for (let g = 0; g < G; g++) out.set(row, (i * G + g) * P);
  });
  return out;
}

/** Answer tokens: the digits of a + b, least significant first, then EOS. */
export function encodeAnswer(p: AdditionProblem): Int32Array {
  const s = String(p.a + p.b);
  const t = Array.from(s, (c) => c.charCodeAt(0) - 48).reverse();
  t.push(EOS);
  return Int32Array.from(t);
}

/** Reward 1 iff the response (tokens [offset, offset + length)) up to its first EOS equals the answer. */
export function additionReward(
  p: AdditionProblem,
  response: ArrayLike<number>,
  offset = 0,
  length = response.length - offset,
): number {
  const ans = encodeAnswer(p);
  for (let i = 0; i < ans.length; i++) {
    if (i >= length) return 0;
    if (response[offset + i] !== ans[i]) return 0;
  }
  return 1;
}

/** Human-readable rendering of tokens (PAD '_', EOS '$'). */
export function renderTokens(t: ArrayLike<number>): string {
  return Array.from(t, (x) => SYMBOL[x] ?? '?').join('');
}
