// Properties every task must have, over many seeds and every level.
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import type { AdditionProblem } from '../../../../src/testbeds/reasoning/tasks/addition';
import type { CountdownProblem } from '../../../../src/testbeds/reasoning/tasks/countdown';
import type { DagProblem } from '../../../../src/testbeds/reasoning/tasks/dag';
import type { MultiplicationProblem } from '../../../../src/testbeds/reasoning/tasks/multiplication';
import { TASKS, TASK_NAMES } from '../../../../src/testbeds/reasoning/tasks/registry';
import type { Problem, TaskName } from '../../../../src/testbeds/reasoning/tasks/task';
import { decode } from '../../../../src/testbeds/reasoning/tasks/vocab';

/** A completion's steps and answer as text. */
function pieces(completion: ArrayLike<number>): { steps: string[]; answer: string } {
  const [scratch, answer] = decode(completion).replace(/\$$/, '').split('>');
  return { steps: scratch.split(';').slice(0, -1), answer };
}

const digit = (n: number, i: number) => Math.floor(n / 10 ** i) % 10;
const apply = (op: string, x: number, y: number) => (op === '+' ? x + y : op === '-' ? x - y : x * y);

/**
 * Whether the steps after step k (and the answer) follow from the written values before them: a
 * propagated corruption is a slip carried through, not a stray wrong digit.
 */
const FOLLOWS: Record<TaskName, (p: Problem, steps: string[], answer: string, k: number) => boolean> = {
  addition: (p, steps, answer, k) => {
    const q = p as AdditionProblem;
    const v = steps.map((s) => s.split(/[+=]/).map(Number));
    for (let j = k + 1; j < v.length; j++) {
      const [x, y, c, s] = v[j];
      if (x !== digit(q.a, j) || y !== digit(q.b, j) || c !== Math.floor(v[j - 1][3] / 10) || s !== x + y + c) {
        return false;
      }
    }
    const sum = v.reduce((acc, r, j) => acc + (r[3] % 10) * 10 ** j, 0);
    return Number(answer) === sum + Math.floor(v[v.length - 1][3] / 10) * 10 ** v.length;
  },
  multiplication: (p, steps, answer, k) => {
    const q = p as MultiplicationProblem;
    const v = steps.map((s) => s.slice(1).split(/[=,]/).map(Number));
    for (let j = k + 1; j < v.length; j++) {
      const [d, part, total] = v[j];
      if (d !== digit(q.b, j) || part !== q.a * d || total !== v[j - 1][2] + part * 10 ** j) return false;
    }
    return Number(answer) === v[v.length - 1][2];
  },
  dag: (p, steps, answer, k) => {
    const q = p as DagProblem;
    const w = steps.map((s) => Number(s.slice(2)));
    const val = (o: DagProblem['nodes'][number]['left']) => (o.kind === 'node' ? w[o.index] : o.value);
    for (let j = k + 1; j < w.length; j++) {
      const n = q.nodes[j];
      if (w[j] !== apply(decode([n.op]), val(n.left), val(n.right))) return false;
    }
    return Number(answer) === w[w.length - 1];
  },
  countdown: (p, steps, _answer, k) => {
    // replay the written steps on the pool of available numbers: the corrupted step may use an
    // unavailable number or a wrong result, every later step must use available numbers and be right
    const pool = [...(p as CountdownProblem).numbers];
    for (let j = 0; j < steps.length; j++) {
      const m = /^(-?\d+)([-+*])(-?\d+)=(-?\d+)$/.exec(steps[j]);
      if (!m) return false;
      const [x, y, z] = [Number(m[1]), Number(m[3]), Number(m[4])];
      for (const v of [x, y]) {
        const i = pool.indexOf(v);
        if (i >= 0) pool.splice(i, 1);
        else if (j !== k) return false;
      }
      if (j !== k && z !== apply(m[2], x, y)) return false;
      pool.push(z);
    }
    return true;
  },
};

const SEEDS = 60;
const levels = (name: (typeof TASK_NAMES)[number]) => {
  const t = TASKS[name];
  return Array.from({ length: t.maxLevel - t.minLevel + 1 }, (_, i) => t.minLevel + i);
};

