import { describe, expect, it } from 'vitest';
import { metricOf } from '../../../src/core/metric-keys';
import { DEFAULTS, frontierAt, runSeed } from '../../../src/papers/p3o/experiment';
import { expectWellFormed } from '../run-result';

describe('the P3O experiment', () => {
  it('the KL-reward frontier: the best reward within each KL budget', () => {
    expect(frontierAt([0, 0.1, 0.3, 0.2], [0, 1, 3, 2], [0.05, 0.25, 1])).toEqual([0, 2, 3]);
  });

  it('a seed of a tiny configuration returns finite metrics; P3O ignores the reward offsets', () => {
    const cfg = { ...DEFAULTS, nX: 8, iterations: 6, dpoSteps: 30, every: 2 };
    const r = runSeed(cfg, 0);
    expectWellFormed(r);
    for (const v of ['p3o-v1', 'p3o-v2']) expect(metricOf(r, v, 'offsetMaxAbs')).toBeLessThan(1e-9);
    expect(metricOf(r, 'ppo', 'offsetMaxAbs')).toBeGreaterThan(1e-9);
  });
});
