/**
 * Countdown: reach a target from a few numbers with +, − and ×, each number used at most once.
 * Level L (1–5) gives L + 1 numbers in 1–25 (the level is the number of commas in the prompt). The
 * generator builds the target by combining all the numbers in random order with random operations
 * whose results stay in 1–999, so every problem is solvable; many other expressions usually reach
 * it too. The scratchpad writes one combination per step, `x op y = z;`, taking two available
 * numbers (given ones not used yet, or earlier results) and adding z; the answer is an expression
 * over the given numbers (parentheses where precedence needs them). The verifier accepts any
 * expression that uses each given number at most once (numbers read by value; a repeated number
 * may be used as often as it is given) and evaluates to the target; intermediate values of an
 * answer may be any integers.
 *
 *   level 1: __^7,12=84:7*12=84;>7*12$
 *   level 3: ____^3,7,25,4=79:7*3=21;25*4=100;100-21=79;>25*4-7*3$
 *
 * The prompt is left-padded with PAD (`_`) to the level's longest prompt (3n + 5 tokens), so every prompt of a
 * level has the same length, as the other tasks' (whose numbers have a fixed number of digits): the trainer
 * batches prompts of one length, and the model sees the same padding in pre-training and in RL.
 *
 * Length: prompt 3n + 5 (n = L + 1 numbers), steps ≤ 12 tokens each (n − 1 of them), answer
 * ≤ 3n + 1 + 2·max(0, n − 2): at most 30, 50, 70, 90, 110 tokens for L = 1 … 5.
 * Difficulty grows with L: one more number and one more combination step per level.
 */
import { Rng } from '../../../core/rng';
import {
  applyOperator,
  checkLevel,
  type CorruptedTrace,
  type CorruptOptions,
  corruptedStep,
  type Problem,
  readOperator,
  type StepReport,
  type Task,
} from './task';
import { parseExpression, ParseError, Reader, splitCompletion } from './syntax';
import {
  ANSWER,
  BOS,
  COMMA,
  EOS,
  EQUALS,
  LPAREN,
  MINUS,
  PAD,
  PLUS,
  RPAREN,
  STEP,
  THINK,
  TIMES,
  decode,
  digitTokens,
  numberTokens,
} from './vocab';

const MIN_LEVEL = 1;
const MAX_LEVEL = 5;
/** Largest given number. */
export const MAX_NUMBER = 25;
/** Largest intermediate value (and target) the generator allows. */
export const MAX_COUNTDOWN_VALUE = 999;

/** Where a step operand comes from: given number `index`, or the result of step `index`. */
export interface Source {
  /** 'number' (a given number) or 'step' (an earlier result). */
  kind: 'number' | 'step';
  /** Index into `numbers` or into the steps. */
  index: number;
}

/** One combination of the reference solution. */
export interface Combination {
  /** Left operand. */
  x: Source;
  /** Operator token: PLUS, MINUS or TIMES. */
  op: number;
  /** Right operand. */
  y: Source;
}

/** A Countdown problem. */
export interface CountdownProblem extends Problem {
  task: 'countdown';
  /** The given numbers, in prompt order. */
  numbers: number[];
  /** The target. */
  target: number;
  /** The reference solution: n − 1 combinations, the last one producing the target. */
  solution: Combination[];
}

const OPS = [PLUS, MINUS, TIMES];

/** A fault at one step: a wrong result, or a given-number operand replaced by an unavailable number. */
type Fault =
  { step: number; kind: 'result'; value: number } | { step: number; kind: 'operand'; side: 'x' | 'y'; value: number };

/** [x, y, z] of every step; with a fault, the later steps use the faulty values. */
function evaluate(numbers: readonly number[], solution: readonly Combination[], fault?: Fault): number[][] {
  const out: number[][] = [];
  const val = (s: Source) => (s.kind === 'number' ? numbers[s.index] : out[s.index][2]);
  solution.forEach((c, i) => {
    const f = fault?.step === i ? fault : undefined;
    const x = f?.kind === 'operand' && f.side === 'x' ? f.value : val(c.x);
    const y = f?.kind === 'operand' && f.side === 'y' ? f.value : val(c.y);
    out.push([x, y, f?.kind === 'result' ? f.value : applyOperator(c.op, x, y)]);
  });
  return out;
}

