import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { nominalKernels, randomLinearMdp } from '../../../../src/testbeds/tabular/env/linear-mdp';
import {
  expectedTrajectoryFeatures,
  sampleTrajectoryFeatures,
  sharedRewardLinearMdp,
} from '../../../../src/testbeds/tabular/env/trajectory-features';
import { evaluateUnderKernels } from '../../../../src/testbeds/tabular/solvers/robust-value-iteration';
import { linearRewards } from '../../../../src/testbeds/tabular/env/linear-mdp';

describe('trajectory features of a linear MDP', () => {
  const m0 = randomLinearMdp(new Rng(11), {
    nS: 6,
    nA: 3,
    d: 4,
    H: 4,
    featureConcentration: 0.5,
    factorConcentration: 0.7,
    denseRewards: true,
  });
  const theta = Float64Array.from([0.2, 0.9, 0.4, 0.1]);
  const m = sharedRewardLinearMdp(m0, theta);
  const K = nominalKernels(m);
  const rng = new Rng(12);
  const pi = new Float64Array(m.H * m.nS * m.nA);
  for (let k = 0; k < m.H * m.nS; k++) pi.set(rng.dirichlet(m.nA, 1), k * m.nA);

  it('E[ψ] matches the Monte Carlo mean of sampled ψ(τ) and sums to H', () => {
    const exact = expectedTrajectoryFeatures(m, K, pi);
    expect(exact.reduce((s, v) => s + v, 0)).toBeCloseTo(m.H, 12);
    const N = 60000;
    const mc = new Float64Array(m.d);
    const r = new Rng(13);
    for (let k = 0; k < N; k++) {
      const psi = sampleTrajectoryFeatures(m, K, pi, r);
      expect(psi.reduce((s, v) => s + v, 0)).toBeCloseTo(m.H, 12);
      for (let i = 0; i < m.d; i++) mc[i] += psi[i] / N;
    }
    // Each ψ_i ∈ [0, H]: standard error ≤ H/(2√N) ≈ 0.008.
    for (let i = 0; i < m.d; i++) expect(Math.abs(mc[i] - exact[i])).toBeLessThan(0.035);
  });

  it('θᵀE[ψ] equals the policy value by backward induction (shared reward)', () => {
    const exact = expectedTrajectoryFeatures(m, K, pi);
    const v = evaluateUnderKernels(m.nS, m.nA, m.H, K, linearRewards(m), m.init, pi);
    expect(theta.reduce((s, t, i) => s + t * exact[i], 0)).toBeCloseTo(v, 12);
  });
});
