import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import * as addition from '../../../../src/testbeds/reasoning/tasks/addition';
import { TASKS, TASK_NAMES } from '../../../../src/testbeds/reasoning/tasks/registry';
import {
  HELD_OUT_FRACTION,
  ProblemStream,
  distinctProblems,
  draw,
  splitOf,
} from '../../../../src/testbeds/reasoning/tasks/splits';
import { decode } from '../../../../src/testbeds/reasoning/tasks/vocab';

describe('reasoning train / held-out split', () => {
  it('is a function of the problem alone, and holds out about HELD_OUT_FRACTION of problems', () => {
    const all = [];
    for (let a = 0; a <= 9; a++) for (let b = 0; b <= 9; b++) all.push(addition.makeAddition(a, b, 1));
    const held = all.filter((p) => splitOf(p) === 'heldout');
    expect(held.length).toBeGreaterThan(8);
    expect(held.length).toBeLessThan(35);
    expect(all.map(splitOf)).toEqual(all.map((p) => splitOf(addition.makeAddition(p.a, p.b, 1))));
    const rng = new Rng(0);
    let n = 0;
    for (let i = 0; i < 4000; i++) if (splitOf(addition.additionTask.generate(rng, 6)) === 'heldout') n++;
    expect(Math.abs(n / 4000 - HELD_OUT_FRACTION)).toBeLessThan(0.025); // 4 standard errors
  });

  it('never lets a train stream yield a held-out problem, at a level small enough to enumerate', () => {
    const held = new Set<string>();
    for (let a = 0; a <= 9; a++) {
      for (let b = 0; b <= 9; b++) {
        const p = addition.makeAddition(a, b, 1);
        if (splitOf(p) === 'heldout') held.add(decode(p.prompt));
      }
    }
    const seenTrain = new Set<string>();
    for (let seed = 0; seed < 5; seed++) {
      for (const p of new ProblemStream(addition.additionTask, seed, 'train').batch(1, 400)) {
        expect(held.has(decode(p.prompt))).toBe(false);
        seenTrain.add(decode(p.prompt));
      }
      for (const p of new ProblemStream(addition.additionTask, seed, 'heldout').batch(1, 100)) {
        expect(held.has(decode(p.prompt))).toBe(true);
      }
    }
    expect(seenTrain.size).toBe(100 - held.size); // the train stream covers every train problem
  });

  it('keeps train and held-out streams disjoint for every task, across seeds', () => {
    for (const name of TASK_NAMES) {
      const task = TASKS[name];
      const train = new Set<string>();
      const held = new Set<string>();
      for (let seed = 0; seed < 4; seed++) {
        for (const level of [task.minLevel, task.minLevel + 1]) {
          new ProblemStream(task, seed, 'train').batch(level, 200).forEach((p) => train.add(decode(p.prompt)));
          new ProblemStream(task, seed, 'heldout').batch(level, 100).forEach((p) => held.add(decode(p.prompt)));
        }
      }
      for (const k of held) expect(train.has(k)).toBe(false);
      expect(held.size).toBeGreaterThan(10);
    }
  });

  it('gives deterministic streams per (task, seed, split)', () => {
    const a = new ProblemStream(TASKS.countdown, 7, 'train').batch(3, 20);
    const b = new ProblemStream(TASKS.countdown, 7, 'train').batch(3, 20);
    expect(b).toEqual(a);
    const c = new ProblemStream(TASKS.countdown, 8, 'train').batch(3, 20);
    expect(c.map((p) => p.answer)).not.toEqual(a.map((p) => p.answer));
    const d = draw(TASKS.dag, new Rng(1), 4, 'heldout');
    expect(splitOf(d)).toBe('heldout');
  });

  it('builds evaluation sets of distinct problems, and says when a level has too few', () => {
    const set = distinctProblems(TASKS.multiplication, 0, 2, 'heldout', 50);
    expect(new Set(set.map((p) => decode(p.prompt))).size).toBe(50);
    expect(set.every((p) => splitOf(p) === 'heldout')).toBe(true);
    expect(() => distinctProblems(addition.additionTask, 0, 1, 'heldout', 60)).toThrow(
      /found only \d+ distinct heldout/,
    );
  });
});