function precedence(op: number): number {
  return op === TIMES ? 2 : 1;
}

/** Tokens of the expression the solution builds, optionally with one given-number leaf replaced. */
function expression(
  numbers: readonly number[],
  solution: readonly Combination[],
  leaf?: { step: number; side: 'x' | 'y'; value: number },
): number[] {
  const build = (s: Source, step: number, side: 'x' | 'y'): { t: number[]; prec: number } => {
    if (s.kind === 'number') {
      const v = leaf && leaf.step === step && leaf.side === side ? leaf.value : numbers[s.index];
      return { t: digitTokens(v), prec: 3 };
    }
    const c = solution[s.index];
    const p = precedence(c.op);
    const l = build(c.x, s.index, 'x');
    const r = build(c.y, s.index, 'y');
    const lt = l.prec < p ? [LPAREN, ...l.t, RPAREN] : l.t;
    const rt = r.prec < p || (c.op === MINUS && r.prec === p) ? [LPAREN, ...r.t, RPAREN] : r.t;
    return { t: [...lt, c.op, ...rt], prec: p };
  };
  return build({ kind: 'step', index: solution.length - 1 }, -1, 'x').t;
}

function render(values: readonly number[][], solution: readonly Combination[], answer: number[]): Int32Array {
  const t: number[] = [];
  values.forEach(([x, y, z], i) =>
    t.push(...numberTokens(x), solution[i].op, ...numberTokens(y), EQUALS, ...numberTokens(z), STEP),
  );
  t.push(ANSWER, ...answer, EOS);
  return Int32Array.from(t);
}

/** The problem with these numbers and reference solution (checked: each number used once, all values 1–999). */
export function makeCountdown(numbers: number[], solution: Combination[]): CountdownProblem {
  const level = numbers.length - 1;
  checkLevel('countdown', level, MIN_LEVEL, MAX_LEVEL);
  if (!numbers.every((v) => Number.isInteger(v) && v >= 1 && v <= MAX_NUMBER)) {
    throw new RangeError(`reasoning.countdown: numbers must be integers in [1, ${MAX_NUMBER}], got ${numbers}`);
  }
  const used = new Set<string>();
  solution.forEach((c, i) => {
    for (const s of [c.x, c.y]) {
      const n = s.kind === 'number' ? numbers.length : i;
      const key = `${s.kind}${s.index}`;
      if (!Number.isInteger(s.index) || s.index < 0 || s.index >= n || used.has(key)) {
        throw new RangeError(`reasoning.countdown: step ${i} uses ${key}, which is not available`);
      }
      used.add(key);
    }
    if (!OPS.includes(c.op)) throw new RangeError(`reasoning.countdown: step ${i} has an invalid operator ${c.op}`);
  });
  if (solution.length !== level || numbers.some((_, i) => !used.has(`number${i}`))) {
    throw new RangeError(`reasoning.countdown: the solution must combine all ${numbers.length} numbers`);
  }
  const values = evaluate(numbers, solution);
  if (!values.every(([, , z]) => z >= 1 && z <= MAX_COUNTDOWN_VALUE)) {
    throw new RangeError(`reasoning.countdown: intermediate values must lie in [1, ${MAX_COUNTDOWN_VALUE}]`);
  }
  const target = values[level - 1][2];
  const answer = expression(numbers, solution);
  const text: number[] = [BOS];
  numbers.forEach((v, i) => text.push(...(i > 0 ? [COMMA] : []), ...digitTokens(v)));
  text.push(EQUALS, ...digitTokens(target), THINK);
  // left-padded to the level's longest prompt, so that the prompts of one level have one length
  const prompt = [...new Array<number>(maxPromptLength(level) - text.length).fill(PAD), ...text];
  return {
    task: 'countdown',
    level,
    numbers,
    target,
    solution,
    prompt: Int32Array.from(prompt),
    reference: render(values, solution, answer),
    steps: level,
    answer: decode(answer),
  };
}

