/**
 * Multi-step arithmetic over a small computation DAG. Level L (1–10) has L operation nodes named
 * `A`, `B`, … listed in topological order in the prompt, `X=u op v;` with op ∈ {+, −, ×} and each
 * operand a digit 1–9 or an earlier node. Node i > 0 always uses node i − 1 (so every node feeds the
 * last one and the dependency depth is L); its other operand is an earlier node half the time (a
 * shared sub-result: a DAG, not a chain). Every node value lies in [0, 99] (operations that would
 * leave that range are redrawn). The scratchpad evaluates node by node, `X=value;`; the answer is
 * the value of the last node. The level is the number of node definitions in the prompt.
 *
 *   level 1: ^A=3+5;:A=8;>8$
 *   level 3: ^A=3+5;B=A*2;C=B-A;:A=8;B=16;C=8;>8$
 *
 * Length: prompt 6L + 2, steps ≤ 5 tokens each, answer ≤ 4: at most 11L + 6 (116 at L = 10).
 * Difficulty grows with L: more nodes, a deeper dependency chain, more earlier values to look up.
 */
import { Rng } from '../../../core/rng';
import {
  applyOperator,
  checkFixedSteps,
  checkLevel,
  type CorruptedTrace,
  type CorruptOptions,
  corruptedStep,
  type Problem,
  readOperator,
  type StepReport,
  type Task,
  type Transcript,
} from './task';
import { numericAnswer, Reader, splitCompletion } from './syntax';
import {
  ANSWER,
  BOS,
  CALL,
  CALL_END,
  ENV,
  ENV_END,
  EOS,
  EQUALS,
  MINUS,
  NODE_A,
  NODE_COUNT,
  PLUS,
  STEP,
  THINK,
  TIMES,
  digitTokens,
} from './vocab';

const MIN_LEVEL = 1;
const MAX_LEVEL = NODE_COUNT;
/** Largest node value. */
export const MAX_DAG_VALUE = 99;

/** An operand: an earlier node or a literal digit. */
export type Operand = { kind: 'node'; index: number } | { kind: 'literal'; value: number };

/** One operation node. */
export interface DagNode {
  /** Operator token: PLUS, MINUS or TIMES. */
  op: number;
  /** Left operand. */
  left: Operand;
  /** Right operand. */
  right: Operand;
}

/** A DAG problem. */
export interface DagProblem extends Problem {
  task: 'dag';
  /** The nodes in topological order (node i is named `A` + i). */
  nodes: DagNode[];
  /** The value of every node; the answer is the last. */
  values: number[];
}

const OPS = [PLUS, MINUS, TIMES];

function operandValue(o: Operand, values: readonly number[]): number {
  return o.kind === 'node' ? values[o.index] : o.value;
}

/** Node values in order; with `fault`, node `fault.step` takes `fault.value` and later nodes use it. */
function evaluate(nodes: readonly DagNode[], fault?: { step: number; value: number }): number[] {
  const values: number[] = [];
  nodes.forEach((n, i) => {
    const v = applyOperator(n.op, operandValue(n.left, values), operandValue(n.right, values));
    values.push(fault?.step === i ? fault.value : v);
  });
  return values;
}

function operandToken(o: Operand): number {
  return o.kind === 'node' ? NODE_A + o.index : o.value;
}

function render(values: readonly number[]): Int32Array {
  const t: number[] = [];
  values.forEach((v, i) => t.push(NODE_A + i, EQUALS, ...digitTokens(v), STEP));
  t.push(ANSWER, ...digitTokens(values[values.length - 1]), EOS);
  return Int32Array.from(t);
}

