/**
 * Digit addition as a verifiable-reward task for small sequence models. A problem "a+b=" with
 * `digits`-digit operands is a prompt of 2·digits + 2 tokens; the answer is the digits of a + b written
 * least-significant first (the order a left-to-right recurrent model can compute with carries),
 * followed by ADD_EOS. Reward 1 iff the generated tokens up to ADD_EOS equal the answer.
 */
import { Rng } from '../../../core/rng';

export const ADD_PLUS = 10;
export const ADD_EQUALS = 11;
export const ADD_EOS = 12;
export const ADD_PAD = 13;
export const VOCAB = 14;
const SYMBOL = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '=', '$', '_'];

export interface DigitAdditionProblem {
  a: number;
  b: number;
  digits: number;
}

/** A random problem with `digits`-digit operands (leading digit non-zero when digits > 1). */
export function randomProblem(rng: Rng, digits: number): DigitAdditionProblem {
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

/** Answer length including ADD_EOS (a + b has at most digits + 1 digits). */
export function answerLength(maxDigits: number): number {
  return maxDigits + 2;
}

function digitsOf(n: number, width: number): number[] {
  const s = String(n).padStart(width, '0');
  return Array.from(s, (c) => c.charCodeAt(0) - 48);
}

/** Prompt tokens, left-padded with ADD_PAD to `length`. */
export function encodePrompt(p: DigitAdditionProblem, length: number): Int32Array {
  const t = [...digitsOf(p.a, p.digits), ADD_PLUS, ...digitsOf(p.b, p.digits), ADD_EQUALS];
  if (t.length > length)
    throw new RangeError(`rlvr.addition: prompt of ${t.length} tokens does not fit length ${length}`);
  const out = new Int32Array(length).fill(ADD_PAD);
  out.set(t, length - t.length);
  return out;
}

/** Prompt rows of problems (padded to the prompt length P), repeated G times each: N·G × P, group-major. */
export function groupPrompts(problems: readonly DigitAdditionProblem[], P: number, G: number): Int32Array {
  const out = new Int32Array(problems.length * G * P);
  problems.forEach((pr, i) => {
    const row = encodePrompt(pr, P);
    for (let g = 0; g < G; g++) out.set(row, (i * G + g) * P);
  });
  return out;
}

/** Answer tokens: the digits of a + b, least significant first, then ADD_EOS. */
export function encodeAnswer(p: DigitAdditionProblem): Int32Array {
  const s = String(p.a + p.b);
  const t = Array.from(s, (c) => c.charCodeAt(0) - 48).reverse();
  t.push(ADD_EOS);
  return Int32Array.from(t);
}

/** Reward 1 iff the response (tokens [offset, offset + length)) up to its first ADD_EOS equals the answer. */
export function additionReward(
  p: DigitAdditionProblem,
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

/** Human-readable rendering of tokens (ADD_PAD '_', ADD_EOS '$'). */
export function renderTokens(t: ArrayLike<number>): string {
  return Array.from(t, (x) => SYMBOL[x] ?? '?').join('');
}