/** A fresh solvable problem with `level` + 1 numbers (see the module comment for the distribution). */
function generate(rng: Rng, level: number): CountdownProblem {
  checkLevel('countdown', level, MIN_LEVEL, MAX_LEVEL);
  for (;;) {
    const numbers = Array.from({ length: level + 1 }, () => 1 + rng.int(MAX_NUMBER));
    const pool: { s: Source; v: number }[] = numbers.map((v, index) => ({ s: { kind: 'number', index }, v }));
    const solution: Combination[] = [];
    while (pool.length > 1) {
      let placed = false;
      for (let attempt = 0; attempt < 20 && !placed; attempt++) {
        const i = rng.int(pool.length);
        let j = rng.int(pool.length - 1);
        if (j >= i) j++;
        let [a, b] = [pool[i], pool[j]];
        const ops = OPS.filter((op) =>
          op === MINUS ? a.v !== b.v : applyOperator(op, a.v, b.v) <= MAX_COUNTDOWN_VALUE,
        );
        if (ops.length === 0) continue;
        const op = ops[rng.int(ops.length)];
        if (op === MINUS && a.v < b.v) [a, b] = [b, a];
        solution.push({ x: a.s, op, y: b.s });
        const v = applyOperator(op, a.v, b.v);
        pool.splice(Math.max(i, j), 1);
        pool.splice(Math.min(i, j), 1);
        pool.push({ s: { kind: 'step', index: solution.length - 1 }, v });
        placed = true;
      }
      if (!placed) break; // a dead end (e.g. two equal numbers ≥ 500): draw new numbers
    }
    if (pool.length === 1) return makeCountdown(numbers, solution);
  }
}

/** Whether the completion's answer is an expression over the given numbers (each at most once) equal to the target. */
function verify(p: CountdownProblem, completion: ArrayLike<number>): boolean {
  return answerError(p, completion) === null;
}

/** Why the completion's answer is not accepted, or null when it is. */
export function answerError(p: CountdownProblem, completion: ArrayLike<number>): string | null {
  const parts = splitCompletion(completion);
  if (parts.badToken >= 0) return `token ${parts.badToken} is not in the vocabulary`;
  if (parts.answer === null) return 'no answer marker ">"';
  if (!parts.ended) return 'the answer does not end with EOS';
  const e = parseExpression(parts.answer);
  if (typeof e === 'string') return `malformed expression: ${e}`;
  const left = [...p.numbers];
  for (const v of e.literals) {
    const i = left.indexOf(v);
    if (i < 0) return p.numbers.includes(v) ? `${v} is used more often than given` : `${v} is not a given number`;
    left.splice(i, 1);
  }
  if (e.value !== p.target) return `the expression equals ${e.value}, not ${p.target}`;
  return null;
}

/**
 * Step i must read `x op y = z` where x and y are available (given numbers not used yet, or
 * earlier results not used yet) and z = x op y. Steps are not compared to the reference: any valid
 * combination is right, and a scratchpad that stops short of the target has no wrong step (its
 * answer is what fails).
 */
function checkSteps(p: CountdownProblem, completion: ArrayLike<number>): StepReport {
  const parts = splitCompletion(completion);
  const written = parts.steps.length;
  const wrong = (i: number, reason: string): StepReport => ({ firstWrong: i, reason, written });
  const pool = [...p.numbers];
  for (let i = 0; i < written; i++) {
    let x: number, op: number, y: number, z: number;
    try {
      const r = new Reader(parts.steps[i]);
      x = r.signed();
      op = readOperator(r, OPS);
      y = r.signed();
      r.expect(EQUALS, '"="');
      z = r.signed();
      r.end();
    } catch (e) {
      if (e instanceof ParseError) return wrong(i, `malformed step: ${e.message}`);
      throw e;
    }
    for (const v of [x, y]) {
      const k = pool.indexOf(v);
      if (k < 0) return wrong(i, `${v} is not available (available: ${pool.join(', ') || 'none'})`);
      pool.splice(k, 1);
    }
    const want = applyOperator(op, x, y);
    if (z !== want) return wrong(i, `result is ${z}, should be ${want}`);
    pool.push(z);
  }
  if (parts.tail.length > 0) return wrong(written, 'unterminated step (no ";")');
  return { firstWrong: null, reason: '', written };
}

