import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  ACTIONS,
  D,
  DEFAULTS,
  METHODS,
  boundsOf,
  bruteForceOptimum,
  runSeed,
  system,
  type Config,
} from '../../../src/papers/dynamical-linear-bandits/experiment';
import { bestAction, steadyStateGain } from '../../../src/testbeds/bandits/solvers/steady-state';

const small: Config = { ...DEFAULTS, rhos: [0.3, 0.9], T: 3000, checkpoints: 10 };

describe('dynamical-linear-bandits experiment', () => {
  it('is a pure function of the seed; keys follow method/metric; the oracle has zero steady-state regret', () => {
    const a = runSeed(small, 4);
    const b = runSeed(small, 4);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const rho of small.rhos) {
      expect(a.metrics[`oracle/regret@rho=${rho}`]).toBe(0);
      expect(a.metrics[`oracle/fracOptimal@rho=${rho}`]).toBe(1);
      // the oracle's exact regret is the transient from x_0 = 0: Σ_t 0.5625 ρ^t = 0.5625 / (1 − ρ) (truncated at T)
      expect(a.metrics[`oracle/exactRegret@rho=${rho}`]).toBeCloseTo((0.5625 * (1 - rho ** small.T)) / (1 - rho), 9);
      for (const m of METHODS) {
        expect(a.metrics[`${m}/regret@rho=${rho}`]).toBeGreaterThanOrEqual(0);
        expect(a.series![`${m}/regretCurve@rho=${rho}`]).toHaveLength(a.series![`exact/checkpoints@rho=${rho}`].length);
      }
    }
    expect(runSeed(small, 5).metrics).not.toEqual(a.metrics);
  });

  it('keeps h fixed across ρ, the code system at ρ = 0.2, and the closed-form optimum equals brute force', () => {
    for (const rho of [0, 0.2, 0.5, 0.95]) {
      const h = steadyStateGain(system(rho, 0));
      expect(h[0]).toBeCloseTo(0.5625, 12);
      expect(h[1]).toBeCloseTo(0.5, 12);
      expect(h[2]).toBeCloseTo(1 / 9, 12);
    }
    const s = system(0.2, 0);
    expect(Array.from(s.A)).toEqual([0.2, 0, 0, 0, 0, 0, 0, 0, 0.1]);
    expect(s.B[0]).toBeCloseTo(0.45, 12);
    expect(s.B[8]).toBeCloseTo(0.1, 12);
    const env = system(0.6, 0);
    const star = bestAction(ACTIONS, D, steadyStateGain(env));
    const brute = bruteForceOptimum(env, 0.1, 200);
    expect(brute.value).toBeCloseTo(star.value, 9);
    expect(brute.action).toEqual(Array.from(ACTIONS.subarray(star.index * D, star.index * D + D)));
    expect(bestAction(ACTIONS, D, env.theta).index).not.toBe(star.index); // myopic ≠ steady-state optimum
    const b = boundsOf(env, 0.01);
    expect(b.rhoBar).toBeCloseTo(0.6, 9);
    expect(b.phi).toBeCloseTo(1, 9);
    expect(b.U).toBeCloseTo(Math.sqrt(1.25), 12);
  });
});
