import { describe, expect, it } from 'vitest';
import { makeComparisons } from '../../../../src/testbeds/preference/data/comparisons';
import { solvePairwiseSquare } from '../../../../src/testbeds/preference/solvers/pairwise-square';

describe('pairwise least squares on a comparison graph', () => {
  it('the pairwise least-squares solver reproduces a hand-solved chain a ≻ b ≻ c', () => {
    // pairs (a≻b), (b≻c), margin m: minimiser φ_a − φ_b = m, φ_b − φ_c = m, mean 0 → (m, 0, −m)
    const phi = solvePairwiseSquare(
      1,
      3,
      makeComparisons([
        { x: 0, a: 0, b: 1 },
        { x: 0, a: 1, b: 2 },
      ]),
      0.7,
      1e-14,
    );
    expect(phi[0]).toBeCloseTo(0.7, 10);
    expect(phi[1]).toBeCloseTo(0, 10);
    expect(phi[2]).toBeCloseTo(-0.7, 10);
  });

  it('soft labels enter through s = 2p − 1: p = ½ gives no margin, p = ¾ half of it', () => {
    const fit = (p: number) => solvePairwiseSquare(1, 2, makeComparisons([{ x: 0, a: 0, b: 1, p }]), 0.8, 1e-14);
    const half = fit(0.5);
    expect(Math.abs(half[0])).toBeLessThan(1e-12);
    expect(Math.abs(half[1])).toBeLessThan(1e-12);
    const q = fit(0.75);
    expect(q[0] - q[1]).toBeCloseTo(0.4, 10);
  });
});
