/**
 * Exact solvers for finite discounted MDPs (typed-array loops over CSR transitions; no tensors).
 *
 * Definitions (Sutton & Barto 2018, ch. 3–4; as used in STARC, Skalse et al., ICLR 2024,
 * arXiv:2309.15257, §2 "Preliminaries"):
 * - r̄(s,a) = E_{S'∼τ(s,a)}[R(s,a,S')]                                   (`expectedReward`)
 * - Bellman optimality: Q*(s,a) = r̄(s,a) + γ Σ_{s'} τ(s,a,s') max_{a'} Q*(s',a')   (`valueIteration`)
 * - Policy evaluation: V^π = r_π + γ P_π V^π, i.e. (I − γP_π) V^π = r_π,
 *   with r_π(s) = Σ_a π(a|s) r̄(s,a) and P_π(s,s') = Σ_a π(a|s) τ(s,a,s')      (`policyEvaluation`)
 * - Policy evaluation function (STARC §2): J(π) = E_{S₀∼μ₀}[V^π(S₀)]            (`expectedReturn`)
 * - Regret, normalised as in the STARC paper's soundness/completeness definitions (§3) and its
 *   experiments (official code github.com/lucyfarnik/starc, src/experiments/interpolated.py):
 *     regret_R(π) = (max_π' J_R(π') − J_R(π)) / (max_π' J_R(π') − min_π' J_R(π'))   (`normalisedRegret`)
 *   where min_π' J_R(π') = −max_π' J_{−R}(π') is obtained by value iteration with `sense: 'min'`.
 * - Discounted occupancy η^π(s,a) = Σ_t γ^t P(S_t = s, A_t = a), so that J(π) = Σ_{s,a} η^π(s,a) r̄(s,a)
 *   (`occupancy`; solves (I − γP_πᵀ) d = μ₀ and sets η(s,a) = d(s) π(a|s)).
 *
 * Value iteration stops when ‖V_{k+1} − V_k‖∞ ≤ tol·(1−γ)/γ, which guarantees ‖V_{k+1} − V*‖∞ ≤ tol
 * (the backup is a γ-contraction in the sup norm; this holds for both the Jacobi and the in-place
 * Gauss–Seidel sweep).
 */

import type { Policy, TabularEnv } from '../env/mdp';

// ---------------------------------------------------------------------------------------------
// Rewards and policies
// ---------------------------------------------------------------------------------------------

/**
 * r̄(s,a) = Σ_{s'} τ(s,a,s') R(s,a,s'), length nS·nA. Accepts a dense reward [s,a,s'] (length
 * nS·nA·nS) or an already-expected reward (length nS·nA, returned as is).
 */
export function expectedReward(env: TabularEnv, R: Float64Array): Float64Array {
  const { nS, nA, T } = env;
  const nSA = nS * nA;
  if (R.length === nSA * nS) {
    const out = new Float64Array(nSA);
    const { rowPtr, col, prob } = T;
    for (let r = 0; r < nSA; r++) {
      let acc = 0;
      const base = r * nS;
      for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) acc += prob[k] * R[base + col[k]];
      out[r] = acc;
    }
    return out;
  }
  if (R.length === nSA) return R;
  throw new RangeError(
    `expectedReward: reward length ${R.length} is neither nS·nA·nS = ${nSA * nS} (R(s,a,s')) ` +
      `nor nS·nA = ${nSA} (r̄(s,a))`,
  );
}

