/**
 * The experiment: rounds-to-level interpolation; a tiny run of each method gives one series point per round, the
 * same pre-trained model for every method, PRM calls only for the guided methods.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS, roundsToLevel, runSeed } from '../../../src/papers/euphonium/experiment';

describe('euphonium experiment', () => {
  it('roundsToLevel: interpolated crossing of the moving average, 1 if already there, Infinity if never', () => {
    expect(roundsToLevel([0, 1, 2, 3, 4], 2, 1)).toBe(3);
    expect(roundsToLevel([0, 1, 2, 3, 4], 2.5, 1)).toBe(3.5);
    expect(roundsToLevel([5, 6], 2, 1)).toBe(1);
    expect(roundsToLevel([0, 1], 2, 1)).toBe(Infinity);
    // window 3: smoothed [0.5, 1, 2, 3, 3.5]
    expect(roundsToLevel([0, 1, 2, 3, 4], 1.5)).toBeCloseTo(2.5, 12);
  });

  it('tiny runs: finite metrics, one series point per round, same base model, PRM calls only when guided', () => {
    const c = { ...DEFAULTS, rounds: 3, groups: 2, G: 4, evalSamples: 64, curveSamples: 32, hidden: [8] };
    const out = (['flow-grpo', 'euphonium', 'guidance-only'] as const).map((m) => runSeed({ ...c, method: m }, 7));
    for (const r of out) {
      expect(r.series!['tuned/rollout']).toHaveLength(3);
      expect(r.series!['tuned/ode']).toHaveLength(3);
      for (const v of Object.values(r.metrics)) expect(Number.isFinite(v)).toBe(true);
      expect(r.metrics['base/reward']).toBe(out[0].metrics['base/reward']);
    }
    expect(out[0].metrics['tuned/prmCalls']).toBe(0);
    expect(out[1].metrics['tuned/prmCalls']).toBe(3 * 8 * DEFAULTS.K);
  });
});
