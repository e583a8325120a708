/**
 * What every procedural reasoning task provides: a generator `(rng, level) → Problem` whose problem
 * carries its prompt and reference chain of thought, a verifier (is the final answer right?), a step
 * checker (which scratchpad step is the first wrong one?), corrupted reference traces, and its
 * length budget per level.
 */
import { Rng } from '../../../core/rng';
import { ParseError, Reader, splitCompletion } from './syntax';
import { MINUS, PLUS, TIMES } from './vocab';

/** The tasks of the reasoning testbed. */
export type TaskName = 'addition' | 'multiplication' | 'countdown' | 'dag';

/** One generated problem. Tasks extend it with the data that defines the problem. */
export interface Problem {
  /** The task that generated it. */
  task: TaskName;
  /** Its difficulty level (see the task's module comment for what a level means). */
  level: number;
  /** Prompt tokens: BOS, the problem statement, and the scratchpad marker `:`. */
  prompt: Int32Array;
  /** Reference completion, the chain of thought a supervised model learns: steps, `>`, answer, EOS. */
  reference: Int32Array;
  /** Number of steps in the reference scratchpad. */
  steps: number;
  /** The reference final answer as text (for display; Countdown: the reference expression). */
  answer: string;
}

/** What the step checker found in a completion. */
export interface StepReport {
  /** The first wrong step (0-based): malformed, wrong values, missing, extra or unterminated; null if none. */
  firstWrong: number | null;
  /** Why that step is wrong; '' when no step is. */
  reason: string;
  /** Number of complete (`;`-terminated) steps the completion wrote. */
  written: number;
}

/** How to corrupt a reference trace. */
export interface CorruptOptions {
  /** The step to corrupt (0-based); drawn uniformly when omitted. */
  step?: number;
  /**
   * true (default): the later steps and the answer follow from the corrupted value, like a slip the
   * writer carries through; false: only that step differs from the reference.
   */
  propagate?: boolean;
}

/** A reference completion with one corrupted step. */
export interface CorruptedTrace {
  /** The completion (same format as `Problem.reference`). */
  completion: Int32Array;
  /** The corrupted step (0-based): the step checker reports it as the first wrong one. */
  step: number;
  /** What was corrupted (task-specific: 'operand', 'carry', 'sum', 'partial', 'total', 'value', 'result'). */
  kind: string;
  /** Whether the later steps follow from the corrupted value (false when asked, or when that would leave range). */
  propagated: boolean;
  /** Whether the final answer is still correct. */
  answerCorrect: boolean;
}

/** A token sequence with who wrote each token (multi-turn episodes, tool-use traces). */
export interface Transcript {
  /** Every token so far: the prompt, then the model's and the environment's tokens. */
  tokens: number[];
  /** 1 where the environment wrote the token (the prompt included), 0 where the model did. */
  env: number[];
}

/** A procedural task with verifier, step checker, corruptions and length budget. */
export interface Task<P extends Problem = Problem> {
  /** Its name (= `Problem.task`). */
  readonly name: TaskName;
  /** Lowest level. */
  readonly minLevel: number;
  /** Highest level (the longest level still fits a 128-token context). */
  readonly maxLevel: number;
  /** A fresh problem at `level`, drawn from `rng`. */
  generate(rng: Rng, level: number): P;
  /** Whether the completion's final answer is correct (it must end with EOS). */
  verify(p: P, completion: ArrayLike<number>): boolean;
  /** The first wrong scratchpad step of the completion, if any. */
  checkSteps(p: P, completion: ArrayLike<number>): StepReport;
  /** The reference completion with one step corrupted. */
  corrupt(p: P, rng: Rng, options?: CorruptOptions): CorruptedTrace;
  /** Longest prompt at `level`. */
  maxPromptLength(level: number): number;
  /** Longest prompt + reference completion at `level`. */
  maxLength(level: number): number;
  /** The level of a prompt of this task, read from its shape (how levels are told apart). */
  levelOf(prompt: ArrayLike<number>): number;
}

/** Throw unless `level` is an integer in [min, max]. */
export function checkLevel(task: TaskName, level: number, min: number, max: number): void {
  if (!Number.isInteger(level) || level < min || level > max) {
    throw new RangeError(`reasoning.${task}: level must be an integer in [${min}, ${max}], got ${level}`);
  }
}

/** A uniform integer with exactly `level` digits (0–9 at level 1), drawn digit by digit. */
export function randomOperand(rng: Rng, level: number): number {
  let v = level === 1 ? rng.int(10) : 1 + rng.int(9);
  for (let i = 1; i < level; i++) v = v * 10 + rng.int(10);
  return v;
}

/** The step to corrupt: `options.step` (checked) or a uniform draw. */
export function corruptedStep(task: TaskName, steps: number, rng: Rng, options?: CorruptOptions): number {
  if (options?.step === undefined) return rng.int(steps);
  const k = options.step;
  if (!Number.isInteger(k) || k < 0 || k >= steps) {
    throw new RangeError(`reasoning.${task}.corrupt: step must be an integer in [0, ${steps - 1}], got ${k}`);
  }
  return k;
}

/**
 * The step checker of a task whose scratchpad is fixed by the problem: step i is right iff it parses
 * and its values equal `expected[i]`. `parse` reads one step (without its `;`) into its values and
 * throws a ParseError when it is malformed; `fields` names the values for the report.
 */
export function checkFixedSteps(
  expected: readonly (readonly number[])[],
  completion: ArrayLike<number>,
  parse: (r: Reader) => number[],
  fields: readonly string[],
): StepReport {
  const parts = splitCompletion(completion);
  const written = parts.steps.length;
  const wrong = (i: number, reason: string): StepReport => ({ firstWrong: i, reason, written });
  for (let i = 0; i < written; i++) {
    if (i >= expected.length) return wrong(i, `extra step (the scratchpad has ${expected.length} steps)`);
    let got: number[];
    try {
      const r = new Reader(parts.steps[i]);
      got = parse(r);
      r.end();
    } catch (e) {
      if (e instanceof ParseError) return wrong(i, `malformed step: ${e.message}`);
      throw e;
    }
    for (let f = 0; f < expected[i].length; f++) {
      if (got[f] !== expected[i][f]) return wrong(i, `${fields[f]} is ${got[f]}, should be ${expected[i][f]}`);
    }
  }
  if (parts.tail.length > 0) return wrong(written, 'unterminated step (no ";")');
  if (written < expected.length) return wrong(written, `missing step (${written} of ${expected.length} written)`);
  return { firstWrong: null, reason: '', written };
}

/** Read one of `ops` (operator tokens) or fail. */
export function readOperator(r: Reader, ops: readonly number[]): number {
  const t = r.peek();
  if (!ops.includes(t)) r.fail('expected an operator');
  r.pos++;
  return t;
}

/** `x op y` for an operator token (`+`, `-` or `*`). */
export function applyOperator(op: number, x: number, y: number): number {
  if (op === PLUS) return x + y;
  if (op === MINUS) return x - y;
  if (op === TIMES) return x * y;
  throw new RangeError(`reasoning: token ${op} is not an operator`);
}
