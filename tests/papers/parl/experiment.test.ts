import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import { DEFAULTS, finiteDifferenceError, makeWorld, runSeed } from '../../../src/papers/parl/experiment';
import { linearFeatureReward } from '../../../src/testbeds/tabular/solvers/soft-optimal-derivative';
import { softValueIteration } from '../../../src/testbeds/tabular/solvers/soft-value-iteration';
import { returnNormaliser } from '../../../src/papers/parl/experiment';

const config = { ...DEFAULTS, rounds: 6 };

describe('PARL experiment: one seed', () => {
  it('is a pure function of the seed, with curves and metrics for every method under method/metric keys', () => {
    const a = runSeed(config, 4);
    expect(runSeed(config, 4)).toEqual(a);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const m of config.methods) {
      const c = a.series?.[`${m}/curve`] ?? [];
      expect(c).toHaveLength(config.rounds + 1);
      expect(c[0]).toBeCloseTo(0, 10); // w = 0: the soft-optimal policy is uniform (continuing traps)
      const q = a.metrics[`${m}/queriesTo90`];
      expect(q % config.pairsPerRound).toBe(0);
      expect(q).toBeLessThanOrEqual((config.rounds + 1) * config.pairsPerRound);
      expect(a.metrics[`${m}/firstTo90`]).toBeLessThanOrEqual(q);
    }
    expect(a.metrics['pebble/depRatio']).toBe(0);
    expect(a.metrics['a-parl/depRatio']).toBeGreaterThan(0);
    expect(a.metrics['ref/fdError']).toBeLessThan(1e-6);
  });

  it('normalises the uniform policy to 0 and the optimal policy to 1; the soft oracle reaches the target', () => {
    const { world, wTrue } = makeWorld(DEFAULTS.gamma);
    const norm = returnNormaliser(world, wTrue);
    expect(norm(new Float64Array(world.nS * world.nA).fill(1 / world.nA))).toBeCloseTo(0, 12);
    // A near-greedy soft policy of the true reward approaches 1 from below.
    const big = softValueIteration(
      world,
      linearFeatureReward(
        world,
        wTrue.map((x) => 50 * x),
      ),
      { alpha: 0.5 },
    ).policy;
    expect(norm(big)).toBeGreaterThan(0.999);
    expect(norm(big)).toBeLessThanOrEqual(1 + 1e-9);
    const oracle = softValueIteration(world, linearFeatureReward(world, wTrue), { alpha: DEFAULTS.alpha }).policy;
    expect(norm(oracle)).toBeGreaterThan(DEFAULTS.target);
    expect(finiteDifferenceError(world, wTrue, DEFAULTS.alpha)).toBeLessThan(1e-6);
  });
});
