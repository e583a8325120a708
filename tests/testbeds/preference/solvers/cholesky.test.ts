import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { solveSPD } from '../../../../src/testbeds/preference/solvers/cholesky';

describe('Cholesky solve of symmetric positive-definite systems', () => {
  it('solves a hand-checked 2×2 system in place: [[4, 2], [2, 3]]·v = [2, 1] → v = (½, 0)', () => {
    const A = Float64Array.of(4, 2, 2, 3),
      b = Float64Array.of(2, 1);
    const v = solveSPD(A, b, 2);
    expect(v).toBe(b);
    expect(v[0]).toBeCloseTo(0.5, 15);
    expect(v[1]).toBeCloseTo(0, 15);
    expect(A[0]).toBe(2); // the Cholesky factor overwrites A's lower triangle: L = [[2, 0], [1, √2]]
    expect(A[2]).toBe(1);
    expect(A[3]).toBeCloseTo(Math.SQRT2, 15);
  });

  it('recovers v from A·v on random SPD matrices (A = MᵀM + I)', () => {
    const rng = new Rng(1);
    for (const n of [1, 3, 8]) {
      const M = rng.normals(n * n);
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = i === j ? 1 : 0;
          for (let k = 0; k < n; k++) s += M[k * n + i] * M[k * n + j];
          A[i * n + j] = s;
        }
      const v = rng.normals(n);
      const b = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += A[i * n + j] * v[j];
      const got = solveSPD(Float64Array.from(A), b, n);
      for (let i = 0; i < n; i++) expect(got[i]).toBeCloseTo(v[i], 10);
    }
  });

  it('throws, naming the caller, when the matrix is not positive definite', () => {
    expect(() => solveSPD(Float64Array.of(1, 2, 2, 1), Float64Array.of(1, 1), 2, 'myFit')).toThrow(
      /myFit: matrix is not positive definite/,
    );
  });
});