/** π(a|s) as a stochastic matrix (length nS·nA), from a deterministic or stochastic policy. */
export function policyMatrix(env: { nS: number; nA: number }, policy: Policy): Float64Array {
  const { nS, nA } = env;
  if (policy instanceof Int32Array) {
    if (policy.length !== nS)
      throw new RangeError(
        `policy: a deterministic policy is an Int32Array of length nS = ${nS}, got ${policy.length}`,
      );
    const out = new Float64Array(nS * nA);
    for (let s = 0; s < nS; s++) {
      const a = policy[s];
      if (!(a >= 0 && a < nA)) throw new RangeError(`policy: action ${a} at state ${s} is out of range [0, ${nA})`);
      out[s * nA + a] = 1;
    }
    return out;
  }
  if (policy.length !== nS * nA)
    throw new RangeError(
      `policy: a stochastic policy is a Float64Array of length nS·nA = ${nS * nA}, got ${policy.length}`,
    );
  for (let s = 0; s < nS; s++) {
    let sum = 0;
    for (let a = 0; a < nA; a++) {
      const p = policy[s * nA + a];
      if (!(p >= 0)) throw new RangeError(`policy: π(${a}|${s}) = ${p} is negative or NaN`);
      sum += p;
    }
    if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`policy: π(·|${s}) sums to ${sum}, expected 1`);
  }
  return policy;
}

/** Greedy (argmax, lowest index on exact ties) deterministic policy from Q (length nS·nA). */
export function greedyPolicy(
  env: { nS: number; nA: number },
  Q: Float64Array,
  sense: 'max' | 'min' = 'max',
): Int32Array {
  const { nS, nA } = env;
  const pi = new Int32Array(nS);
  const sign = sense === 'max' ? 1 : -1;
  for (let s = 0; s < nS; s++) {
    let best = 0;
    let bv = sign * Q[s * nA];
    for (let a = 1; a < nA; a++) {
      const v = sign * Q[s * nA + a];
      if (v > bv) {
        bv = v;
        best = a;
      }
    }
    pi[s] = best;
  }
  return pi;
}

/** Q(s,a) = r̄(s,a) + γ Σ_{s'} τ(s,a,s') V(s'). */
export function qFromV(env: TabularEnv, R: Float64Array, V: Float64Array): Float64Array {
  const rbar = expectedReward(env, R);
  const { nS, nA, gamma, T } = env;
  const { rowPtr, col, prob } = T;
  const Q = new Float64Array(nS * nA);
  for (let r = 0; r < nS * nA; r++) {
    let acc = 0;
    for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) acc += prob[k] * V[col[k]];
    Q[r] = rbar[r] + gamma * acc;
  }
  return Q;
}

// ---------------------------------------------------------------------------------------------
// Value iteration
// ---------------------------------------------------------------------------------------------

export interface ValueIterationOptions {
  /** Guaranteed bound on ‖V − V*‖∞ at termination (default 1e-8). */
  tol?: number;
  /** Give up after this many sweeps (default 1,000,000); `converged` is then false. */
  maxIterations?: number;
  /** 'max' (default) solves for the optimal value; 'min' for the worst (minimum-return) value. */
  sense?: 'max' | 'min';
  /** 'gauss-seidel' (default; in-place, fewer sweeps) or 'jacobi' (synchronous backups). */
  sweep?: 'gauss-seidel' | 'jacobi';
  /** Initial value (default 0). */
  V0?: Float64Array;
}

export interface ValueIterationResult {
  /** V (≈ V* within tol in sup norm), length nS. */
  V: Float64Array;
  /** Q(s,a) = r̄ + γ τ V, length nS·nA. */
  Q: Float64Array;
  /** Greedy deterministic policy w.r.t. Q (argmax for 'max', argmin for 'min'). */
  policy: Int32Array;
  /** Number of sweeps performed. */
  iterations: number;
  /** ‖V_k − V_{k−1}‖∞ of the last sweep. */
  residual: number;
  converged: boolean;
}

/**
 * Value iteration for Q*, V* and a greedy optimal policy (or, with `sense: 'min'`, for the
 * minimum-return value and a worst policy). R is dense R(s,a,s') or r̄(s,a).
 */
