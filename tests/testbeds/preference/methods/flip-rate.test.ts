import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { dotRow, labelledPairs, unitVector } from '../../../../src/testbeds/preference/data/feature-preferences';
import { estimateFlipRate } from '../../../../src/testbeds/preference/methods/flip-rate';

const d = 16;

/** n BT-labelled pairs of a linear utility of gain 1.5 (the reward-model protocol's), each label flipped w.p. η. */
function flipped(seed: number, n: number, eta: number) {
  const rng = new Rng(seed);
  const w = unitVector(rng.split('w'), d);
  const p = labelledPairs(rng.split('pairs'), n, d, (x, i) => 1.5 * dotRow(w, x, i, d));
  const flips = rng.split('flips');
  const D = new Float64Array(n * d),
    y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < d; t++) D[i * d + t] = p.x1[i * d + t] - p.x2[i * d + t];
    y[i] = flips.uniform() < eta ? 1 - p.y[i] : p.y[i];
  }
  return { D, y, w };
}

describe('estimateFlipRate (flip-contaminated Bradley–Terry MLE)', () => {
  it('recovers an injected flip rate from 10000 labels: each seed within 0.06, the mean of 3 seeds within 0.03', () => {
    // A pilot over 6 seeds (not these) at η = 0, 0.1, …, 0.4 had per-seed errors up to 0.051 (at η = 0.4, where
    // the flip rate and the utility's scale trade off most); the BT draw's own disagreement (≈ 21 % of labels
    // here) must not be counted as noise.
    for (const eta of [0, 0.2, 0.4]) {
      const est = [1, 2, 3].map((s) => estimateFlipRate(flipped(s, 10000, eta).D, flipped(s, 10000, eta).y, d).eta);
      for (const e of est) expect(Math.abs(e - eta)).toBeLessThan(0.06);
      expect(Math.abs(est.reduce((a, b) => a + b, 0) / est.length - eta)).toBeLessThan(0.03);
    }
  });

  it('returns exactly 0 with the plain BT fit when no positive η is more likely, and θ near the gold direction', () => {
    const { D, y, w } = flipped(7, 4000, 0);
    const r = estimateFlipRate(D, y, d);
    expect(r.eta).toBeLessThan(0.02);
    const norm = Math.hypot(...r.theta);
    const cos = r.theta.reduce((s, v, k) => s + v * w[k], 0) / norm;
    expect(cos).toBeGreaterThan(0.98);
    expect(norm).toBeGreaterThan(1.2); // the gold scale is 1.5
    expect(norm).toBeLessThan(1.8);
    expect(r.llEta).toBeGreaterThanOrEqual(r.llZero);
  });

  it('says what is wrong with its input', () => {
    const { D, y } = flipped(1, 10, 0);
    expect(() => estimateFlipRate(D, y, d + 1)).toThrow(/feature differences of dimension 17/);
    expect(() =>
      estimateFlipRate(
        D,
        Float64Array.from(y, (v) => v * 0.5),
        d,
      ),
    ).toThrow(/not 0 or 1/);
    expect(() => estimateFlipRate(D, y, d, { maxRate: 0.5 })).toThrow(/0 < maxRate < 0.5/);
  });
});
