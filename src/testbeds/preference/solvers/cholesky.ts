/**
 * Symmetric positive-definite linear systems by Cholesky factorisation (float64): the Newton steps of
 * the Bradley–Terry fits (methods/bradley-terry.ts) and the normal equations of the pairwise
 * least-squares solver (solvers/pairwise-square.ts).
 */

/**
 * Solve A·v = b for a symmetric positive-definite n×n A (row-major; only its lower triangle is read),
 * in place: A's lower triangle is overwritten by the Cholesky factor L (A = L·Lᵀ) and b by the
 * solution v, which is returned. Throws a RangeError naming `where` if A is not positive definite.
 */
export function solveSPD(A: Float64Array, b: Float64Array, n: number, where = 'solveSPD'): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
    if (!(d > 0)) throw new RangeError(`${where}: matrix is not positive definite (pivot ${d} at ${j})`);
    const l = Math.sqrt(d);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= A[i * n + k] * b[k];
    b[i] = s / A[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= A[k * n + i] * b[k];
    b[i] = s / A[i * n + i];
  }
  return b;
}
