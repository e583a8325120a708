/**
 * Euphonium's pieces: λ = 0 and c_P = 0 reproduce Flow-GRPO's round exactly (the paper's "special case"); the
 * one-step PRM's gradient matches finite differences of its score; the guidance shift has norm λ along ∇R; process
 * advantages are centred and unit-(unbiased-)variance per group; guidance raises the rollouts' reward.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { Adam } from '../../../src/nn/adam';
import { quadraticReward2d } from '../../../src/testbeds/diffusion2d/env/rewards';
import { promptMixture, RING8 } from '../../../src/testbeds/diffusion2d/env/targets';
import {
  euphoniumGuidanceShift,
  euphoniumProcessAdvantages,
  euphoniumRound,
  prmOneStep,
} from '../../../src/testbeds/diffusion2d/methods/prm-guided-sde';
import { emptyFlowRatioStats, flowGrpoRound } from '../../../src/testbeds/diffusion2d/methods/flow-grpo';
import { exactVelocity } from '../../../src/testbeds/diffusion2d/models/flow';
import { ResidualVelocityMlp } from '../../../src/testbeds/diffusion2d/models/flow-policy';

const pref = promptMixture(RING8, 'all');
const base = exactVelocity(pref);
const reward = quadraticReward2d([3.5, 3.5], 1);
const prm = prmOneStep(reward, base);
const common = { K: 6, noise: 0.7, groups: 2, G: 8, epochs: 2, minibatches: 2, clip: 0.2, advClipMax: 5 };

describe('diffusion2d euphonium', () => {
  it('λ = 0, c_P = 0 is Flow-GRPO: identical rollouts and identical parameters after two rounds', () => {
    const p1 = new ResidualVelocityMlp(base, 6, [16], new Rng(3));
    const p2 = new ResidualVelocityMlp(base, 6, [16], new Rng(3));
    const o1 = new Adam(p1.size, { lr: 1e-3, maxGradNorm: 1 }),
      o2 = new Adam(p2.size, { lr: 1e-3, maxGradNorm: 1 });
    for (let u = 0; u < 2; u++) {
      const a = flowGrpoRound(
        p1,
        reward,
        { ...common, kind: 'flow-grpo', beta: 0 },
        new Rng(9).split(u),
        o1,
        emptyFlowRatioStats(6),
      );
      const b = euphoniumRound(
        p2,
        reward,
        prm,
        { ...common, guidance: 0, outcomeCoef: 1, processCoef: 0 },
        new Rng(9).split(u),
        o2,
      );
      expect(b.reward).toBe(a.reward);
      expect(Array.from(b.x0)).toEqual(Array.from(a.x0));
      expect(b.prmCalls).toBe(0);
    }
    expect(Array.from(p2.params)).toEqual(Array.from(p1.params));
    expect(p1.params.some((v) => v !== 0)).toBe(true);
  });

  it('the one-step PRM gradient matches central differences of its score', () => {
    const x = new Rng(1).normals(2 * 5).map((v) => 1.5 * v);
    for (const t of [0.2, 0.5, 0.9]) {
      const { grad } = prm.score(Float64Array.from(x), t, 5);
      const e = 1e-3;
      for (let i = 0; i < 10; i++) {
        const xp = Float64Array.from(x),
          xm = Float64Array.from(x);
        xp[i] += e;
        xm[i] -= e;
        const n = Math.floor(i / 2);
        const fd = (prm.score(xp, t, 5).value[n] - prm.score(xm, t, 5).value[n]) / (2 * e);
        expect(grad[i]).toBeCloseTo(fd, 4);
      }
    }
    // at t → 0 the PRM is the outcome reward itself
    const { value } = prm.score(Float64Array.from(x), 0, 5);
    expect(Array.from(value)).toEqual(Array.from(reward.value(x, 5)));
  });

  it('the guidance shift has norm λ along ∇R (0 where ∇R = 0)', () => {
    const g = Float64Array.from([3, 4, 0, 0, -1, 0]);
    const s = euphoniumGuidanceShift(g, 0.1, 3);
    expect(Math.hypot(s[0], s[1])).toBeCloseTo(0.1, 8);
    expect(s[0] / s[1]).toBeCloseTo(0.75, 10);
    expect([s[2], s[3]]).toEqual([0, 0]);
    expect(s[4]).toBeCloseTo(-0.1, 8);
  });

  it('process advantages: zero mean and unit unbiased std per group', () => {
    const sc = new Rng(2).normals(12);
    const A = euphoniumProcessAdvantages(sc, 4, 100);
    for (let g = 0; g < 12; g += 4) {
      const a = Array.from(A.slice(g, g + 4));
      const m = a.reduce((p, q) => p + q, 0) / 4;
      expect(m).toBeCloseTo(0, 10);
      expect(a.reduce((p, q) => p + (q - m) ** 2, 0) / 3).toBeCloseTo(1, 6);
    }
  });

  it('guided rollouts (λ > 0) reach higher outcome reward than unguided ones from the same policy', () => {
    const mk = () => new ResidualVelocityMlp(base, 6, [16], new Rng(3));
    const opts = { ...common, groups: 8, epochs: 1, minibatches: 1, outcomeCoef: 1, processCoef: 0 };
    const p0 = mk(),
      p1 = mk();
    const r0 = euphoniumRound(p0, reward, prm, { ...opts, guidance: 0 }, new Rng(5), new Adam(p0.size, { lr: 1e-9 }));
    const r1 = euphoniumRound(p1, reward, prm, { ...opts, guidance: 0.3 }, new Rng(5), new Adam(p1.size, { lr: 1e-9 }));
    expect(r1.reward).toBeGreaterThan(r0.reward + 1);
    expect(r1.prmCalls).toBe(6 * 8 * 8);
  });
});
