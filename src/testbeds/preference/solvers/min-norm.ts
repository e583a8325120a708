/**
 * The minimum-norm element of the convex hull of vectors g_1..g_K: min_λ ‖Σ_k λ_k g_k‖² over the simplex — the
 * common descent direction of multiple-gradient descent (MGDA; Désidéri 2012), solved as in Sener & Koltun,
 * "Multi-Task Learning as Multi-Objective Optimization" (NeurIPS 2018, Alg. 2; the MinNormSolver of
 * github.com/isl-org/MultiObjectiveOptimization that MORE's code copies, `find_min_norm_element_FW`): start from the
 * best pair (the exact two-vector solution, eq. 4), then Frank–Wolfe steps toward the vertex of least
 * ⟨g_t, Σ λ g⟩, each with the exact line search of the two-vector problem. Works on the Gram matrix M_ij = ⟨g_i, g_j⟩.
 */

/**
 * min_{c ∈ [0,1]} ‖c x₁ + (1 − c) x₂‖² from ⟨x₁,x₁⟩, ⟨x₁,x₂⟩, ⟨x₂,x₂⟩: returns c and the minimum (Sener & Koltun
 * eq. 4; the code returns 0.999 / 0.001 at the boundary cases, here exactly 1 / 0).
 */
export function minNormFrom2(v11: number, v12: number, v22: number): { c: number; cost: number } {
  if (v12 >= v11) return { c: 1, cost: v11 };
  if (v12 >= v22) return { c: 0, cost: v22 };
  const c = (v22 - v12) / (v11 + v22 - 2 * v12);
  return { c, cost: v22 + c * (v12 - v22) };
}

export interface MinNormResult {
  /** Weights on the simplex. */
  lambda: Float64Array;
  /** ‖Σ λ_k g_k‖². */
  normSq: number;
  iterations: number;
}

/** The minimum-norm convex combination from the K × K Gram matrix (row-major). */
export function minNormElement(gram: ArrayLike<number>, K: number, maxIter = 1000, tol = 1e-10): MinNormResult {
  if (gram.length !== K * K) throw new RangeError(`minNormElement: gram has ${gram.length} entries, expected ${K}²`);
  const M = (i: number, j: number) => gram[i * K + j];
  const lambda = new Float64Array(K);
  if (K === 1) {
    lambda[0] = 1;
    return { lambda, normSq: M(0, 0), iterations: 0 };
  }
  let best = { i: 0, j: 1, c: 1, cost: Infinity };
  for (let i = 0; i < K; i++)
    for (let j = i + 1; j < K; j++) {
      const r = minNormFrom2(M(i, i), M(i, j), M(j, j));
      if (r.cost < best.cost) best = { i, j, c: r.c, cost: r.cost };
    }
  lambda[best.i] = best.c;
  lambda[best.j] += 1 - best.c;
  const Ml = new Float64Array(K);
  let it = 0;
  for (; it < maxIter; it++) {
    for (let i = 0; i < K; i++) {
      let s = 0;
      for (let j = 0; j < K; j++) s += M(i, j) * lambda[j];
      Ml[i] = s;
    }
    let t = 0;
    for (let i = 1; i < K; i++) if (Ml[i] < Ml[t]) t = i;
    let v11 = 0;
    for (let i = 0; i < K; i++) v11 += lambda[i] * Ml[i];
    const r = minNormFrom2(v11, Ml[t], M(t, t));
    let change = 0;
    for (let i = 0; i < K; i++) {
      const nv = r.c * lambda[i] + (i === t ? 1 - r.c : 0);
      change += Math.abs(nv - lambda[i]);
      lambda[i] = nv;
    }
    if (change < tol) break;
  }
  let normSq = 0;
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) normSq += lambda[i] * lambda[j] * M(i, j);
  return { lambda, normSq, iterations: it };
}
