import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { minNormElement, minNormFrom2 } from '../../../../src/testbeds/preference/solvers/min-norm';

function gramOf(vs: number[][]): Float64Array {
  const K = vs.length;
  const g = new Float64Array(K * K);
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) g[i * K + j] = vs[i].reduce((s, x, t) => s + x * vs[j][t], 0);
  return g;
}

describe('minimum-norm element of a convex hull', () => {
  it('two vectors: the closed form against a fine grid over c', () => {
    const rng = new Rng(2);
    for (let rep = 0; rep < 20; rep++) {
      const a = [rng.normal(), rng.normal(), rng.normal()],
        b = [rng.normal(), rng.normal(), rng.normal()];
      const g = gramOf([a, b]);
      const r = minNormFrom2(g[0], g[1], g[3]);
      let best = Infinity;
      for (let k = 0; k <= 10000; k++) {
        const c = k / 10000;
        best = Math.min(
          best,
          a.reduce((s, x, t) => s + (c * x + (1 - c) * b[t]) ** 2, 0),
        );
      }
      expect(r.cost).toBeCloseTo(best, 6);
      expect(r.c).toBeGreaterThanOrEqual(0);
      expect(r.c).toBeLessThanOrEqual(1);
    }
  });

  it('K orthonormal vectors: uniform weights and squared norm 1/K', () => {
    const K = 5;
    const vs = Array.from({ length: K }, (_, i) => Array.from({ length: K }, (_, j) => (i === j ? 1 : 0)));
    const r = minNormElement(gramOf(vs), K);
    for (const l of r.lambda) expect(l).toBeCloseTo(1 / K, 4);
    expect(r.normSq).toBeCloseTo(1 / K, 6);
  });

  it('a vector in the hull of the others: the norm reaches the hull distance to 0 (here 0)', () => {
    // e1, −e1 and e2: the origin lies on the segment [e1, −e1]
    const r = minNormElement(
      gramOf([
        [1, 0],
        [-1, 0],
        [0, 1],
      ]),
      3,
    );
    expect(r.normSq).toBeLessThan(1e-9);
    expect(r.lambda[2]).toBeLessThan(1e-6);
  });

  it('three random vectors: Frank–Wolfe matches a brute-force search over the simplex', () => {
    const rng = new Rng(7);
    for (let rep = 0; rep < 10; rep++) {
      const vs = Array.from({ length: 3 }, () => Array.from({ length: 4 }, () => rng.normal() + 0.5));
      const g = gramOf(vs);
      const r = minNormElement(g, 3);
      let best = Infinity;
      const N = 400;
      for (let i = 0; i <= N; i++)
        for (let j = 0; i + j <= N; j++) {
          const l = [i / N, j / N, (N - i - j) / N];
          let s = 0;
          for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s += l[a] * l[b] * g[a * 3 + b];
          best = Math.min(best, s);
        }
      expect(r.normSq).toBeLessThanOrEqual(best + 1e-9);
      expect(r.normSq).toBeGreaterThan(best - 1e-3);
      expect(r.lambda.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    }
  });
});
