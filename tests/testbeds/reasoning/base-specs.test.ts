/**
 * The base-model specs beyond addition (src/testbeds/reasoning/base-specs.ts): each is a valid spec whose model
 * context holds the longest prompt + completion budget of the levels its gate trains and evaluates, and adding specs
 * there leaves the cached addition base model's key (and so every transformer record) untouched.
 */
import { describe, expect, it } from 'vitest';
import * as fs from 'fs';
import * as path from 'path';
import { COUNTDOWN_BASE, DAG_BASE, MULTIPLICATION_BASE } from '../../../src/testbeds/reasoning/base-specs';
import { ADDITION_BASE, reasoningBaseFile } from '../../../src/testbeds/reasoning/base-model';
import { Rng } from '../../../src/core/rng';
import { getTask } from '../../../src/testbeds/reasoning/tasks/registry';
import { completionBudget } from '../../../src/testbeds/reasoning/trainer/loop';

describe('reasoning base specs', () => {
  it('the DAG spec: mixture weights sum to 1 over valid levels; the context fits the gate levels 3 and 4', () => {
    const task = getTask(DAG_BASE.task);
    expect(DAG_BASE.mixture.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
    for (const { level } of DAG_BASE.mixture)
      expect(task.maxLength(level)).toBeLessThanOrEqual(DAG_BASE.model.context!);
    for (const level of [3, 4])
      expect(task.maxPromptLength(level) + completionBudget(task, level)).toBeLessThanOrEqual(DAG_BASE.model.context!);
  });

  it('the multiplication spec: weights sum to 1; the context fits its gate levels 2 and 3 but not level 4', () => {
    const task = getTask(MULTIPLICATION_BASE.task);
    const ctx = MULTIPLICATION_BASE.model.context!;
    expect(MULTIPLICATION_BASE.mixture.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
    for (const { level } of MULTIPLICATION_BASE.mixture) expect(task.maxLength(level)).toBeLessThanOrEqual(ctx);
    for (const level of [2, 3])
      expect(task.maxPromptLength(level) + completionBudget(task, level)).toBeLessThanOrEqual(ctx);
    // Why the gate trains at level 2: level 4 (the next level of a level-3 gate) does not fit.
    expect(task.maxPromptLength(4) + completionBudget(task, 4)).toBeGreaterThan(ctx);
  });

  it('the Countdown spec: weights sum to 1; context 96 fits levels 3-4 and their longest traces, not level 5', () => {
    const task = getTask(COUNTDOWN_BASE.task);
    const ctx = COUNTDOWN_BASE.model.context!;
    expect(ctx).toBe(96);
    expect(COUNTDOWN_BASE.mixture.reduce((s, m) => s + m.weight, 0)).toBeCloseTo(1, 12);
    for (const { level } of COUNTDOWN_BASE.mixture) expect(task.maxLength(level)).toBeLessThanOrEqual(ctx);
    // Level 3 (4 numbers) needs 17 + 57 = 74 tokens, level 4 (the next level) 20 + 74 = 94.
    expect(task.maxPromptLength(3) + completionBudget(task, 3)).toBe(74);
    expect(task.maxPromptLength(4) + completionBudget(task, 4)).toBe(94);
    for (const level of [3, 4])
      expect(task.maxPromptLength(level) + completionBudget(task, level)).toBeLessThanOrEqual(ctx);
    expect(task.maxPromptLength(5) + completionBudget(task, 5)).toBeGreaterThan(ctx);
    // maxLength bounds every generated trace (prompt + reference) at levels 3 and 4.
    const rng = new Rng(7);
    for (const level of [3, 4])
      for (let i = 0; i < 2000; i++) {
        const p = task.generate(rng.split(`${level}-${i}`), level);
        expect(p.prompt.length + p.reference.length).toBeLessThanOrEqual(task.maxLength(level));
      }
  });

  it('the cached addition, DAG, multiplication and Countdown base models are committed under current keys', () => {
    // A change to base-model.ts's closure re-keys them all: this test then names the file to regenerate.
    for (const spec of [ADDITION_BASE, DAG_BASE, MULTIPLICATION_BASE, COUNTDOWN_BASE]) {
      const file = reasoningBaseFile(spec);
      expect(fs.existsSync(file), `${path.basename(file)} missing: run the gate notebook of task ${spec.task}`).toBe(
        true,
      );
    }
  });
});