export function valueIteration(
  env: TabularEnv,
  R: Float64Array,
  opts: ValueIterationOptions = {},
): ValueIterationResult {
  const { nS, nA, gamma, T } = env;
  const { rowPtr, col, prob } = T;
  const rbar = expectedReward(env, R);
  const tol = opts.tol ?? 1e-8;
  const maxIterations = opts.maxIterations ?? 1_000_000;
  const maximise = (opts.sense ?? 'max') === 'max';
  const jacobi = opts.sweep === 'jacobi';
  if (!(tol > 0)) throw new RangeError(`valueIteration: tol must be positive, got ${tol}`);
  const stopAt = gamma > 0 ? (tol * (1 - gamma)) / gamma : Infinity;
  let V = opts.V0 ? Float64Array.from(opts.V0) : new Float64Array(nS);
  if (V.length !== nS) throw new RangeError(`valueIteration: V0 has length ${V.length}, expected nS = ${nS}`);
  let Vnext = jacobi ? new Float64Array(nS) : V;
  let iterations = 0;
  let residual = Infinity;
  while (iterations < maxIterations) {
    residual = 0;
    for (let s = 0; s < nS; s++) {
      let best = maximise ? -Infinity : Infinity;
      const r0 = s * nA;
      for (let a = 0; a < nA; a++) {
        const r = r0 + a;
        let acc = 0;
        for (let k = rowPtr[r], end = rowPtr[r + 1]; k < end; k++) acc += prob[k] * V[col[k]];
        const q = rbar[r] + gamma * acc;
        if (maximise ? q > best : q < best) best = q;
      }
      const d = Math.abs(best - V[s]);
      if (d > residual) residual = d;
      Vnext[s] = best;
    }
    iterations++;
    if (jacobi) {
      const t = V;
      V = Vnext;
      Vnext = t;
    }
    if (residual <= stopAt) break;
  }
  const Q = qFromV(env, rbar, V);
  return {
    V,
    Q,
    policy: greedyPolicy(env, Q, maximise ? 'max' : 'min'),
    iterations,
    residual,
    converged: residual <= stopAt,
  };
}

// ---------------------------------------------------------------------------------------------
// Policy evaluation
// ---------------------------------------------------------------------------------------------

/** r_π(s) = Σ_a π(a|s) r̄(s,a). */
export function policyReward(env: TabularEnv, R: Float64Array, policy: Policy): Float64Array {
  const { nS, nA } = env;
  const rbar = expectedReward(env, R);
  const pi = policyMatrix(env, policy);
  const out = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    let acc = 0;
    for (let a = 0; a < nA; a++) acc += pi[s * nA + a] * rbar[s * nA + a];
    out[s] = acc;
  }
  return out;
}

/** Dense P_π(s,s') = Σ_a π(a|s) τ(s,a,s') (row-major nS×nS). */
export function policyTransitionMatrix(env: TabularEnv, policy: Policy): Float64Array {
  const { nS, nA, T } = env;
  const pi = policyMatrix(env, policy);
  const P = new Float64Array(nS * nS);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const w = pi[s * nA + a];
      if (w === 0) continue;
      const r = s * nA + a;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) P[s * nS + T.col[k]] += w * T.prob[k];
    }
  }
  return P;
}

/**
 * Solve A x = b for a dense row-major n×n matrix by Gaussian elimination with partial pivoting
 * (A and b are not modified). Throws if A is numerically singular.
 */
