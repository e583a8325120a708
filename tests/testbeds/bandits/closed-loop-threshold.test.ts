import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  bestFixedThreshold,
  clippedScoreMass,
  closedLoopTables,
  fixedThresholdValues,
  stepClosedLoop,
  thresholdGrid,
  type ClosedLoopThresholdParams,
} from '../../../src/testbeds/bandits/env/closed-loop-threshold';
import {
  confidenceRadius,
  constrainedArmStats,
  ofsChoose,
  updateConstrainedStats,
} from '../../../src/testbeds/bandits/methods/ofs';
import { lagrangianIndex, primalDualUcb } from '../../../src/testbeds/bandits/methods/primal-dual-ucb';

const P: ClosedLoopThresholdParams = {
  mu: [0.6, 0.45],
  sd: 0.15,
  cost: 0.5,
  eps: 0.1,
  sMin: 0.5,
  pBar: 0.5,
  kappa: 0.5,
  alpha: 0.05,
  p0: 0.5,
  pLo: 0.05,
  pHi: 0.95,
  batch: 400,
  grid: thresholdGrid(41),
};

/** ∫_τ^∞ clip(s,0,1) φ(s) ds by the trapezoid rule on a fine grid. */
function numericMass(tau: number, mu: number, sd: number): number {
  const lo = tau,
    hi = mu + 12 * sd,
    n = 200000,
    h = (hi - lo) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const x = lo + i * h;
    const f = (Math.min(1, Math.max(0, x)) * Math.exp(-0.5 * ((x - mu) / sd) ** 2)) / (sd * Math.sqrt(2 * Math.PI));
    s += (i === 0 || i === n ? 0.5 : 1) * f;
  }
  return s * h;
}

describe('closed-loop threshold bandit', () => {
  it('the closed-form clipped score mass equals numerical integration (below 0, inside [0,1], above 1)', () => {
    for (const tau of [-0.3, 0, 0.25, 0.5, 0.8, 1, 1.2])
      for (const mu of [0.45, 0.6, 0.95])
        expect(clippedScoreMass(tau, mu, 0.15)).toBeCloseTo(numericMass(tau, mu, 0.15), 7);
  });

  it('acceptance falls with τ, the DP gap is symmetric about the mid-mean, p* is the mean fixed point', () => {
    const tb = closedLoopTables(P);
    for (let k = 1; k < tb.K; k++) {
      expect(tb.accept[k]).toBeLessThanOrEqual(tb.accept[k - 1]);
      expect(tb.accept[tb.K + k]).toBeLessThanOrEqual(tb.accept[tb.K + k - 1]);
    }
    const v = fixedThresholdValues(tb);
    // |A_0 − A_1| at τ = 0.525 ± d is the same (equal variances, midpoint (0.6 + 0.45)/2 = 0.525)
    expect(v[17].dpGap).toBeCloseTo(v[25].dpGap, 12);
    // simulate a fixed threshold: the time-average share approaches p*(τ) (linear dynamics, unclipped)
    for (const k of [10, 20]) {
      const state = { p: P.p0 };
      const rng = new Rng(3);
      let s = 0,
        n = 0,
        r = 0;
      for (let t = 0; t < 6000; t++) {
        const o = stepClosedLoop(tb, state, k, rng);
        if (t >= 1000) {
          s += o.share;
          r += o.reward;
          n++;
        }
      }
      expect(Math.abs(s / n - v[k].share)).toBeLessThan(0.003);
      expect(Math.abs(r / n - v[k].reward)).toBeLessThan(0.002);
    }
  });

  it('batch sampling matches the exact acceptance rates and repayment (Monte Carlo at fixed share)', () => {
    const tb = closedLoopTables({ ...P, alpha: 0 }); // share frozen at p_0
    const rng = new Rng(11);
    const k = 18;
    let dp = 0,
      sr = 0,
      r = 0;
    const N = 4000;
    for (let t = 0; t < N; t++) {
      const o = stepClosedLoop(tb, { p: 0.5 }, k, rng);
      dp += o.dpResidual;
      sr += o.srResidual;
      r += o.reward;
      expect(o.meanReward).toBeCloseTo(0.5 * tb.reward[k] + 0.5 * tb.reward[tb.K + k], 12);
    }
    const gap = Math.abs(tb.accept[k] - tb.accept[tb.K + k]);
    expect(Math.abs(dp / N - (gap - P.eps))).toBeLessThan(0.005);
    expect(Math.abs(sr / N - (P.sMin - 0.5 * (tb.accept[k] + tb.accept[tb.K + k])))).toBeLessThan(0.002);
    expect(Math.abs(r / N - (0.5 * tb.reward[k] + 0.5 * tb.reward[tb.K + k]))).toBeLessThan(0.002);
  });

  it('the best feasible fixed threshold is the feasible argmax by enumeration and binds the DP constraint', () => {
    const tb = closedLoopTables(P);
    const v = fixedThresholdValues(tb);
    const { feasible, unconstrained } = bestFixedThreshold(tb);
    for (const x of v) if (x.feasible) expect(x.reward).toBeLessThanOrEqual(feasible.reward);
    expect(unconstrained.feasible).toBe(false);
    expect(v[feasible.k + 1].feasible).toBe(false); // the next threshold up breaks DP
    expect(P.grid[feasible.k]).toBeCloseTo(0.25, 12);
  });
});

