/**
 * CRD pieces: the implicit reward is zero at the reference and equals the direct flow-matching loss difference;
 * the loss gradient matches central differences (centred, uncentred, both weightings, with KL anchoring); the
 * centred loss is invariant to a per-group reward shift (the log-normaliser cancels) while the uncentred one is
 * not; the loss and gradient vanish at the centred fixed point β(R − R̄) = r − r̄; a CRD round moves the policy and
 * raises the reward of its next rollouts on a smooth reward.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { RING8, promptMixture, quadraticReward2d } from '../../../src/testbeds/diffusion2d/env';
import {
  awmRows,
  crdCenter,
  crdImplicitReward,
  crdLossGrad,
  crdRound,
  crdTimeWeight,
  flowSdeRollout,
} from '../../../src/testbeds/diffusion2d/methods';
import { ResidualVelocityMlp, exactVelocity, flowTimes } from '../../../src/testbeds/diffusion2d/models';

const pref = promptMixture(RING8, 'all');
const makePolicy = (seed = 1) => new ResidualVelocityMlp(exactVelocity(pref), 5, [16, 16], new Rng(seed));

describe('diffusion2d CRD', () => {
  const policy = makePolicy();
  const K = policy.K,
    N = 4,
    G = 2;
  const x0 = new Rng(4).normals(2 * N);
  const w = awmRows(policy, x0, N, new Rng(5));
  const samples = Int32Array.from({ length: N }, (_, n) => n);
  const g0 = new Rng(6).normals(2 * N * K, 0, 0.3);
  const rew = [0.9, -0.4, 0.2, 1.5];

  it('implicit reward: zero at the reference, equal to −mean_k w(t)·mean_d[(v_θ − u)² − (v_ref − u)²]', () => {
    for (const weighting of ['uniform', 'elbo'] as const) {
      const zero = crdImplicitReward(w, samples, new Float64Array(2 * N * K), weighting);
      for (const v of zero) expect(Math.abs(v)).toBe(0);
      const R = crdImplicitReward(w, samples, g0, weighting);
      const ts = flowTimes(K);
      for (let n = 0; n < N; n++) {
        let acc = 0;
        for (let k = 1; k <= K; k++) {
          const r = n * K + (k - 1);
          let s = 0;
          for (let d = 0; d < 2; d++) {
            const u = w.target[2 * r + d],
              vr = w.vRef[2 * r + d];
            s += ((vr + g0[2 * r + d] - u) ** 2 - (vr - u) ** 2) / 2;
          }
          acc += crdTimeWeight(ts[k], weighting) * s;
        }
        expect(R[n]).toBeCloseTo(-acc / K, 10);
      }
    }
  });

  it('loss gradient matches central differences (centred / uncentred, both weightings, KL anchoring)', () => {
    for (const centered of [true, false])
      for (const weighting of ['uniform', 'elbo'] as const) {
        const opts = { G, beta: 0.7, centered, weighting, klWeight: 0.3 };
        const { dG } = crdLossGrad(w, samples, g0, rew, opts);
        const e = 1e-6;
        for (const i of [0, 3, 7, 2 * N * K - 1]) {
          const up = Float64Array.from(g0),
            dn = Float64Array.from(g0);
          up[i] += e;
          dn[i] -= e;
          const fd =
            (crdLossGrad(w, samples, up, rew, opts).loss - crdLossGrad(w, samples, dn, rew, opts).loss) / (2 * e);
          expect(dG[i]).toBeCloseTo(fd, 6);
        }
      }
  });

  it('centring cancels a per-group reward shift (log Z); without centring the loss changes', () => {
    const shifted = rew.map((r, n) => r + (n < G ? 3 : -2));
    for (const centered of [true, false]) {
      const opts = { G, beta: 0.5, centered, weighting: 'uniform' as const, klWeight: 0 };
      const a = crdLossGrad(w, samples, g0, rew, opts),
        b = crdLossGrad(w, samples, g0, shifted, opts);
      if (centered) {
        expect(b.loss).toBeCloseTo(a.loss, 12);
        for (let i = 0; i < a.dG.length; i++) expect(b.dG[i]).toBeCloseTo(a.dG[i], 12);
      } else expect(Math.abs(b.loss - a.loss)).toBeGreaterThan(0.1);
    }
  });

  it('loss and gradient vanish at the centred fixed point β(R − R̄) = r − r̄', () => {
    const beta = 0.8;
    const R = crdImplicitReward(w, samples, g0, 'elbo');
    const target = Array.from(R, (v, n) => beta * v + (n < G ? 5 : -1)); // any per-group offset
    const { loss, dG } = crdLossGrad(w, samples, g0, target, {
      G,
      beta,
      centered: true,
      weighting: 'elbo',
      klWeight: 0,
    });
    expect(loss).toBeLessThan(1e-20);
    for (const v of dG) expect(Math.abs(v)).toBeLessThan(1e-12);
    const c = crdCenter([1, 3, 10, 20], 2);
    expect(Array.from(c)).toEqual([-1, 1, -5, 5]);
  });

  it('a CRD round moves the policy and a few rounds raise the reward of fresh rollouts', () => {
    const p = makePolicy(3);
    const reward = quadraticReward2d([3, 0], 2);
    const opt = new Adam(p.size, { lr: 3e-3, maxGradNorm: 1 });
    const before = Float32Array.from(p.params);
    const mean = (a: Float64Array) => a.reduce((s, v) => s + v, 0) / a.length;
    const r0 = mean(reward.value(flowSdeRollout(p, 256, 0.7, new Rng(9)).x0, 256));
    const opts = {
      noise: 0.7,
      groups: 4,
      G: 16,
      epochs: 1,
      minibatches: 4,
      beta: 0.2,
      centered: true,
      weighting: 'uniform' as const,
      klWeight: 0,
    };
    for (let u = 0; u < 25; u++) crdRound(p, reward, opts, new Rng(100 + u), opt);
    let moved = 0;
    for (let i = 0; i < before.length; i++) moved += Math.abs(p.params[i] - before[i]);
    expect(moved).toBeGreaterThan(0);
    const r1 = mean(reward.value(flowSdeRollout(p, 256, 0.7, new Rng(9)).x0, 256));
    expect(r1).toBeGreaterThan(r0 + 0.1);
    expect(() => crdRound(p, reward, { ...opts, minibatches: 3 }, new Rng(1), opt)).toThrow(RangeError);
  });
});
