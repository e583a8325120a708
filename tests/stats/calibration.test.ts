import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import { claimGreater } from '../../src/stats';

/**
 * Calibration of the default claim check under the null: both methods draw their seeds from the same
 * N(0, 1), so every decisive verdict ('reproduced' or 'not reproduced') is a false one. A calibrated
 * two-sided 95% interval is decisive 5% of the time.
 *
 * Bounds, per configuration, 2000 simulations each (Monte Carlo sd ≈ 0.5 percentage points at 5%):
 * - decisive rate in [2%, 8%] — at most 1.6× nominal, and not so wide that real effects are missed —
 *   for n = 10 (paired and unpaired) and n = 5 unpaired;
 * - [2%, 10%] for n = 5 paired. Every percentile-type interval (this one included) lies inside the range
 *   [min, max] of the resampled values; with 5 paired differences the Student t interval the expansion
 *   targets often reaches past them, and that truncation alone makes a t interval decisive 7.2% of the
 *   time (400,000 simulations, no bootstrap involved). So 5 paired seeds cannot reach 5% with this method;
 *   the bound is that floor plus Monte Carlo and bootstrap slack.
 * Measured with 10,000 simulations (reps 1000): expanded 5.3% (n = 5 unpaired), 8.0% (n = 5 paired),
 * 4.9% (n = 10 unpaired), 5.6% (n = 10 paired); the percentile interval, for comparison, 12.0%, 16.2%,
 * 7.7%, 10.4%. With the seeds below: expanded 5.7%, 8.3%, 5.3%, 5.8%; percentile 11.7%, 16.7%, 8.6%, 9.6%
 * (so these tests fail if the default goes back to 'percentile').
 * The bounds were set after the 10,000-simulation measurement above (they are not tight around it).
 */
const base = { claimId: 'null', claim: 'A beats B (both are the same)', profile: 'full' as const };
const SIMS = 2000;
const REPS = 1000; // the rates at 500, 1000, 2000 and 10,000 replicates agree within Monte Carlo error

function falseDecisiveRate(n: number, paired: boolean, seed: number): { decisive: number; reproduced: number } {
  const noise = new Rng(seed);
  let decisive = 0;
  let reproduced = 0;
  for (let i = 0; i < SIMS; i++) {
    const v = claimGreater({ ...base, a: noise.normals(n), b: noise.normals(n), paired, reps: REPS, rng: noise });
    if (v.status !== 'inconclusive') decisive++;
    if (v.status === 'reproduced') reproduced++;
  }
  return { decisive: decisive / SIMS, reproduced: reproduced / SIMS };
}

describe('claimGreater default interval under the null (same N(0, 1) for both methods)', () => {
  for (const [n, paired, upper] of [
    [5, false, 0.08],
    [5, true, 0.1],
    [10, false, 0.08],
    [10, true, 0.08],
  ] as const) {
    it(`n = ${n} ${paired ? 'paired' : 'unpaired'}: false decisive rate within [2%, ${upper * 100}%]`, () => {
      const r = falseDecisiveRate(n, paired, 4000 + 10 * n + (paired ? 1 : 0));
      expect(r.decisive).toBeGreaterThan(0.02);
      expect(r.decisive).toBeLessThan(upper);
      // both directions share the errors (the null is symmetric): neither holds more than 3/4 of them
      expect(r.reproduced).toBeLessThan(0.75 * r.decisive + 0.005);
      expect(r.decisive - r.reproduced).toBeLessThan(0.75 * r.decisive + 0.005);
    });
  }
});
