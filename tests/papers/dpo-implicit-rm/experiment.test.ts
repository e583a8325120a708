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
});
