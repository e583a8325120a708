import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  fitHeronRewardModel,
  heronBradleyTerryLoss,
  heronCompare,
  heronLabels,
  heronMargins,
} from '../../../../src/testbeds/tabular/methods/heron';
import { randomPairs } from '../../../../src/testbeds/tabular/env/preferences';

describe('HERON decision tree', () => {
  it('decides at the first level whose difference exceeds its margin, and drops full ties', () => {
    const order = [0, 1, 2];
    const m = [0.5, 1, 0];
    expect(heronCompare([1, -3, -10], [0, 0, 0], m, order)).toEqual({ label: 1, level: 0 });
    // level 0 within margin (0.4 < 0.5): level 1 decides for j (−3 < 0 − 1)
    expect(heronCompare([0.4, -3, -10], [0, 0, 0], m, order)).toEqual({ label: 0, level: 1 });
    // levels 0 and 1 within margins: level 2 (margin 0) decides
    expect(heronCompare([0, -0.5, -9], [0, 0, -10], m, order)).toEqual({ label: 1, level: 2 });
    expect(heronCompare([0, -0.5, -10], [0, 0, -10], m, order)).toEqual({ label: -1, level: 3 });
    // a difference equal to the margin does not decide (strict, as in the official code)
    expect(heronCompare([0.5, 0, 0], [0, 0, 0], m, order).level).toBe(3);
    // the order is respected: ranking signal 2 first flips the decision
    expect(heronCompare([1, 0, -10], [0, 0, 0], [0, 0, 0], [2, 0, 1])).toEqual({ label: 0, level: 0 });
  });

  it('with zero margins equals the lexicographic order (brute force over a small integer grid)', () => {
    const vals = [-1, 0, 1];
    const pts: number[][] = [];
    for (const a of vals) for (const b of vals) for (const c of vals) pts.push([a, b, c]);
    for (const p of pts)
      for (const q of pts) {
        const lex = p[0] !== q[0] ? p[0] > q[0] : p[1] !== q[1] ? p[1] > q[1] : p[2] !== q[2] ? p[2] > q[2] : null;
        const c = heronCompare(p, q, [0, 0, 0], [0, 1, 2]);
        expect(c.label).toBe(lex === null ? -1 : lex ? 1 : 0);
      }
  });

  it('margins are α times the population standard deviation of each signal', () => {
    const z = Float64Array.from([0, 10, 1, 2, 10, 3]); // 3 episodes × 2 signals: z_0 = (0, 1, 10), z_1 = (10, 2, 3)
    const sd = (v: number[]) => {
      const m = v.reduce((a, b) => a + b) / v.length;
      return Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    };
    const d = heronMargins(z, 2, 2);
    expect(d[0]).toBeCloseTo(2 * sd([0, 1, 10]), 12);
    expect(d[1]).toBeCloseTo(2 * sd([10, 2, 3]), 12);
  });

  it('labels are invariant to rescaling any signal by a positive constant (δ_k scales with σ_k)', () => {
    const rng = new Rng(7);
    const n = 30,
      nZ = 3;
    const z = new Float64Array(n * nZ);
    for (let i = 0; i < n * nZ; i++) z[i] = rng.int(6) - 3;
    const pairs = randomPairs(rng, n, 200);
    const order = [1, 0, 2];
    const base = heronLabels(z, nZ, pairs, heronMargins(z, nZ, 0.7), order);
    for (const [k, c] of [
      [0, 10],
      [1, 0.1],
      [2, 3.7],
    ]) {
      const zs = Float64Array.from(z);
      for (let i = 0; i < n; i++) zs[i * nZ + k] *= c;
      const lab = heronLabels(zs, nZ, pairs, heronMargins(zs, nZ, 0.7), order);
      expect(Array.from(lab.label)).toEqual(Array.from(base.label));
    }
  });
});

describe('HERON Bradley–Terry reward model', () => {
  it('gradient agrees with central differences', () => {
    const rng = new Rng(3);
    const nF = 4,
      n = 25;
    const dPhi = new Float64Array(n * nF).map(() => rng.normal(0, 2));
    const y = Array.from({ length: n }, () => rng.int(2));
    const psi = new Float64Array(nF).map(() => rng.normal(0, 1));
    const g = new Float64Array(nF),
      tmp = new Float64Array(nF);
    heronBradleyTerryLoss(psi, dPhi, y, 0.1, g);
    for (let f = 0; f < nF; f++) {
      const p = Float64Array.from(psi),
        m = Float64Array.from(psi);
      p[f] += 1e-6;
      m[f] -= 1e-6;
      const fd = (heronBradleyTerryLoss(p, dPhi, y, 0.1, tmp) - heronBradleyTerryLoss(m, dPhi, y, 0.1, tmp)) / 2e-6;
      expect(Math.abs(fd - g[f])).toBeLessThan(1e-7);
    }
  });

  it('recovers the direction of a linear reward from its own (noiseless) comparisons', () => {
    const rng = new Rng(11);
    const nF = 3,
      n = 400;
    const truth = [2, -1, 0.5];
    const dPhi = new Float64Array(n * nF).map(() => rng.normal(0, 1));
    const y = Array.from({ length: n }, (_, p) =>
      truth[0] * dPhi[p * 3] + truth[1] * dPhi[p * 3 + 1] + truth[2] * dPhi[p * 3 + 2] > 0 ? 1 : 0,
    );
    const psi = fitHeronRewardModel(dPhi, y, nF, 1e-3).x;
    const dot = psi[0] * truth[0] + psi[1] * truth[1] + psi[2] * truth[2];
    const cos = dot / Math.hypot(...psi) / Math.hypot(...truth);
    expect(cos).toBeGreaterThan(0.99);
    // stationarity: the gradient vanishes at the fit
    const g = new Float64Array(nF);
    heronBradleyTerryLoss(psi, dPhi, y, 1e-3, g);
    expect(Math.max(...g.map(Math.abs))).toBeLessThan(1e-6);
  });
});