describe.each(TASK_NAMES)('reasoning task %s', (name) => {
  const task = TASKS[name];

  it('reference scratchpads verify and pass the step checker (every level, many seeds)', () => {
    for (const level of levels(name)) {
      for (let seed = 0; seed < SEEDS; seed++) {
        const p = task.generate(new Rng(seed, ['prop', level]), level);
        expect(p.task).toBe(name);
        expect(p.level).toBe(level);
        expect(task.verify(p, p.reference)).toBe(true);
        const r = task.checkSteps(p, p.reference);
        expect(r).toEqual({ firstWrong: null, reason: '', written: p.steps });
        const ref = pieces(p.reference);
        expect(FOLLOWS[name](p, ref.steps, ref.answer, 0)).toBe(true); // the consistency check itself
        // the reference without its last answer digit, or without EOS, fails
        expect(task.verify(p, p.reference.slice(0, -1))).toBe(false);
      }
    }
  });

  it('a corrupted trace is always caught at the corrupted step (propagated or not)', () => {
    for (const level of levels(name)) {
      for (let seed = 0; seed < SEEDS; seed++) {
        const rng = new Rng(seed, ['corrupt', level]);
        const p = task.generate(rng, level);
        for (const propagate of [true, false]) {
          const c = task.corrupt(p, rng, { propagate });
          expect(c.step).toBeGreaterThanOrEqual(0);
          expect(c.step).toBeLessThan(p.steps);
          const r = task.checkSteps(p, c.completion);
          if (r.firstWrong !== c.step) throw new Error(`${decode(p.prompt)} ${decode(c.completion)}: ${r.reason}`);
          expect(r.firstWrong).toBe(c.step);
          expect(task.verify(p, c.completion)).toBe(c.answerCorrect);
          if (!propagate) expect(c.propagated).toBe(false);
          const got = pieces(c.completion);
          const ref = pieces(p.reference);
          if (c.propagated) {
            expect(FOLLOWS[name](p, got.steps, got.answer, c.step)).toBe(true);
          } else {
            // only the corrupted step differs; the answer stays the reference one
            expect(got.steps.filter((s, i) => i !== c.step)).toEqual(ref.steps.filter((s, i) => i !== c.step));
            expect(got.steps[c.step]).not.toBe(ref.steps[c.step]);
            expect(got.answer).toBe(ref.answer);
            expect(c.answerCorrect).toBe(true);
          }
          expect(p.prompt.length + c.completion.length).toBeLessThanOrEqual(task.maxLength(level));
        }
      }
    }
  });

  it('stays within its length budget, which fits a 128-token context and grows with the level', () => {
    for (const level of levels(name)) {
      const rng = new Rng(11, ['len', level]);
      expect(task.maxLength(level)).toBeLessThanOrEqual(128);
      if (level > task.minLevel) expect(task.maxLength(level)).toBeGreaterThan(task.maxLength(level - 1));
      for (let i = 0; i < 200; i++) {
        const p = task.generate(rng, level);
        expect(p.prompt.length).toBeLessThanOrEqual(task.maxPromptLength(level));
        expect(p.prompt.length + p.reference.length).toBeLessThanOrEqual(task.maxLength(level));
      }
    }
  });

  it('gives every prompt of a level the same length (the trainer batches prompts of one length)', () => {
    for (const level of levels(name)) {
      const rng = new Rng(12, ['prompt-length', level]);
      const lengths = new Set(Array.from({ length: 200 }, () => task.generate(rng, level).prompt.length));
      expect([...lengths]).toEqual([task.maxPromptLength(level)]);
    }
  });

  it('tells levels apart from the prompt alone, and each level has more steps than the one below', () => {
    for (const level of levels(name)) {
      for (let seed = 0; seed < 20; seed++) {
        const p = task.generate(new Rng(seed, ['lvl', level]), level);
        expect(task.levelOf(p.prompt)).toBe(level);
        expect(p.steps).toBe(level);
      }
    }
  });

  it('is deterministic: the same seed gives the same problem; successive draws are fresh', () => {
    const level = task.maxLevel;
    const a = task.generate(new Rng(42, ['det']), level);
    const b = task.generate(new Rng(42, ['det']), level);
    expect(b).toEqual(a);
    const c = task.generate(new Rng(43, ['det']), level);
    expect(decode(c.prompt)).not.toBe(decode(a.prompt));
    const rng = new Rng(1);
    const seen = new Set(Array.from({ length: 100 }, () => decode(task.generate(rng, level).prompt)));
    expect(seen.size).toBeGreaterThan(95);
    // corruption is deterministic too
    expect(task.corrupt(a, new Rng(5))).toEqual(task.corrupt(a, new Rng(5)));
  });

  it('rejects levels outside its range', () => {
    expect(() => task.generate(new Rng(0), task.minLevel - 1)).toThrow(/level must be an integer/);
    expect(() => task.generate(new Rng(0), task.maxLevel + 1)).toThrow(/level must be an integer/);
    expect(() => task.generate(new Rng(0), 1.5)).toThrow(/level must be an integer/);
  });
});

describe('reasoning length budgets', () => {
  it('match the documented per-level maxima', () => {
    const table = Object.fromEntries(TASK_NAMES.map((n) => [n, levels(n).map((l) => TASKS[n].maxLength(l))]));
    expect(table).toEqual({
      addition: [18, 30, 42, 54, 66, 78, 90, 102, 114, 126],
      multiplication: [18, 36, 59, 87, 120],
      countdown: [30, 50, 70, 90, 110],
      dag: [17, 28, 39, 50, 61, 72, 83, 94, 105, 116],
    });
  });

  it('are attained by addition, multiplication and DAG problems (the bounds are exact)', () => {
    for (const name of ['addition', 'multiplication', 'dag'] as const) {
      const task = TASKS[name];
      for (const level of levels(name)) {
        const rng = new Rng(3, ['tight', level]);
        let max = 0;
        for (let i = 0; i < 400; i++) {
          const p = task.generate(rng, level);
          max = Math.max(max, p.prompt.length + p.reference.length);
        }
        expect(max).toBe(task.maxLength(level));
      }
    }
  });
});
