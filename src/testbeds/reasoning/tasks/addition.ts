/**
 * Multi-digit addition with a per-digit scratchpad. Level L (1–10): both operands have exactly L
 * digits (leading digit non-zero when L > 1; 0–9 at L = 1), so a level-L prompt is 2L + 3 tokens
 * long and the level is read off the operand width. The scratchpad writes one step per digit,
 * least significant first: `x+y+c=s;` with the two operand digits, the carry in, and their sum as
 * two digits (its first digit is the carry out). The answer is a + b, most significant digit first.
 *
 *   level 1: ^7+5:7+5+0=12;>12$
 *   level 3: ^482+359:2+9+0=11;8+5+1=14;4+3+1=08;>841$
 *
 * Length: prompt 2L + 3, scratchpad 9L, answer ≤ L + 3 tokens: at most 12L + 6 (126 at L = 10).
 * Difficulty grows with L: more steps and longer carry chains.
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
import { ANSWER, BOS, EOS, EQUALS, PLUS, STEP, THINK, digitTokens } from './vocab';

const MIN_LEVEL = 1;
const MAX_LEVEL = 10;

/** An addition problem a + b. */
export interface AdditionProblem extends Problem {
  task: 'addition';
  /** First operand (exactly `level` digits). */
  a: number;
  /** Second operand (exactly `level` digits). */
  b: number;
}

/** The values of one step: operand digits x and y, carry in c, sum s = x + y + c. */
type StepValues = [x: number, y: number, c: number, s: number];

/** A fault injected into the scratchpad at one step. */
interface Fault {
  /** The step. */
  step: number;
  /** Which value is wrong: a misread operand digit, a wrong carry in, or a wrong sum. */
  kind: 'operand' | 'carry' | 'sum';
  /** The wrong value (for 'operand': of x, or of y when `second`). */
  value: number;
  /** For 'operand': whether y (not x) is misread. */
  second?: boolean;
}

function digitAt(n: number, i: number): number {
  return Math.floor(n / 10 ** i) % 10;
}

/** The scratchpad steps and the answer they imply, with an optional fault carried through. */
function trace(a: number, b: number, level: number, fault?: Fault): { steps: StepValues[]; answer: number } {
  const steps: StepValues[] = [];
  let carry = 0;
  let answer = 0;
  for (let i = 0; i < level; i++) {
    let x = digitAt(a, i);
    let y = digitAt(b, i);
    let c = carry;
    const f = fault?.step === i ? fault : undefined;
    if (f?.kind === 'operand' && !f.second) x = f.value;
    if (f?.kind === 'operand' && f.second) y = f.value;
    if (f?.kind === 'carry') c = f.value;
    const s = f?.kind === 'sum' ? f.value : x + y + c;
    steps.push([x, y, c, s]);
    answer += (s % 10) * 10 ** i;
    carry = Math.floor(s / 10);
  }
  return { steps, answer: answer + carry * 10 ** level };
}

function render(steps: readonly StepValues[], answer: number): Int32Array {
  const t: number[] = [];
  for (const [x, y, c, s] of steps) t.push(x, PLUS, y, PLUS, c, EQUALS, ...digitTokens(s, 2), STEP);
  t.push(ANSWER, ...digitTokens(answer), EOS);
  return Int32Array.from(t);
}

/** The problem a + b at `level` (operands must have exactly `level` digits, or be 0–9 at level 1). */
export function makeAddition(a: number, b: number, level: number): AdditionProblem {
  checkLevel('addition', level, MIN_LEVEL, MAX_LEVEL);
  const lo = level === 1 ? 0 : 10 ** (level - 1);
  for (const n of [a, b]) {
    if (!Number.isInteger(n) || n < lo || n >= 10 ** level) {
      throw new RangeError(`reasoning.addition: operand ${n} does not have exactly ${level} digits`);
    }
  }
  const ref = trace(a, b, level);
  return {
    task: 'addition',
    level,
    a,
    b,
    prompt: Int32Array.from([BOS, ...digitTokens(a, level), PLUS, ...digitTokens(b, level), THINK]),
    reference: render(ref.steps, ref.answer),
    steps: level,
    answer: String(a + b),
  };
}

/** A fresh problem with two uniform `level`-digit operands. */
function generate(rng: Rng, level: number): AdditionProblem {
  checkLevel('addition', level, MIN_LEVEL, MAX_LEVEL);
  return makeAddition(randomOperand(rng, level), randomOperand(rng, level), level);
}

/** Whether the completion ends with `>` a + b EOS. */
function verify(p: AdditionProblem, completion: ArrayLike<number>): boolean {
  return numericAnswer(splitCompletion(completion)) === p.a + p.b;
}

function parseStep(r: Reader): number[] {
  const x = r.number();
  r.expect(PLUS, '"+"');
  const y = r.number();
  r.expect(PLUS, '"+"');
  const c = r.number();
  r.expect(EQUALS, '"="');
  return [x, y, c, r.number()];
}

/** Step i must read `x+y+c=s` with the true digits, carry in and sum at position i. */
function checkSteps(p: AdditionProblem, completion: ArrayLike<number>): StepReport {
  return checkFixedSteps(trace(p.a, p.b, p.level).steps, completion, parseStep, [
    'operand digit x',
    'operand digit y',
    'carry in',
    'digit sum',
  ]);
}

/** A value in [lo, hi] different from `v`. */
function other(rng: Rng, v: number, lo: number, hi: number): number {
  const u = lo + rng.int(hi - lo);
  return u >= v ? u + 1 : u;
}

/**
 * The reference with one step corrupted: a misread operand digit, a wrong carry in (the sum then
 * uses it), or a sum off by one or by ten (a carry slip). With propagation the carry out of the
 * corrupted step feeds the next step and the answer is read from the corrupted digits.
 */
function corrupt(p: AdditionProblem, rng: Rng, options?: CorruptOptions): CorruptedTrace {
  const step = corruptedStep('addition', p.level, rng, options);
  const [x, y, c, s] = trace(p.a, p.b, p.level).steps[step];
  const kinds = ['operand', 'carry', 'sum'] as const;
  const kind = kinds[rng.int(3)];
  let fault: Fault;
  if (kind === 'operand') {
    const second = rng.bernoulli(0.5);
    fault = { step, kind, second, value: other(rng, second ? y : x, 0, 9) };
  } else if (kind === 'carry') {
    fault = { step, kind, value: 1 - c };
  } else {
    const near = [s - 1, s + 1, s - 10, s + 10].filter((v) => v >= 0 && v <= 19);
    fault = { step, kind, value: near[rng.int(near.length)] };
  }
  const bad = trace(p.a, p.b, p.level, fault);
  const propagate = options?.propagate ?? true;
  const ref = trace(p.a, p.b, p.level);
  const steps = propagate ? bad.steps : ref.steps.map((v, i) => (i === step ? bad.steps[i] : v));
  const completion = render(steps, propagate ? bad.answer : ref.answer);
  return { completion, step, kind, propagated: propagate, answerCorrect: verify(p, completion) };
}

/** Longest prompt at `level`: 2L + 3. */
function maxPromptLength(level: number): number {
  return 2 * level + 3;
}

/** Longest prompt + reference at `level`: 12L + 6. */
function maxLength(level: number): number {
  return maxPromptLength(level) + 9 * level + level + 3;
}

/** The level of an addition prompt: the width of its first operand. */
function levelOf(prompt: ArrayLike<number>): number {
  return Array.from(prompt).indexOf(PLUS) - 1;
}

/** The task object. */
export const additionTask: Task<AdditionProblem> = {
  name: 'addition',
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
