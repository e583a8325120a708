/**
 * LOOP's parts: the leave-one-out advantage against a hand computation, its zero mean for a constant reward and its
 * unbiasedness (the baseline does not depend on the sample it is subtracted from); the conditional per-step
 * log-probability of the stacked chains against the Gaussian density; and a few LOOP rounds on a tiny model
 * raising a linear reward.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { linearReward2d } from '../../../src/testbeds/diffusion2d/env';
import {
  chainLogProbs,
  promptGroupAdvantages,
  policyGradientRound,
  promptGroups,
  sampleConditionalChains,
} from '../../../src/testbeds/diffusion2d/methods';
import {
  RING8_COND_DDPM_BASE,
  ddpmMean,
  ddpmSchedule,
  EpsMlp,
  pretrainDiffusion2dBase,
} from '../../../src/testbeds/diffusion2d/models';

describe('diffusion2d LOOP', () => {
  it('leave-one-out advantage matches a hand computation', () => {
    const A = promptGroupAdvantages(Float64Array.from([1, 2, 6, 0, 10, 20]), 3, 'leave-one-out');
    // group 1: 1 − (2+6)/2 = −3, 2 − (1+6)/2 = −1.5, 6 − (1+2)/2 = 4.5; group 2: 0 − 15, 10 − 10, 20 − 5
    expect(Array.from(A)).toEqual([-3, -1.5, 4.5, -15, 0, 15]);
    // A_i = K/(K−1)·(R_i − mean of the group)
    expect(A[0]).toBeCloseTo((3 / 2) * (1 - 3), 12);
  });

  it('constant reward gives zero advantage; the baseline is unbiased (E[A·score] = E[R·score])', () => {
    expect(Array.from(promptGroupAdvantages(new Float64Array(8).fill(2.5), 4, 'leave-one-out'))).toEqual(
      new Array(8).fill(0),
    );
    // Bernoulli(p) "policy" with K = 4 draws: the LOO estimator of d/dp E[r] equals the plain REINFORCE one in
    // expectation (exact enumeration of all 2^4 outcomes), r(1) = 3, r(0) = 1, score(y) = y/p − (1 − y)/(1 − p).
    const p = 0.3,
      K = 4;
    let eLoo = 0,
      ePlain = 0;
    for (let m = 0; m < 1 << K; m++) {
      const y = Array.from({ length: K }, (_, k) => (m >> k) & 1);
      const prob = y.reduce((a, v) => a * (v ? p : 1 - p), 1);
      const R = Float64Array.from(y, (v) => (v ? 3 : 1));
      const A = promptGroupAdvantages(R, K, 'leave-one-out');
      for (let k = 0; k < K; k++) {
        const s = y[k] / p - (1 - y[k]) / (1 - p);
        eLoo += (prob * A[k] * s) / K;
        ePlain += (prob * R[k] * s) / K;
      }
    }
    expect(eLoo).toBeCloseTo(2, 10); // d/dp (3p + 1 − p) = 2
    expect(ePlain).toBeCloseTo(2, 10);
    expect(() => promptGroupAdvantages(Float64Array.from([1, 2]), 1, 'leave-one-out')).toThrow();
  });

  it('conditional stacked log-probabilities equal the Gaussian density of each transition', () => {
    const sched = ddpmSchedule({ T: 5, kind: 'cosine' });
    const m = new EpsMlp({ hidden: [16], frequencies: 2, prompts: 4, T: 5 }, new Rng(3));
    const prompts = Int32Array.from([0, 1, 2, 3, 3, 1]);
    const s = sampleConditionalChains(m, sched, prompts, new Rng(4));
    const rows = Int32Array.from([0, 1, 2, 3, 4, 5]);
    const lp = chainLogProbs(m, sched, s, rows);
    for (let t = 1; t <= 5; t++)
      for (let n = 0; n < 6; n++) {
        const r = (t - 1) * 6 + n;
        const x = s.xt.subarray(2 * r, 2 * r + 2);
        const e = m.predict(x, t, 1, prompts[n]);
        const mu = ddpmMean(sched, t, x, e, 1);
        const s2 = sched.sigma2[t];
        const dx = s.xp[2 * r] - mu[0],
          dy = s.xp[2 * r + 1] - mu[1];
        const dens = Math.exp(-(dx * dx + dy * dy) / (2 * s2)) / (2 * Math.PI * s2);
        expect(lp[r]).toBeCloseTo(Math.log(dens), 4);
        expect(s.logpOld[r]).toBeCloseTo(lp[r], 4); // recorded while sampling, same model
      }
  });

  it('a few LOOP rounds on a tiny conditional model raise a linear reward (β = 0)', () => {
    const spec = { ...RING8_COND_DDPM_BASE, steps: 300, batch: 128, network: { hidden: [32, 32], frequencies: 2 } };
    const base = pretrainDiffusion2dBase(spec).model;
    const sched = ddpmSchedule(spec.schedule);
    const policy = base.clone();
    const reward = linearReward2d([1, 0]);
    const opt = new Adam(policy.mlp.size, { lr: 3e-3, maxGradNorm: 1 });
    const rng = new Rng(7);
    const o = { K: 4, advantage: 'leave-one-out' as const, beta: 0, epochs: 2, minibatches: 2, clip: 0.2 };
    const rewards: number[] = [];
    for (let u = 0; u < 30; u++)
      rewards.push(
        policyGradientRound(
          policy,
          base,
          sched,
          reward,
          promptGroups(4, 16, 4, rng.split(`p${u}`)),
          o,
          rng.split(u),
          opt,
        ).reward,
      );
    const first = rewards.slice(0, 5).reduce((a, b) => a + b, 0) / 5;
    const last = rewards.slice(-5).reduce((a, b) => a + b, 0) / 5;
    expect(last).toBeGreaterThan(first + 5);
  });
});
