import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  crowdingDistance,
  expectedUtility,
  frontCoverage,
  hypervolume,
  preferenceGrid,
  sparsity,
} from '../../../../src/testbeds/tabular/methods/front-quality';

/** Hypervolume by inclusion–exclusion over all subsets (the intersection of boxes is the box of the minima). */
function hvInclusionExclusion(points: number[][], ref: number[]): number {
  const n = points.length;
  let total = 0;
  for (let mask = 1; mask < 1 << n; mask++) {
    const lo = ref.map(() => Infinity);
    let bits = 0;
    for (let i = 0; i < n; i++)
      if (mask & (1 << i)) {
        bits++;
        for (let k = 0; k < ref.length; k++) lo[k] = Math.min(lo[k], points[i][k]);
      }
    let vol = 1;
    for (let k = 0; k < ref.length; k++) vol *= Math.max(0, lo[k] - ref[k]);
    total += (bits % 2 === 1 ? 1 : -1) * vol;
  }
  return total;
}

describe('front quality indicators', () => {
  it('hypervolume equals inclusion–exclusion on random sets in 2 to 6 objectives', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 40; trial++) {
      const m = 2 + (trial % 5);
      const n = 1 + rng.int(9);
      const pts = Array.from({ length: n }, () => Array.from({ length: m }, () => rng.uniform() * 3 - 0.5));
      const ref = Array.from({ length: m }, () => 0);
      expect(hypervolume(pts, ref)).toBeCloseTo(hvInclusionExclusion(pts, ref), 10);
    }
  });

  it('hypervolume: a box, a staircase, and points below the reference', () => {
    expect(hypervolume([[2, 3, 4]], [0, 0, 0])).toBeCloseTo(24, 12);
    expect(
      hypervolume(
        [
          [3, 1],
          [2, 2],
          [1, 3],
        ],
        [0, 0],
      ),
    ).toBeCloseTo(6, 12);
    expect(
      hypervolume(
        [
          [124, -19],
          [1, -1],
        ],
        [0, -25],
      ),
    ).toBeCloseTo(124 * 6 + 1 * 18, 12);
    expect(hypervolume([[-1, 5]], [0, 0])).toBe(0);
  });

  it('preference grid: C(N + m − 1, m − 1) weights on the simplex', () => {
    const g = preferenceGrid(3, 0.25);
    expect(g).toHaveLength(15);
    for (const w of g) expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(preferenceGrid(6, 0.5)).toHaveLength(21);
    expect(() => preferenceGrid(2, 0.3)).toThrow();
  });

  it('expected utility, sparsity, crowding distance and coverage by hand', () => {
    const front = [
      [0, 4],
      [1, 2],
      [4, 0],
    ];
    // w = (0,1): 4; (0.5,0.5): 2; (1,0): 4.
    expect(expectedUtility(front, preferenceGrid(2, 0.5))).toBeCloseTo(10 / 3, 12);
    // Objective 1 sorted 0,1,4: 1 + 9; objective 2 sorted 0,2,4: 4 + 4; over n − 1 = 2.
    expect(sparsity(front)).toBeCloseTo(9, 12);
    const cd = crowdingDistance(front);
    expect(cd[0]).toBe(Infinity);
    expect(cd[2]).toBe(Infinity);
    expect(cd[1]).toBeCloseTo(4 / 4 + 4 / 4, 12);
    expect(
      frontCoverage(
        [
          [1, 2],
          [9, 9],
        ],
        front,
      ),
    ).toBeCloseTo(1 / 3, 12);
  });
});
