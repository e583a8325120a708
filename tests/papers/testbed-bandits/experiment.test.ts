import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  kArmedInstance,
  linearInstance,
  logLogSlope,
  runSeed,
} from '../../../src/papers/testbed-bandits/experiment';
import { logCheckpoints } from '../../../src/testbeds/bandits/loops/run';

describe('testbed-bandits gate experiment', () => {
  it('logLogSlope recovers the exponent of a power law and ignores checkpoints before `from`', () => {
    const cps = logCheckpoints(20000, 40);
    for (const p of [0.25, 0.5, 1]) {
      const r = cps.map((t) => (t < 1000 ? 1e6 : 3 * t ** p));
      expect(logLogSlope(cps, r, 1000)).toBeCloseTo(p, 10);
    }
    // logarithmic regret 5 ln t over [1000, 20000] has a slope near 1/ln t (≈ 0.1 to 0.15), far below 0.5
    const s = logLogSlope(
      cps,
      cps.map((t) => 5 * Math.log(t)),
      1000,
    );
    expect(s).toBeGreaterThan(0.09);
    expect(s).toBeLessThan(0.16);
  });

  it('has fixed instances (the same for every seed) with the declared optima', () => {
    expect(Array.from(kArmedInstance('bernoulli').means)).toEqual([
      0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2,
    ]);
    expect(kArmedInstance('gaussian').std).toBe(1);
    const a = linearInstance(),
      b = linearInstance();
    expect(b.theta).toEqual(a.theta);
    expect(Math.hypot(...a.theta)).toBeCloseTo(1, 12);
    for (let k = 0; k < a.K; k++) expect(Math.hypot(...a.actions.subarray(k * 5, k * 5 + 5))).toBeCloseTo(1, 12);
  });

  it('runSeed is deterministic in the seed and a linear-regret learner would fail the slope threshold', () => {
    const config = { ...DEFAULTS, T: 3000 };
    const r1 = runSeed(config, 3),
      r2 = runSeed(config, 3),
      r3 = runSeed(config, 4);
    expect(r2.metrics).toEqual(r1.metrics);
    expect(r3.metrics).not.toEqual(r1.metrics);
    const cps = r1.series!['exact/checkpoints'];
    expect(logLogSlope(cps, cps, 150)).toBeCloseTo(1, 12);
    expect(r1.metrics['lin-ucb/fracOptimalLast@linear']).toBeGreaterThanOrEqual(0);
    expect(r1.metrics['ucb1/bound@bernoulli']).toBeGreaterThan(r1.metrics['ucb1/regret@bernoulli']);
  });
});
