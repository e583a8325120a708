/**
 * Multi-digit multiplication with a partial-product scratchpad. Level L (1–5): both operands have
 * exactly L digits (leading digit non-zero when L > 1), so the level is read off the operand width.
 * Step j (j = 0 … L−1) takes digit j of b, least significant first, and writes `*d=P,T;`: the digit
 * d, the partial product P = a·d (L + 1 digits, zero-padded) and the running total
 * T = T(j−1) + P·10^j (L + j + 1 digits, zero-padded). The answer is a·b = T(L−1).
 *
 *   level 1: ^3*7:*7=21,21;>21$
 *   level 2: ^47*86:*6=282,282;*8=376,4042;>4042$
 *
 * Length: prompt 2L + 3; step j takes 2L + j + 7 tokens; answer ≤ 2L + 2:
 * 2L + 3 + L(2L + 7) + L(L − 1)/2 + 2L + 2, i.e. 18, 36, 59, 87, 120 for L = 1 … 5.
 * Difficulty grows with L: more partial products, each longer, and longer running sums.
 */
import { Rng } from '../../../core/rng';
import {
  checkFixedSteps,
  checkLevel,
  randomOperand,
  corruptedStep,
  type CorruptedTrace,
  type CorruptOptions,
  type Problem,
  type StepReport,
  type Task,
} from './task';
import { numericAnswer, Reader, splitCompletion } from './syntax';
import { ANSWER, BOS, COMMA, EOS, EQUALS, STEP, THINK, TIMES, digitTokens } from './vocab';

const MIN_LEVEL = 1;
const MAX_LEVEL = 5;

/** A multiplication problem a × b. */
export interface MultiplicationProblem extends Problem {
  task: 'multiplication';
  /** First operand (exactly `level` digits), the one every partial product multiplies. */
  a: number;
  /** Second operand (exactly `level` digits), whose digits the steps walk. */
  b: number;
}

/** The values of step j: digit d of b, partial product P = a·d, running total T. */
type StepValues = [d: number, partial: number, total: number];

/** A fault injected at one step. */
interface Fault {
  /** The step. */
  step: number;
  /** A misread digit of b, a wrong partial product, or a wrong running total. */
  kind: 'operand' | 'partial' | 'total';
  /** The wrong value. */
  value: number;
}

function digitAt(n: number, i: number): number {
  return Math.floor(n / 10 ** i) % 10;
}

function trace(a: number, b: number, level: number, fault?: Fault): StepValues[] {
  const steps: StepValues[] = [];
  let total = 0;
  for (let j = 0; j < level; j++) {
    const f = fault?.step === j ? fault : undefined;
    const d = f?.kind === 'operand' ? f.value : digitAt(b, j);
    const partial = f?.kind === 'partial' ? f.value : a * d;
    total = f?.kind === 'total' ? f.value : total + partial * 10 ** j;
    steps.push([d, partial, total]);
  }
  return steps;
}

/** Whether every partial product and total fits its fixed width (so the length budget holds). */
function fits(steps: readonly StepValues[], level: number): boolean {
  return steps.every(([, p, t], j) => p >= 0 && p < 10 ** (level + 1) && t >= 0 && t < 10 ** (level + j + 1));
}

/** Steps then `>` answer EOS; the answer defaults to the last running total. */
function render(steps: readonly StepValues[], level: number, answer = steps[steps.length - 1][2]): Int32Array {
  const t: number[] = [];
  steps.forEach(([d, p, total], j) => {
    t.push(TIMES, d, EQUALS, ...digitTokens(p, level + 1), COMMA, ...digitTokens(total, level + j + 1), STEP);
  });
  t.push(ANSWER, ...digitTokens(answer), EOS);
  return Int32Array.from(t);
}

/** The problem a × b at `level` (operands with exactly `level` digits, or 0–9 at level 1). */
export function makeMultiplication(a: number, b: number, level: number): MultiplicationProblem {
  checkLevel('multiplication', level, MIN_LEVEL, MAX_LEVEL);
  const lo = level === 1 ? 0 : 10 ** (level - 1);
  for (const n of [a, b]) {
    if (!Number.isInteger(n) || n < lo || n >= 10 ** level) {
      throw new RangeError(`reasoning.multiplication: operand ${n} does not have exactly ${level} digits`);
    }
  }
  return {
    task: 'multiplication',
    level,
    a,
    b,
    prompt: Int32Array.from([BOS, ...digitTokens(a, level), TIMES, ...digitTokens(b, level), THINK]),
    reference: render(trace(a, b, level), level),
    steps: level,
    answer: String(a * b),
  };
}