/** Values available before step k of the reference (given numbers not used yet and earlier results). */
function availableBefore(p: CountdownProblem, values: readonly number[][], k: number): number[] {
  const usedNumbers = new Set<number>();
  const usedSteps = new Set<number>();
  for (let i = 0; i < k; i++) {
    for (const s of [p.solution[i].x, p.solution[i].y]) (s.kind === 'number' ? usedNumbers : usedSteps).add(s.index);
  }
  const out = p.numbers.filter((_, i) => !usedNumbers.has(i));
  for (let i = 0; i < k; i++) if (!usedSteps.has(i)) out.push(values[i][2]);
  return out;
}

/**
 * The reference with one step corrupted: a result off by 1–3 ('result'), or a given-number operand
 * replaced by a number that is not available at that step — one already used or never given
 * ('operand'). With propagation the later steps use the corrupted values, and an operand corruption
 * also enters the answer expression (which then fails the verifier); a result slip leaves the answer
 * expression, which does not depend on written values, correct. Draws whose values would leave
 * [0, 999] are redrawn; after 30 draws the trace falls back to a non-propagated result slip.
 */
function corrupt(p: CountdownProblem, rng: Rng, options?: CorruptOptions): CorruptedTrace {
  const step = corruptedStep('countdown', p.level, rng, options);
  const propagate = options?.propagate ?? true;
  const ref = evaluate(p.numbers, p.solution);
  const c = p.solution[step];
  const sides = (['x', 'y'] as const).filter((s) => c[s].kind === 'number');
  const available = availableBefore(p, ref, step);
  const unavailable = Array.from({ length: MAX_NUMBER }, (_, i) => i + 1).filter((v) => !available.includes(v));
  const inRange = (vals: number[][]) => vals.every((row) => row.every((v) => v >= 0 && v <= MAX_COUNTDOWN_VALUE));
  for (let attempt = 0; attempt < 30; attempt++) {
    let fault: Fault;
    if (sides.length > 0 && rng.bernoulli(0.5)) {
      const side = sides[rng.int(sides.length)];
      fault = { step, kind: 'operand', side, value: unavailable[rng.int(unavailable.length)] };
    } else {
      const d = 1 + rng.int(3);
      fault = { step, kind: 'result', value: ref[step][2] + (rng.bernoulli(0.5) ? d : -d) };
    }
    const bad = evaluate(p.numbers, p.solution, fault);
    const values = propagate ? bad : ref.map((row, i) => (i === step ? bad[i] : row));
    if (!inRange(values)) continue;
    const leaf = propagate && fault.kind === 'operand' ? fault : undefined;
    const completion = render(values, p.solution, expression(p.numbers, p.solution, leaf));
    return { completion, step, kind: fault.kind, propagated: propagate, answerCorrect: verify(p, completion) };
  }
  const z = ref[step][2];
  const values = ref.map((row, i) => (i === step ? [row[0], row[1], z < MAX_COUNTDOWN_VALUE ? z + 1 : z - 1] : row));
  const completion = render(values, p.solution, expression(p.numbers, p.solution));
  return { completion, step, kind: 'result', propagated: false, answerCorrect: verify(p, completion) };
}

/** Longest prompt at `level`: BOS, L + 1 numbers of ≤ 2 digits with commas, `=`, a ≤ 3-digit target, `:`. */
function maxPromptLength(level: number): number {
  return 3 * (level + 1) + 5;
}

/** Longest prompt + reference at `level`. */
function maxLength(level: number): number {
  const n = level + 1;
  const answer = 2 * n + (n - 1) + 2 * Math.max(0, n - 2) + 2;
  return maxPromptLength(level) + 12 * (n - 1) + answer;
}

/** The level of a Countdown prompt: its number of commas (numbers − 1). */
function levelOf(prompt: ArrayLike<number>): number {
  return Array.from(prompt).filter((t) => t === COMMA).length;
}

/** The task object. */
export const countdownTask: Task<CountdownProblem> = {
  name: 'countdown',
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
