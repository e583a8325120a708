import { describe, expect, it } from 'vitest';
import { metricOf } from '../../../src/core/metric-keys';
import { DEFAULTS, EVAL_SETS, runSeed } from '../../../src/papers/dpo-implicit-rm/experiment';
import { expectWellFormed } from '../run-result';

describe('the DPORM-vs-EXRM experiment', () => {
  it('a seed of a tiny configuration returns finite metrics: accuracies in [0, 1] on every set', () => {
    const r = runSeed({ ...DEFAULTS, nTrain: 100, nTest: 50, steps: 10 }, 0);
    expectWellFormed(r);
    for (const m of ['exrm', 'dporm'])
      for (const k of ['train', ...EVAL_SETS]) {
        const a = metricOf(r, m, k);
        expect(a).toBeGreaterThanOrEqual(0);
        expect(a).toBeLessThanOrEqual(1);
      }
    expect(metricOf(r, 'data', 'train.pairs')).toBe(100);
  });
  it('records the shift distances: exact length share for longer responses, prompt shift seen in prompts only', () => {
    const r = runSeed({ ...DEFAULTS, nTrain: 400, nTest: 300, steps: 2 }, 3);
    expect(metricOf(r, 'shift', 'longer-responses.length')).toBe((DEFAULTS.longL - DEFAULTS.L) / DEFAULTS.longL);
    expect(metricOf(r, 'shift', 'in-distribution.length')).toBe(0);
    for (const k of EVAL_SETS) {
      const d = metricOf(r, 'shift', k);
      const parts = ['prompt', 'bigram', 'length'].map((p) => metricOf(r, 'shift', `${k}.${p}`));
      expect(d).toBe(Math.max(...parts));
    }
    // The mirrored prompt distribution moves the prompt tokens far more than sampling noise does.
    expect(metricOf(r, 'shift', 'prompt-shift.prompt')).toBeGreaterThan(
      3 * metricOf(r, 'shift', 'in-distribution.prompt'),
    );
    expect(metricOf(r, 'shift', 'uniform-tokens.bigram')).toBeGreaterThan(
      3 * metricOf(r, 'shift', 'in-distribution.bigram'),
    );
  });
});