/** A fresh problem with two uniform `level`-digit operands. */
function generate(rng: Rng, level: number): MultiplicationProblem {
  checkLevel('multiplication', level, MIN_LEVEL, MAX_LEVEL);
  return makeMultiplication(randomOperand(rng, level), randomOperand(rng, level), level);
}

/** Whether the completion ends with `>` a·b EOS. */
function verify(p: MultiplicationProblem, completion: ArrayLike<number>): boolean {
  return numericAnswer(splitCompletion(completion)) === p.a * p.b;
}

function parseStep(r: Reader): number[] {
  r.expect(TIMES, '"*"');
  const d = r.number();
  r.expect(EQUALS, '"="');
  const partial = r.number();
  r.expect(COMMA, '","');
  return [d, partial, r.number()];
}

/** Step j must read `*d=P,T` with the true digit of b, partial product and running total. */
function checkSteps(p: MultiplicationProblem, completion: ArrayLike<number>): StepReport {
  return checkFixedSteps(trace(p.a, p.b, p.level), completion, parseStep, [
    'digit of b',
    'partial product',
    'running total',
  ]);
}

/** `v` with the digit at 10^k replaced by a different one. */
function changeDigit(rng: Rng, v: number, k: number): number {
  const d = digitAt(v, k);
  const u = rng.int(9);
  return v + ((u >= d ? u + 1 : u) - d) * 10 ** k;
}

/**
 * The reference with one step corrupted: a misread digit of b (the partial product and total then
 * use it), one wrong digit in the partial product (the total then uses it), or one wrong digit in the
 * running total. With propagation the later totals build on the corrupted one and the answer is the
 * last total. Corruptions that would overflow a fixed-width field are redrawn (the units digit never does).
 */
function corrupt(p: MultiplicationProblem, rng: Rng, options?: CorruptOptions): CorruptedTrace {
  const step = corruptedStep('multiplication', p.level, rng, options);
  const ref = trace(p.a, p.b, p.level);
  const [d, partial, total] = ref[step];
  const kind = (['operand', 'partial', 'total'] as const)[rng.int(3)];
  let bad = ref;
  for (let attempt = 0; ; attempt++) {
    const k = attempt < 8 ? rng.int(kind === 'partial' ? p.level + 1 : p.level + step + 1) : 0;
    const value =
      kind === 'operand' ? changeDigit(rng, d, 0) : changeDigit(rng, kind === 'partial' ? partial : total, k);
    bad = trace(p.a, p.b, p.level, { step, kind, value });
    if (fits(bad, p.level)) break;
  }
  const propagate = options?.propagate ?? true;
  const steps = propagate ? bad : ref.map((v, i) => (i === step ? bad[i] : v));
  // Without propagation the answer stays the reference one even when the last total was corrupted.
  const completion = render(steps, p.level, propagate ? undefined : p.a * p.b);
  return { completion, step, kind, propagated: propagate, answerCorrect: verify(p, completion) };
}

/** Longest prompt at `level`: 2L + 3. */
function maxPromptLength(level: number): number {
  return 2 * level + 3;
}

/** Longest prompt + reference at `level`. */
function maxLength(level: number): number {
  return maxPromptLength(level) + level * (2 * level + 7) + (level * (level - 1)) / 2 + 2 * level + 2;
}

/** The level of a multiplication prompt: the width of its first operand. */
function levelOf(prompt: ArrayLike<number>): number {
  return Array.from(prompt).indexOf(TIMES) - 1;
}

/** The task object. */
export const multiplicationTask: Task<MultiplicationProblem> = {
  name: 'multiplication',
  minLevel: MIN_LEVEL,
  maxLevel: MAX_LEVEL,
  generate,
  verify,
  checkSteps,
  corrupt,
  maxPromptLength,
  maxLength,
  levelOf,
};
