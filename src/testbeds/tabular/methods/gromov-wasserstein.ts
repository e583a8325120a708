/**
 * Entropic Gromov–Wasserstein optimal transport (Peyré, Cuturi & Solomon 2016, "Gromov-Wasserstein
 * Averaging of Kernel and Distance Matrices", ICML; the algorithm of POT's `entropic_gromov_wasserstein`
 * with the square loss). Two metric-measure spaces are given only through their intra-space distance
 * matrices C1 (n × n) and C2 (m × m) with uniform weights p = 1/n, q = 1/m; GW couples them without any
 * cross-space cost, so it is invariant to any isometry of either space (e.g. a permutation of coordinates).
 *
 *   GW(T) = Σ_{i,j,k,l} (C1_ik − C2_jl)² T_ij T_kl,   T ∈ Π(p, q)   (Peyré et al. 2016, Eq. 3 with L = square)
 *
 * With the square loss the tensor product is L(C1, C2) ⊗ T = constC − C1 T (2 C2)ᵀ,
 * constC = (C1∘C1) p 1ᵀ + 1 qᵀ (C2∘C2)ᵀ (Peyré et al. 2016, Prop. 1), and the entropic problem
 * min_T GW(T) − ε H(T) is solved by the projected mirror-descent iteration with step 1/ε
 * (Peyré et al. 2016, Prop. 2 / Alg. 1):  T ← Sinkhorn_ε(L(C1, C2) ⊗ T),  starting from T = p qᵀ.
 */
import { sinkhornKnopp } from './ot-proxy-reward';

export interface EntropicGwOptions {
  /** Entropic regularisation ε (on distance matrices scaled to max 1). */
  epsilon?: number;
  /** Outer (mirror-descent) iterations. */
  maxIter?: number;
  /** Stop when max |T − T_prev| · n·m falls below this. */
  tol?: number;
  /** Sinkhorn iterations per outer step. */
  sinkhornIter?: number;
}

/** L(C1, C2) ⊗ T for the square loss: constC − C1 T (2 C2)ᵀ (n × m row-major); C1, C2 symmetric. */
export function gwTensorProduct(C1: Float64Array, C2: Float64Array, T: Float64Array, n: number, m: number) {
  const p = 1 / n,
    q = 1 / m;
  const a = new Float64Array(n),
    b = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < n; k++) s += C1[i * n + k] * C1[i * n + k] * p;
    a[i] = s;
  }
  for (let j = 0; j < m; j++) {
    let s = 0;
    for (let l = 0; l < m; l++) s += C2[j * m + l] * C2[j * m + l] * q;
    b[j] = s;
  }
  // X = C1 T (n × m), then out = a + b − 2 X C2ᵀ.
  const X = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let k = 0; k < n; k++) {
      const c = C1[i * n + k];
      if (c === 0) continue;
      for (let j = 0; j < m; j++) X[i * m + j] += c * T[k * m + j];
    }
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let l = 0; l < m; l++) s += X[i * m + l] * C2[j * m + l];
      out[i * m + j] = a[i] + b[j] - 2 * s;
    }
  return out;
}

/** GW energy Σ_{ijkl} (C1_ik − C2_jl)² T_ij T_kl = ⟨L ⊗ T, T⟩ (valid for T with marginals p, q). */
export function gwEnergy(C1: Float64Array, C2: Float64Array, T: Float64Array, n: number, m: number): number {
  const L = gwTensorProduct(C1, C2, T, n, m);
  let e = 0;
  for (let i = 0; i < n * m; i++) e += L[i] * T[i];
  return e;
}

/** Entropic GW coupling T (n × m row-major, marginals 1/n and 1/m) between C1 (n × n) and C2 (m × m). */
export function entropicGromovWasserstein(
  C1: Float64Array,
  C2: Float64Array,
  n: number,
  m: number,
  opts: EntropicGwOptions = {},
): { T: Float64Array; iterations: number; energy: number } {
  if (C1.length !== n * n || C2.length !== m * m)
    throw new RangeError(`entropicGromovWasserstein: C1 must be ${n}×${n} and C2 ${m}×${m}`);
  const eps = opts.epsilon ?? 0.01;
  const maxIter = opts.maxIter ?? 50;
  const tol = opts.tol ?? 1e-7;
  const sIter = opts.sinkhornIter ?? 200;
  let T = new Float64Array(n * m).fill(1 / (n * m));
  let it = 0;
  for (; it < maxIter; it++) {
    const L = gwTensorProduct(C1, C2, T, n, m);
    let mn = Infinity;
    for (let i = 0; i < L.length; i++) if (L[i] < mn) mn = L[i];
    for (let i = 0; i < L.length; i++) L[i] -= mn; // a constant shift leaves the Sinkhorn plan unchanged
    const Tn = sinkhornKnopp(L, n, m, { reg: eps, maxIter: sIter, stopThr: 1e-12 });
    let d = 0;
    for (let i = 0; i < Tn.length; i++) d = Math.max(d, Math.abs(Tn[i] - T[i]));
    T = Tn;
    if (d * n * m < tol) {
      it++;
      break;
    }
  }
  return { T, iterations: it, energy: gwEnergy(C1, C2, T, n, m) };
}

/** Euclidean distance matrix of n points of dimension d (row-major n × d), divided by its maximum. */
export function scaledDistanceMatrix(x: Float64Array, n: number, d: number): Float64Array {
  const C = new Float64Array(n * n);
  let mx = 0;
  for (let i = 0; i < n; i++)
    for (let k = i + 1; k < n; k++) {
      let s = 0;
      for (let f = 0; f < d; f++) {
        const v = x[i * d + f] - x[k * d + f];
        s += v * v;
      }
      const v = Math.sqrt(s);
      C[i * n + k] = C[k * n + i] = v;
      if (v > mx) mx = v;
    }
  if (mx > 0) for (let i = 0; i < C.length; i++) C[i] /= mx;
  return C;
}
