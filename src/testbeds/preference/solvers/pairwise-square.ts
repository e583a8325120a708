/**
 * Weighted pairwise least squares on a comparison graph, solved exactly per context:
 * argmin_φ Σ_k w_k·E_label[(φ_winner − φ_loser − m)²], the closed-form minimiser behind INPO's and
 * online IPO's updates for tabular logits (methods/inpo.ts, methods/ipo.ts).
 */
import type { Comparisons } from '../data/comparisons';
import { solveSPD } from './cholesky';

/**
 * argmin_φ Σ_k w_k·E_label[(φ_winner − φ_loser − m)²] + ridge·Σ φ², per context, where comparison k
 * (a, b) has a winning with probability p (1 for a hard label). With s = 2p − 1 ∈ [−1, 1], the normal
 * equations are L·φ = m·Σ w·s·(e_a − e_b), L the weighted Laplacian of the comparison graph. `ridge`
 * is relative to the largest diagonal entry; contexts without comparisons keep φ = 0.
 */
export function solvePairwiseSquare(
  nX: number,
  nY: number,
  pairs: Comparisons,
  margin: number,
  ridge = 1e-10,
): Float64Array {
  const phi = new Float64Array(nX * nY);
  const byX: number[][] = Array.from({ length: nX }, () => []);
  for (let k = 0; k < pairs.n; k++) byX[pairs.x[k]].push(k);
  const A = new Float64Array(nY * nY);
  const b = new Float64Array(nY);
  for (let x = 0; x < nX; x++) {
    if (byX[x].length === 0) continue;
    A.fill(0);
    b.fill(0);
    for (const k of byX[x]) {
      const i = pairs.a[k],
        j = pairs.b[k],
        w = pairs.w[k];
      if (i === j) continue;
      A[i * nY + i] += w;
      A[j * nY + j] += w;
      A[i * nY + j] -= w;
      A[j * nY + i] -= w;
      const v = margin * w * (2 * pairs.p[k] - 1);
      b[i] += v;
      b[j] -= v;
    }
    let dmax = 0;
    for (let a = 0; a < nY; a++) dmax = Math.max(dmax, A[a * nY + a]);
    const lam = ridge * Math.max(dmax, 1e-300);
    for (let a = 0; a < nY; a++) A[a * nY + a] += lam;
    if (dmax === 0) continue;
    solveSPD(A, b, nY);
    for (let a = 0; a < nY; a++) phi[x * nY + a] = b[a];
  }
  return phi;
}
