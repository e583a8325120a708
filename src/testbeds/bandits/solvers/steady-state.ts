/**
 * Closed forms of a stable dynamical linear bandit (Mussi et al. 2023, Sec. 2–3; the official code's `MARKOV`).
 *
 * Playing a constant action a forever drives the mean state to x̄ = (I − A)^{-1} B a, so the long-run average reward is
 * J(a) = ⟨h, a⟩ with the cumulative Markov parameter (steady-state gain)
 *   h = θ + Bᵀ (I − A)^{-ᵀ} ω = θ + Σ_{s≥0} (ω ᵀ A^s B)ᵀ.
 * The optimal policy of a stable DLB plays argmax_a ⟨h, a⟩ (a constant action); the regret of a learner is measured
 * against T·max_a ⟨h, a⟩. Also: the spectral radius ρ(A) and Φ(A) = sup_s ‖A^s‖₂ / ρ(A)^s (the paper's stability
 * constants, as the code's `spectr`).
 */
import type { DynamicalLinearBandit } from '../env/dynamical-linear';

/** Solves M z = r for a small dense n×n M (row-major) by Gaussian elimination with partial pivoting. */
export function solveDense(M: Float64Array, r: Float64Array, n: number): Float64Array {
  const a = Float64Array.from(M),
    z = Float64Array.from(r);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let i = c + 1; i < n; i++) if (Math.abs(a[i * n + c]) > Math.abs(a[p * n + c])) p = i;
    if (Math.abs(a[p * n + c]) < 1e-14) throw new RangeError('solveDense: singular matrix');
    if (p !== c) {
      for (let j = 0; j < n; j++) [a[c * n + j], a[p * n + j]] = [a[p * n + j], a[c * n + j]];
      [z[c], z[p]] = [z[p], z[c]];
    }
    for (let i = c + 1; i < n; i++) {
      const f = a[i * n + c] / a[c * n + c];
      for (let j = c; j < n; j++) a[i * n + j] -= f * a[c * n + j];
      z[i] -= f * z[c];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = z[i];
    for (let j = i + 1; j < n; j++) s -= a[i * n + j] * z[j];
    z[i] = s / a[i * n + i];
  }
  return z;
}

/** h = θ + Bᵀ (I − A)^{-ᵀ} ω. */
export function steadyStateGain(env: DynamicalLinearBandit): Float64Array {
  const { n, d, A, B } = env;
  const M = new Float64Array(n * n); // (I − A)ᵀ
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M[i * n + j] = (i === j ? 1 : 0) - A[j * n + i];
  const z = solveDense(M, env.omega, n);
  const h = Float64Array.from(env.theta);
  for (let k = 0; k < d; k++) for (let i = 0; i < n; i++) h[k] += B[i * d + k] * z[i];
  return h;
}

/** Index of argmax_k ⟨g, a_k⟩ over K actions (row-major K×d) and its value. */
export function bestAction(actions: Float64Array, d: number, g: ArrayLike<number>): { index: number; value: number } {
  let index = -1,
    value = -Infinity;
  for (let k = 0; k < actions.length / d; k++) {
    let v = 0;
    for (let i = 0; i < d; i++) v += g[i] * actions[k * d + i];
    if (v > value) [index, value] = [k, v];
  }
  return { index, value };
}

function matMul(X: Float64Array, Y: Float64Array, n: number): Float64Array {
  const Z = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const x = X[i * n + k];
      if (x !== 0) for (let j = 0; j < n; j++) Z[i * n + j] += x * Y[k * n + j];
    }
  return Z;
}

/** Spectral norm ‖M‖₂ of a small n×n matrix (power iteration on MᵀM). */
export function spectralNorm(M: Float64Array, n: number): number {
  let v = Float64Array.from({ length: n }, (_, i) => 1 + i / n);
  let lam = 0;
  for (let it = 0; it < 500; it++) {
    const w = new Float64Array(n),
      u = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) w[i] += M[i * n + j] * v[j];
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) u[j] += M[i * n + j] * w[i];
    const nu = Math.hypot(...u);
    if (nu === 0) return 0;
    lam = nu / Math.hypot(...v);
    v = u.map((x) => x / nu);
  }
  return Math.sqrt(lam);
}

/** ρ(A) by Gelfand's formula ρ = lim ‖A^k‖^{1/k}, k = 2^40 by repeated squaring (renormalised). */
export function spectralRadius(A: Float64Array, n: number): number {
  let M = Float64Array.from(A);
  let logScale = 0;
  for (let j = 0; j < 40; j++) {
    let f = 0;
    for (const x of M) f = Math.max(f, Math.abs(x));
    if (f === 0) return 0;
    M = M.map((x) => x / f);
    logScale = 2 * (logScale + Math.log(f)); // log of the factor removed, after squaring
    M = matMul(M, M, n);
  }
  let f = 0;
  for (const x of M) f += x * x;
  if (f === 0) return 0;
  return Math.exp((logScale + 0.5 * Math.log(f)) / 2 ** 40);
}

/** Φ(A) = max_{1≤s≤smax} ‖A^s‖₂ / ρ(A)^s (the official code's `spectr`, smax = 999). */
export function phiConstant(A: Float64Array, n: number, smax = 999): number {
  const rho = spectralRadius(A, n);
  if (rho === 0) return spectralNorm(A, n);
  const Ar = A.map((x) => x / rho);
  let P = Float64Array.from(Ar), // P = A^s / ρ^s
    best = 0;
  for (let s = 1; s <= smax; s++) {
    best = Math.max(best, spectralNorm(P, n));
    P = matMul(P, Ar, n);
  }
  return best;
}