/** The problem defined by `nodes` (checked: operands refer to earlier nodes, values stay in [0, 99]). */
export function makeDag(nodes: DagNode[]): DagProblem {
  const level = nodes.length;
  checkLevel('dag', level, MIN_LEVEL, MAX_LEVEL);
  nodes.forEach((n, i) => {
    for (const o of [n.left, n.right]) {
      const ok = o.kind === 'node' ? Number.isInteger(o.index) && o.index >= 0 && o.index < i : isLiteral(o.value);
      if (!ok) throw new RangeError(`reasoning.dag: node ${i} has an invalid operand ${JSON.stringify(o)}`);
    }
    if (!OPS.includes(n.op)) throw new RangeError(`reasoning.dag: node ${i} has an invalid operator ${n.op}`);
  });
  const values = evaluate(nodes);
  if (!values.every(inRange)) throw new RangeError(`reasoning.dag: node values ${values} leave [0, ${MAX_DAG_VALUE}]`);
  const prompt: number[] = [BOS];
  nodes.forEach((n, i) => prompt.push(NODE_A + i, EQUALS, operandToken(n.left), n.op, operandToken(n.right), STEP));
  prompt.push(THINK);
  return {
    task: 'dag',
    level,
    nodes,
    values,
    prompt: Int32Array.from(prompt),
    reference: render(values),
    steps: level,
    answer: String(values[level - 1]),
  };
}

function isLiteral(v: number): boolean {
  return Number.isInteger(v) && v >= 1 && v <= 9;
}

function inRange(v: number): boolean {
  return v >= 0 && v <= MAX_DAG_VALUE;
}

function literal(rng: Rng): Operand {
  return { kind: 'literal', value: 1 + rng.int(9) };
}

/** A fresh DAG with `level` nodes (see the module comment for the distribution). */
function generate(rng: Rng, level: number): DagProblem {
  checkLevel('dag', level, MIN_LEVEL, MAX_LEVEL);
  const nodes: DagNode[] = [];
  const values: number[] = [];
  for (let i = 0; i < level; i++) {
    let node: DagNode | undefined;
    for (let attempt = 0; attempt < 100 && !node; attempt++) {
      const op = OPS[rng.int(3)];
      let left: Operand, right: Operand;
      if (i === 0) {
        left = literal(rng);
        right = literal(rng);
      } else {
        const prev: Operand = { kind: 'node', index: i - 1 };
        const other: Operand = i >= 2 && rng.bernoulli(0.5) ? { kind: 'node', index: rng.int(i - 1) } : literal(rng);
        [left, right] = rng.bernoulli(0.5) ? [prev, other] : [other, prev];
      }
      if (inRange(applyOperator(op, operandValue(left, values), operandValue(right, values)))) {
        node = { op, left, right };
      }
    }
    // Practically unreachable (two literals always add within range; prev − 1 or prev + 1 always fits).
    node ??= {
      op: values[i - 1] > 0 ? MINUS : PLUS,
      left: { kind: 'node', index: i - 1 },
      right: { kind: 'literal', value: 1 },
    };
    nodes.push(node);
    values.push(applyOperator(node.op, operandValue(node.left, values), operandValue(node.right, values)));
  }
  return makeDag(nodes);
}

/** Whether the completion ends with `>` (value of the last node) EOS. */
function verify(p: DagProblem, completion: ArrayLike<number>): boolean {
  return numericAnswer(splitCompletion(completion)) === p.values[p.level - 1];
}

function parseStep(r: Reader): number[] {
  const name = r.peek();
  if (name < NODE_A || name >= NODE_A + NODE_COUNT) r.fail('expected a node name');
  r.pos++;
  r.expect(EQUALS, '"="');
  return [name - NODE_A, r.signed()];
}

/** Step i must read `X=v` with X the name of node i and v its value. */
function checkSteps(p: DagProblem, completion: ArrayLike<number>): StepReport {
  const expected = p.values.map((v, i) => [i, v]);
  return checkFixedSteps(expected, completion, parseStep, ['node', 'value']);
}

/** A wrong value for node k: a slip of 1–3, or the node computed with one operand replaced. */
function wrongValue(p: DagProblem, k: number, rng: Rng): { kind: string; value: number } {
  const n = p.nodes[k];
  if (rng.bernoulli(0.5)) {
    const d = 1 + rng.int(3);
    return { kind: 'value', value: p.values[k] + (rng.bernoulli(0.5) ? d : -d) };
  }
  const swap: Operand = k >= 1 && rng.bernoulli(0.5) ? { kind: 'node', index: rng.int(k) } : literal(rng);
  const [left, right] = rng.bernoulli(0.5) ? [swap, n.right] : [n.left, swap];
  return { kind: 'operand', value: applyOperator(n.op, operandValue(left, p.values), operandValue(right, p.values)) };
}

