/**
 * DDPO with a KL anchor: advantages are the KL-regularised returns centred and scaled; the first step from a copy of
 * the reference has a log-ratio of exactly 0; a few dozen steps raise the reward. (The ε-gradient of the per-step
 * log-probability is checked against finite differences in ddpm.test.ts, the network's backward pass in
 * base-model.test.ts.)
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { linearReward2d } from '../../../src/testbeds/diffusion2d/env';
import { ddpoKlStep, klRegularisedAdvantages } from '../../../src/testbeds/diffusion2d/methods';
import {
  RING8_DDPM_BASE,
  ddpmSample,
  ddpmSchedule,
  pretrainDiffusion2dBase,
} from '../../../src/testbeds/diffusion2d/models';

describe('diffusion2d DDPO with a KL anchor', () => {
  it('advantages: R = r − β·logratio, centred, unit standard deviation', () => {
    const { R, A } = klRegularisedAdvantages(Float64Array.from([1, 2, 3, 6]), Float64Array.from([0, 1, 0, 2]), 0.5);
    expect(Array.from(R)).toEqual([1, 1.5, 3, 5]);
    const m = A.reduce((a, b) => a + b, 0) / 4;
    const v = A.reduce((a, b) => a + b * b, 0) / 4;
    expect(m).toBeCloseTo(0, 12);
    expect(v).toBeCloseTo(1, 6);
  });

  it('starts at log-ratio 0 and raises a linear reward within 40 steps', () => {
    const spec = { ...RING8_DDPM_BASE, steps: 300, batch: 128 };
    const ref = pretrainDiffusion2dBase(spec).model;
    const policy = ref.clone();
    const sched = ddpmSchedule(spec.schedule);
    const reward = linearReward2d([1, 0]);
    const opt = new Adam(policy.mlp.size, { lr: 1e-3, maxGradNorm: 1 });
    const rng = new Rng(7);
    const first = ddpoKlStep(policy, ref, sched, reward, 0.1, 128, rng.split(0), opt);
    expect(first.kl).toBe(0);
    for (let i = 1; i < 40; i++) ddpoKlStep(policy, ref, sched, reward, 0.1, 128, rng.split(i), opt);
    const mean = (m: typeof ref) => {
      const x = ddpmSample(sched, (x, t, n) => m.predict(x, t, n), 2000, new Rng(99)).x0;
      return reward.value(x, 2000).reduce((a, b) => a + b, 0) / 2000;
    };
    expect(mean(policy)).toBeGreaterThan(mean(ref) + 0.5);
  });
});
