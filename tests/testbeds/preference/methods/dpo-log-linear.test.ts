import { describe, expect, it } from 'vitest';
import { makeP3oTask, DEFAULTS } from '../../../../src/papers/p3o/experiment';
import { fitBTLinear } from '../../../../src/testbeds/preference/methods/bradley-terry';
import { trainDpoLogLinear } from '../../../../src/testbeds/preference/methods/dpo-log-linear';

describe('log-linear DPO', () => {
  const cfg = { ...DEFAULTS, nX: 16 };
  const { shape, task, logpRef, data } = makeP3oTask(cfg, 3);
  const features = task.features as Float64Array;

  it('converges to θ̂/β, θ̂ the unregularised linear Bradley–Terry MLE on the same comparisons', () => {
    const bt = fitBTLinear(data, features, task.d, shape, { l2: 0 });
    expect(bt.report.converged).toBe(true);
    for (const beta of [0.2, 0.8]) {
      const theta = trainDpoLogLinear(data, logpRef, features, task.d, shape, {
        beta,
        steps: 8000,
        lr: 0.005,
        every: 8000,
      });
      for (let k = 0; k < task.d; k++) expect(theta[k]).toBeCloseTo(bt.theta[k] / beta, 3);
    }
  });

  it('records π_ref at t = 0 and then every `every` steps, with logits log π_ref + θ·φ', () => {
    const steps: number[] = [];
    let first: Float64Array | undefined;
    const theta = trainDpoLogLinear(data, logpRef, features, task.d, shape, {
      beta: 0.5,
      steps: 25,
      lr: 0.01,
      every: 10,
      onRecord: (t, logits) => {
        steps.push(t);
        if (t === 0) first = logits;
      },
    });
    expect(steps).toEqual([0, 10, 20, 25]);
    for (let i = 0; i < logpRef.length; i++) expect(first![i]).toBe(logpRef[i]);
    expect(theta.some((v) => v !== 0)).toBe(true);
  });

  it('rejects a non-positive β', () => {
    expect(() =>
      trainDpoLogLinear(data, logpRef, features, task.d, shape, { beta: 0, steps: 1, lr: 0.01, every: 1 }),
    ).toThrow(/beta/);
  });
});
