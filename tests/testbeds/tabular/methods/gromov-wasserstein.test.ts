import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  entropicGromovWasserstein,
  gwEnergy,
  gwTensorProduct,
  scaledDistanceMatrix,
} from '../../../../src/testbeds/tabular/methods/gromov-wasserstein';

function randomCoupling(rng: Rng, n: number, m: number): Float64Array {
  // Any matrix with marginals 1/n, 1/m: a Sinkhorn-balanced random positive matrix.
  const T = Float64Array.from({ length: n * m }, () => 0.1 + rng.uniform());
  for (let it = 0; it < 500; it++) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += T[i * m + j];
      for (let j = 0; j < m; j++) T[i * m + j] /= s * n;
    }
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += T[i * m + j];
      for (let i = 0; i < n; i++) T[i * m + j] /= s * m;
    }
  }
  return T;
}

describe('entropic Gromov–Wasserstein', () => {
  const rng = new Rng(3);
  const n = 5,
    m = 4;
  const C1 = scaledDistanceMatrix(rng.normals(n * 2), n, 2);
  const C2 = scaledDistanceMatrix(rng.normals(m * 3), m, 3);

  it('tensor product and energy equal the brute-force sums over (i, j, k, l)', () => {
    const T = randomCoupling(rng, n, m);
    const L = gwTensorProduct(C1, C2, T, n, m);
    let e = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let k = 0; k < n; k++)
          for (let l = 0; l < m; l++) s += (C1[i * n + k] - C2[j * m + l]) ** 2 * T[k * m + l];
        expect(L[i * m + j]).toBeCloseTo(s, 12);
        e += s * T[i * m + j];
      }
    expect(gwEnergy(C1, C2, T, n, m)).toBeCloseTo(e, 12);
  });

  it('recovers the correspondence between a point cloud and a shuffled, coordinate-permuted copy', () => {
    const N = 12,
      d = 3;
    const x = rng.normals(N * d);
    const order = [7, 2, 11, 0, 5, 9, 1, 4, 10, 3, 8, 6];
    const perm = [2, 0, 1];
    const y = new Float64Array(N * d);
    for (let a = 0; a < N; a++) for (let f = 0; f < d; f++) y[a * d + perm[f]] = x[order[a] * d + f];
    const A = scaledDistanceMatrix(x, N, d),
      B = scaledDistanceMatrix(y, N, d);
    const { T, energy } = entropicGromovWasserstein(A, B, N, N, { epsilon: 0.002, maxIter: 200 });
    for (let i = 0; i < N; i++) {
      let row = 0;
      for (let j = 0; j < N; j++) row += T[i * N + j];
      expect(row).toBeCloseTo(1 / N, 6);
    }
    for (let a = 0; a < N; a++) {
      let best = 0;
      for (let i = 1; i < N; i++) if (T[i * N + a] > T[best * N + a]) best = i;
      expect(best).toBe(order[a]);
    }
    expect(energy).toBeLessThan(1e-3);
  });
});
