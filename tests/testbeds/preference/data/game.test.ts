import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  checkGame,
  cyclicShare,
  gameFromMatrices,
  pIndex,
  randomGame,
  samplePreferencePairs,
  transitivePart,
  withoutLengthBias,
} from '../../../../src/testbeds/preference/data/game';
import { policyFromRows } from '../../../../src/testbeds/preference/policies/tabular-policy';

const sig = (z: number) => 1 / (1 + Math.exp(-z));

describe('preference games', () => {
  it('random games are valid preferences: P + Pᵀ = 1, P(y ≻ y) = ½, and the cyclic part is divergence-free', () => {
    for (const cyclic of ['curl', 'rps-blocks'] as const) {
      const g = randomGame(new Rng(1), { nX: 4, nY: 7, btScale: 1, cyclicScale: 2, cyclic });
      checkGame(g);
      for (let x = 0; x < 4; x++)
        for (let y = 0; y < 7; y++) {
          expect(g.P[pIndex(7, x, y, y)]).toBe(0.5);
          let row = 0;
          for (let z = 0; z < 7; z++) {
            row += (g.cyclic as Float64Array)[pIndex(7, x, y, z)];
            expect((g.cyclic as Float64Array)[pIndex(7, x, y, z)]).toBeCloseTo(
              -(g.cyclic as Float64Array)[pIndex(7, x, z, y)],
              12,
            );
          }
          expect(Math.abs(row)).toBeLessThan(1e-12);
        }
      const share = cyclicShare(g);
      expect(share).toBeGreaterThan(0.2);
      expect(share).toBeLessThan(1);
    }
  });

  it('curl RMS equals cyclicScale and the logit decomposes as Δr + C', () => {
    const g = randomGame(new Rng(2), { nX: 1, nY: 6, btScale: 0.7, cyclicScale: 1.5 });
    const C = g.cyclic as Float64Array,
      r = g.reward as Float64Array;
    let ss = 0;
    for (let y = 0; y < 6; y++)
      for (let z = 0; z < 6; z++) {
        if (y === z) continue;
        ss += C[y * 6 + z] ** 2;
        expect(g.P[y * 6 + z]).toBeCloseTo(sig(r[y] - r[z] + C[y * 6 + z]), 14);
      }
    expect(Math.sqrt(ss / 30)).toBeCloseTo(1.5, 12);
  });

  it('without cycles the game is Bradley–Terry; the length bias can be removed', () => {
    const g = randomGame(new Rng(3), { nX: 2, nY: 5, btScale: 1, cyclicScale: 0, lengthBias: 2 });
    const lc = withoutLengthBias(g);
    const t = transitivePart(g);
    const r = g.reward as Float64Array,
      l = g.length as Float64Array;
    for (let x = 0; x < 2; x++)
      for (let y = 0; y < 5; y++)
        for (let z = 0; z < 5; z++) {
          if (y === z) continue;
          const d = r[x * 5 + y] - r[x * 5 + z];
          expect(lc.P[pIndex(5, x, y, z)]).toBeCloseTo(sig(d), 14);
          expect(t.P[pIndex(5, x, y, z)]).toBeCloseTo(sig(d), 14);
          expect(g.P[pIndex(5, x, y, z)]).toBeCloseTo(sig(d + 2 * (l[x * 5 + y] - l[x * 5 + z])), 14);
        }
    expect(cyclicShare(g)).toBe(0);
  });

  it('rejects an invalid preference matrix with a message naming the entry', () => {
    expect(() =>
      gameFromMatrices([
        [
          [0.5, 0.7],
          [0.7, 0.5],
        ],
      ]),
    ).toThrow(/must be 1/);
    expect(() =>
      gameFromMatrices([
        [
          [0.5, 1.2],
          [-0.2, 0.5],
        ],
      ]),
    ).toThrow(/not in \[0, 1\]/);
  });

  it('sampled labels follow P and label noise flips them', () => {
    const g = gameFromMatrices([
      [
        [0.5, 0.8],
        [0.2, 0.5],
      ],
    ]);
    const s = policyFromRows([[0.5, 0.5]]);
    const n = 40000;
    const count = (noise: number) => {
      const d = samplePreferencePairs(g, s, n, new Rng(4), { labelNoise: noise, distinct: true });
      let w0 = 0;
      for (let k = 0; k < d.n; k++) {
        expect(d.yw[k]).not.toBe(d.yl[k]);
        if (d.yw[k] === 0) w0++;
      }
      return w0 / n;
    };
    const sd = Math.sqrt((0.8 * 0.2) / n);
    expect(Math.abs(count(0) - 0.8)).toBeLessThan(5 * sd);
    expect(Math.abs(count(0.25) - (0.8 * 0.75 + 0.2 * 0.25))).toBeLessThan(5 * sd);
  });
});

