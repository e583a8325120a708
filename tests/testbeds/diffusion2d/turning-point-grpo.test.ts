/**
 * TP-GRPO pieces: the step rewards of a hand-worked reward sequence (turning points at the first step and after a
 * trend flip, aggregated long-term reward there, incremental rewards elsewhere; Σ d_j = R_K − R_0); per-step group
 * advantages are standardised per column and reduce to Flow-GRPO's when every column is the outcome; the ODE
 * completion is a composition of Euler steps; a round with the broadcast outcome reward reproduces Flow-GRPO's round
 * parameter for parameter and spends N queries, TP-GRPO N(K + 1).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { RING8, promptMixture, quadraticReward2d } from '../../../src/testbeds/diffusion2d/env';
import {
  emptyFlowRatioStats,
  flowGroupAdvantages,
  flowGrpoRound,
  flowOdeComplete,
  perStepGroupAdvantages,
  tpGrpoRound,
  turningPointStepRewards,
} from '../../../src/testbeds/diffusion2d/methods';
import { ResidualVelocityMlp, exactVelocity } from '../../../src/testbeds/diffusion2d/models';

describe('diffusion2d TP-GRPO', () => {
  it('step rewards of a hand-worked sequence', () => {
    // R = [0, 1, 0.5, 2]: d = [1, −0.5, 1.5], Δ = 2, s = [+, −, +]: turning points at steps 1 and 3.
    const tp = turningPointStepRewards([0, 1, 0.5, 2]);
    expect(Array.from(tp.turning)).toEqual([1, 0, 1]);
    expect(Array.from(tp.reward)).toEqual([2, -0.5, 1.5]);
    const inc = turningPointStepRewards([0, 1, 0.5, 2], false);
    expect(Array.from(inc.turning)).toEqual([0, 0, 0]);
    expect(Array.from(inc.reward)).toEqual([1, -0.5, 1.5]);
    // Falling trajectory: Δ < 0, step 1 rises (s_1 < 0), step 2 falls (s_2 > 0 after s_1 < 0): turning point at 2.
    const down = turningPointStepRewards([1, 2, 0, -1]);
    expect(Array.from(down.turning)).toEqual([0, 1, 0]);
    expect(down.reward[1]).toBeCloseTo(-1 - 2, 12);
  });

  it('incremental rewards telescope to R_K − R_0', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const R = Array.from(rng.split(trial).normals(8));
      const inc = turningPointStepRewards(R, false).reward;
      expect(inc.reduce((a, b) => a + b, 0)).toBeCloseTo(R[7] - R[0], 12);
    }
  });

  it('per-step group advantages: standardised columns; broadcast outcome gives Flow-GRPO advantages', () => {
    const N = 8,
      K = 3,
      G = 4;
    const r = new Rng(5).normals(N * K);
    const A = perStepGroupAdvantages(r, N, K, G);
    for (let g = 0; g < N; g += G)
      for (let j = 0; j < K; j++) {
        let m = 0;
        for (let i = g; i < g + G; i++) m += A[i * K + j] / G;
        expect(Math.abs(m)).toBeLessThan(1e-9);
      }
    const out = new Rng(6).normals(N);
    const bc = new Float64Array(N * K);
    for (let n = 0; n < N; n++) for (let j = 0; j < K; j++) bc[n * K + j] = out[n];
    const Ab = perStepGroupAdvantages(bc, N, K, G);
    const Af = flowGroupAdvantages(out, G);
    for (let n = 0; n < N; n++) for (let j = 0; j < K; j++) expect(Ab[n * K + j]).toBeCloseTo(Af[n], 12);
  });

  it('ODE completion composes Euler steps', () => {
    const policy = new ResidualVelocityMlp(exactVelocity(promptMixture(RING8, 'all')), 6, [8], new Rng(1));
    const x = new Rng(2).normals(10);
    const full = flowOdeComplete(policy, x, 6, 5);
    const { v } = policy.velocity(x, 6, 5);
    const one = x.map((xi, i) => xi - v[i] / 6);
    const rest = flowOdeComplete(policy, one, 5, 5);
    for (let i = 0; i < 10; i++) expect(full[i]).toBeCloseTo(rest[i], 12);
    expect(Array.from(flowOdeComplete(policy, x, 0, 5))).toEqual(Array.from(x));
  });

  it("outcome credit reproduces Flow-GRPO's round; query counts N vs N(K + 1)", () => {
    const pref = promptMixture(RING8, 'all');
    const reward = quadraticReward2d([3, 0], 1);
    const K = 4;
    const mk = () => new ResidualVelocityMlp(exactVelocity(pref), K, [8], new Rng(7));
    const common = { K, noise: 0.7, groups: 2, G: 4, epochs: 2, minibatches: 2, clip: 0.2, advClipMax: 5 };
    const pa = mk(),
      pb = mk(),
      pc = mk();
    const oa = new Adam(pa.size, { lr: 1e-2, maxGradNorm: 1 }),
      ob = new Adam(pb.size, { lr: 1e-2, maxGradNorm: 1 }),
      oc = new Adam(pc.size, { lr: 1e-2, maxGradNorm: 1 });
    for (let u = 0; u < 2; u++) {
      const ra = flowGrpoRound(
        pa,
        reward,
        { ...common, kind: 'flow-grpo', beta: 0 },
        new Rng(9).split(u),
        oa,
        emptyFlowRatioStats(K),
      );
      const rb = tpGrpoRound(pb, reward, { ...common, credit: 'outcome' }, new Rng(9).split(u), ob);
      expect(rb.reward).toBeCloseTo(ra.reward, 12);
      expect(rb.queries).toBe(8);
      const rc = tpGrpoRound(pc, reward, { ...common, credit: 'tp-grpo' }, new Rng(9).split(u), oc);
      expect(rc.queries).toBe(8 * (K + 1));
    }
    for (let i = 0; i < pa.size; i++) expect(pb.params[i]).toBeCloseTo(pa.params[i], 6);
    let diff = 0;
    for (let i = 0; i < pa.size; i++) diff += Math.abs(pc.params[i] - pa.params[i]);
    expect(diff).toBeGreaterThan(1e-6);
  });
});