export function solveLinearSystem(A: Float64Array, b: Float64Array, n: number): Float64Array {
  if (A.length !== n * n || b.length !== n)
    throw new RangeError(`solveLinearSystem: expected A of length ${n * n} and b of length ${n}`);
  const M = Float64Array.from(A);
  const x = Float64Array.from(b);
  for (let k = 0; k < n; k++) {
    let piv = k;
    let pmax = Math.abs(M[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(M[i * n + k]);
      if (v > pmax) {
        pmax = v;
        piv = i;
      }
    }
    if (!(pmax > 1e-300)) throw new RangeError(`solveLinearSystem: matrix is singular at column ${k}`);
    if (piv !== k) {
      for (let j = k; j < n; j++) {
        const t = M[k * n + j];
        M[k * n + j] = M[piv * n + j];
        M[piv * n + j] = t;
      }
      const t = x[k];
      x[k] = x[piv];
      x[piv] = t;
    }
    const inv = 1 / M[k * n + k];
    for (let i = k + 1; i < n; i++) {
      const f = M[i * n + k] * inv;
      if (f === 0) continue;
      M[i * n + k] = 0;
      const ri = i * n,
        rk = k * n;
      for (let j = k + 1; j < n; j++) M[ri + j] -= f * M[rk + j];
      x[i] -= f * x[k];
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let acc = x[i];
    for (let j = i + 1; j < n; j++) acc -= M[i * n + j] * x[j];
    x[i] = acc / M[i * n + i];
  }
  return x;
}

export interface PolicyEvaluationOptions {
  /** 'linear' (default): exact solve of (I − γP_π)V = r_π; 'iterative': V ← r_π + γP_πV. */
  method?: 'linear' | 'iterative';
  /** For 'iterative': bound on ‖V − V^π‖∞ (default 1e-10). */
  tol?: number;
  maxIterations?: number;
}

/** V^π for a deterministic or stochastic policy. R is dense R(s,a,s') or r̄(s,a). */
export function policyEvaluation(
  env: TabularEnv,
  R: Float64Array,
  policy: Policy,
  opts: PolicyEvaluationOptions = {},
): Float64Array {
  const { nS, gamma } = env;
  const rpi = policyReward(env, R, policy);
  if ((opts.method ?? 'linear') === 'linear') {
    const P = policyTransitionMatrix(env, policy);
    const A = new Float64Array(nS * nS);
    for (let i = 0; i < nS * nS; i++) A[i] = -gamma * P[i];
    for (let s = 0; s < nS; s++) A[s * nS + s] += 1;
    return solveLinearSystem(A, rpi, nS);
  }
  return iterativePolicyEvaluation(env, rpi, policy, opts.tol ?? 1e-10, opts.maxIterations ?? 1_000_000);
}

function iterativePolicyEvaluation(
  env: TabularEnv,
  rpi: Float64Array,
  policy: Policy,
  tol: number,
  maxIterations: number,
): Float64Array {
  const { nS, nA, gamma, T } = env;
  const pi = policyMatrix(env, policy);
  const { rowPtr, col, prob } = T;
  const stopAt = gamma > 0 ? (tol * (1 - gamma)) / gamma : Infinity;
  let V = new Float64Array(nS);
  let Vn = new Float64Array(nS);
  for (let it = 0; it < maxIterations; it++) {
    let res = 0;
    for (let s = 0; s < nS; s++) {
      let acc = 0;
      for (let a = 0; a < nA; a++) {
        const w = pi[s * nA + a];
        if (w === 0) continue;
        const r = s * nA + a;
        let e = 0;
        for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) e += prob[k] * V[col[k]];
        acc += w * e;
      }
      const v = rpi[s] + gamma * acc;
      const d = Math.abs(v - V[s]);
      if (d > res) res = d;
      Vn[s] = v;
    }
    const t = V;
    V = Vn;
    Vn = t;
    if (res <= stopAt) return V;
  }
  throw new RangeError(`policyEvaluation: iterative evaluation did not reach tol ${tol} in ${maxIterations} sweeps`);
}

/** Q^π(s,a) = r̄(s,a) + γ Σ τ(s,a,s') V^π(s'). */
export function policyQ(env: TabularEnv, R: Float64Array, policy: Policy): Float64Array {
  return qFromV(env, R, policyEvaluation(env, R, policy));
}

// ---------------------------------------------------------------------------------------------
// Returns and regret
// ---------------------------------------------------------------------------------------------

/** J = Σ_s μ₀(s) V(s). */
export function expectedReturn(env: TabularEnv, V: Float64Array): number {
  let acc = 0;
  for (let s = 0; s < env.nS; s++) acc += env.init[s] * V[s];
  return acc;
}

/** J_R(π) = E_{S₀∼μ₀}[V^π(S₀)] (exact, by linear solve). */
export function policyReturn(env: TabularEnv, R: Float64Array, policy: Policy): number {
  return expectedReturn(env, policyEvaluation(env, R, policy));
}

export interface ReturnRange {
  /** max_π J_R(π). */
  max: number;
  /** min_π J_R(π). */
  min: number;
  /** A deterministic policy attaining (within tol) the max / the min. */
  bestPolicy: Int32Array;
  worstPolicy: Int32Array;
}

/**
 * max_π J_R(π) and min_π J_R(π), both attained by deterministic stationary policies; computed by
 * value iteration to `tol`, then re-evaluated exactly for the greedy policies found.
 */
export function returnRange(env: TabularEnv, R: Float64Array, tol = 1e-10): ReturnRange {
  const rbar = expectedReward(env, R);
  const best = valueIteration(env, rbar, { tol, sense: 'max' });
  const worst = valueIteration(env, rbar, { tol, sense: 'min' });
  return {
    max: policyReturn(env, rbar, best.policy),
    min: policyReturn(env, rbar, worst.policy),
    bestPolicy: best.policy,
    worstPolicy: worst.policy,
  };
}

/** max_π J_R(π). */
export function optimalReturn(env: TabularEnv, R: Float64Array): number {
  return returnRange(env, R).max;
}

/** min_π J_R(π) (= −max_π J_{−R}(π)). */
export function worstReturn(env: TabularEnv, R: Float64Array): number {
  return returnRange(env, R).min;
}

/** Unnormalised regret max_π' J_R(π') − J_R(π) (≥ 0 up to rounding). */
export function regret(env: TabularEnv, R: Float64Array, policy: Policy): number {
  const rbar = expectedReward(env, R);
  const { max } = returnRange(env, rbar);
  return Math.max(0, max - policyReturn(env, rbar, policy));
}

/**
 * Normalised regret (max J_R − J_R(π)) / (max J_R − min J_R) ∈ [0, 1] (STARC §3; the official
 * experiment code's `regret1`). Returns 0 when every policy has the same return under R
 * (max = min), where every policy is optimal.
 */
export function normalisedRegret(env: TabularEnv, R: Float64Array, policy: Policy, range?: ReturnRange): number {
  const rbar = expectedReward(env, R);
  const rr = range ?? returnRange(env, rbar);
  const span = rr.max - rr.min;
  const scale = Math.max(Math.abs(rr.max), Math.abs(rr.min), 1);
  if (!(span > 1e-12 * scale)) return 0;
  const j = policyReturn(env, rbar, policy);
  return Math.min(1, Math.max(0, (rr.max - j) / span));
}

/**
 * Normalised regret under R1 of a policy optimal for R2 — the quantity STARC's soundness bound
 * controls (§3) and the experiments correlate with the distance d(R1, R2) (official code:
 * `regret1`; the paper's figure averages it with the symmetric `regret2`, see `symmetricRegret`).
 */
export function regretOfOptimal(env: TabularEnv, R1: Float64Array, R2: Float64Array): number {
  const pi2 = valueIteration(env, expectedReward(env, R2), { tol: 1e-10 }).policy;
  return normalisedRegret(env, R1, pi2);
}

/** ½(regret of π*_{R2} under R1 + regret of π*_{R1} under R2), as in the official analysis notebook. */
export function symmetricRegret(env: TabularEnv, R1: Float64Array, R2: Float64Array): number {
  return 0.5 * (regretOfOptimal(env, R1, R2) + regretOfOptimal(env, R2, R1));
}

/**
 * Discounted state-action occupancy η^π(s,a) = Σ_t γ^t P(S_t=s, A_t=a) under μ₀ (length nS·nA;
 * sums to 1/(1−γ)). J_R(π) = Σ_{s,a} η^π(s,a) r̄(s,a).
 */
export function occupancy(env: TabularEnv, policy: Policy): Float64Array {
  const { nS, nA, gamma } = env;
  const pi = policyMatrix(env, policy);
  const P = policyTransitionMatrix(env, policy);
  // (I − γ P_πᵀ) d = μ₀
  const A = new Float64Array(nS * nS);
  for (let i = 0; i < nS; i++) for (let j = 0; j < nS; j++) A[i * nS + j] = -gamma * P[j * nS + i];
  for (let s = 0; s < nS; s++) A[s * nS + s] += 1;
  const d = solveLinearSystem(A, env.init, nS);
  const eta = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) for (let a = 0; a < nA; a++) eta[s * nA + a] = d[s] * pi[s * nA + a];
  return eta;
}
