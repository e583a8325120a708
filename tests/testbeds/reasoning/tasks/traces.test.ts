import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { TASKS, TASK_NAMES, getTask } from '../../../../src/testbeds/reasoning/tasks/registry';
import { sftExample } from '../../../../src/testbeds/reasoning/tasks/traces';

describe('reasoning supervised traces', () => {
  it('are prompt + reference with the loss on the completion only', () => {
    const p = TASKS.addition.generate(new Rng(0), 3);
    const e = sftExample(p, new Rng(1));
    expect(Array.from(e.tokens)).toEqual([...p.prompt, ...p.reference]);
    expect(Array.from(e.lossMask)).toEqual([...p.prompt].map(() => 0).concat([...p.reference].map(() => 1)));
    expect(e.corruptedStep).toBeNull();
  });

  it('corrupt the requested fraction of traces, each caught at its corrupted step', () => {
    for (const name of TASK_NAMES) {
      const task = TASKS[name];
      const rng = new Rng(2, [name]);
      let corrupted = 0;
      const n = 1000;
      for (let i = 0; i < n; i++) {
        const p = task.generate(rng, task.minLevel + 1);
        const e = sftExample(p, rng, 0.3);
        if (e.corruptedStep === null) continue;
        corrupted++;
        const completion = e.tokens.slice(p.prompt.length);
        expect(task.checkSteps(p, completion).firstWrong).toBe(e.corruptedStep);
      }
      expect(Math.abs(corrupted / n - 0.3)).toBeLessThan(0.06); // > 4 standard errors
    }
    expect(() => sftExample(TASKS.dag.generate(new Rng(0), 2), new Rng(0), 1.5)).toThrow(/corruptFraction/);
  });

  it('names the known tasks when asked for an unknown one', () => {
    expect(() => getTask('sorting')).toThrow(/unknown task "sorting"; the tasks are addition, multiplication/);
  });
});