describe('OFS and primal-dual UCB', () => {
  const opts = { rewardScale: 0.1, residualScales: [0.1] };
  it('plays unplayed arms first, then the optimistic reward maximiser among optimistic-feasible arms', () => {
    const s = constrainedArmStats(3, 1);
    expect(ofsChoose(s, opts).arm).toBe(0);
    // arm 0: reward 0.2 feasible; arm 1: reward 0.9 clearly infeasible; arm 2: reward 0.5 residual slightly > 0
    for (let i = 0; i < 100; i++) {
      updateConstrainedStats(s, 0, 0.2, [-0.5]);
      updateConstrainedStats(s, 1, 0.9, [0.5]);
      updateConstrainedStats(s, 2, 0.5, [0.01]);
    }
    const rad = confidenceRadius(0.1, s.n, 100);
    expect(rad).toBeCloseTo(0.1 * Math.sqrt((2 * Math.log(300)) / 100), 12);
    expect(rad).toBeGreaterThan(0.01); // arm 2 appears feasible: LCB = 0.01 − rad < 0
    expect(ofsChoose(s, opts)).toEqual({ arm: 2, feasibleFound: true });
    // make arm 2 clearly infeasible too → arm 0
    for (let i = 0; i < 100; i++) updateConstrainedStats(s, 2, 0.5, [0.5]);
    expect(ofsChoose(s, opts).arm).toBe(0);
  });

  it('falls back to the least optimistic violation when nothing appears feasible', () => {
    const s = constrainedArmStats(3, 2);
    for (let i = 0; i < 200; i++) {
      updateConstrainedStats(s, 0, 1, [0.6, 0.0]);
      updateConstrainedStats(s, 1, 0, [0.3, 0.2]); // total 0.5 − 2 rad: smallest
      updateConstrainedStats(s, 2, 0.5, [0.2, 0.5]);
    }
    const c = ofsChoose(s, { rewardScale: 0.01, residualScales: [0.01, 0.01] });
    expect(c).toEqual({ arm: 1, feasibleFound: false });
  });

  it('primal-dual: the index subtracts λ times the optimistic residual and λ is projected dual ascent', () => {
    const o = { rewardScale: 0.1, residualScales: [0.1], eta: 0.5, lambdaMax: 1 };
    const pd = primalDualUcb(2, o);
    pd.update(0, 0.3, [0.4]);
    expect(pd.lambda[0]).toBeCloseTo(0.2, 12);
    pd.update(1, 0.1, [-1]);
    expect(pd.lambda[0]).toBe(0);
    pd.update(0, 0.3, [4]);
    expect(pd.lambda[0]).toBe(1); // clipped at λ_max
    const s = pd.stats;
    const rad = confidenceRadius(0.1, s.n, s.pulls[0]);
    expect(lagrangianIndex(s, 0, pd.lambda, o)).toBeCloseTo(0.3 + rad - 1 * (s.residualMean[0] - rad), 12);
  });
});

describe('OFS feasibility readings', () => {
  it('pessimistic feasibility needs the upper bound below 0; the fallback is the same', () => {
    const s = constrainedArmStats(2, 1);
    for (let i = 0; i < 50; i++) {
      updateConstrainedStats(s, 0, 0.9, [-0.001]); // mean feasible, UCB > 0
      updateConstrainedStats(s, 1, 0.1, [-0.5]); // clearly feasible
    }
    const o = { rewardScale: 0.1, residualScales: [0.1] };
    expect(ofsChoose(s, o).arm).toBe(0);
    expect(ofsChoose(s, { ...o, feasibility: 'pessimistic' }).arm).toBe(1);
    const u = constrainedArmStats(2, 1); // nothing played: pessimistically nothing is feasible → fallback, arm 0
    expect(ofsChoose(u, { ...o, feasibility: 'pessimistic' })).toEqual({ arm: 0, feasibleFound: false });
  });
});