/**
 * The reference with one node value wrong: a slip of 1–3 or a wrong operand used (another node or
 * digit). With propagation the later nodes are evaluated from the wrong value; draws whose values
 * would leave [0, 99] are redrawn, and after 30 draws the trace falls back to a non-propagated slip.
 */
function corrupt(p: DagProblem, rng: Rng, options?: CorruptOptions): CorruptedTrace {
  const step = corruptedStep('dag', p.level, rng, options);
  const propagate = options?.propagate ?? true;
  const v = p.values[step];
  let chosen: { kind: string; values: number[]; propagated: boolean } | undefined;
  for (let attempt = 0; attempt < 30 && !chosen; attempt++) {
    const w = wrongValue(p, step, rng);
    if (w.value === v || !inRange(w.value)) continue;
    const bad = evaluate(p.nodes, { step, value: w.value });
    if (!propagate)
      chosen = { kind: w.kind, values: p.values.map((x, i) => (i === step ? w.value : x)), propagated: false };
    else if (bad.every(inRange)) chosen = { kind: w.kind, values: bad, propagated: true };
  }
  if (!chosen) {
    const values = p.values.map((x, i) => (i === step ? (x < MAX_DAG_VALUE ? x + 1 : x - 1) : x));
    chosen = { kind: 'value', values, propagated: false };
  }
  const steps = render(chosen.values);
  // Without propagation the answer stays the reference one even when the last node was corrupted.
  const completion = chosen.propagated ? steps : withAnswer(steps, p.values[p.level - 1]);
  return {
    completion,
    step,
    kind: chosen.kind,
    propagated: chosen.propagated,
    answerCorrect: verify(p, completion),
  };
}

function withAnswer(completion: Int32Array, answer: number): Int32Array {
  const cut = completion.indexOf(ANSWER);
  return Int32Array.from([...completion.slice(0, cut + 1), ...digitTokens(answer), EOS]);
}

/**
 * The reference as a calculator-use transcript (for supervised tool use): step i is
 * `X=[u op v]{value};` with the operand values substituted, the environment writing `{value}`.
 * Replayed through `interaction.nextAction` with `calculator(level)`, the environment writes exactly
 * these results.
 *
 *   level 2: ^A=3+5;B=A*2;:A=[3+5]{8};B=[8*2]{16};>16$
 */
export function toolReference(p: DagProblem): Transcript {
  const tokens = Array.from(p.prompt);
  const env = tokens.map(() => 1);
  const add = (ts: number[], who: number) => ts.forEach((v) => (tokens.push(v), env.push(who)));
  p.nodes.forEach((n, i) => {
    const u = operandValue(n.left, p.values);
    const v = operandValue(n.right, p.values);
    add([NODE_A + i, EQUALS, CALL, ...digitTokens(u), n.op, ...digitTokens(v), CALL_END], 0);
    add([ENV, ...digitTokens(p.values[i]), ENV_END], 1);
    add([STEP], 0);
  });
  add([ANSWER, ...digitTokens(p.values[p.level - 1]), EOS], 0);
  return { tokens, env };
}

/** Longest tool-use transcript (`toolReference`) at `level`: 20L + 6 (within 128 tokens up to L = 6). */
export function maxToolLength(level: number): number {
  return maxPromptLength(level) + 14 * level + 4;
}

/** Longest prompt at `level`: 6L + 2. */
function maxPromptLength(level: number): number {
  return 6 * level + 2;
}

/** Longest prompt + reference at `level`: 11L + 6. */
function maxLength(level: number): number {
  return maxPromptLength(level) + 5 * level + 4;
}

/** The level of a DAG prompt: its number of node definitions. */
function levelOf(prompt: ArrayLike<number>): number {
  return Array.from(prompt).filter((t) => t === EQUALS).length;
}

/** The task object. */
export const dagTask: Task<DagProblem> = {
  name: 'dag',
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
