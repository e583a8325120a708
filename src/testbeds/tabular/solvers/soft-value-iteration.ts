/**
 * Soft (maximum-entropy) value iteration and optimal advantages.
 *
 * Maximum-entropy RL (Ziebart 2010; Haarnoja et al. 2017), in the notation of Hejna et al.,
 * "Contrastive Preference Learning: Learning from Human Feedback without RL" (ICLR 2024,
 * arXiv:2310.13639, §3.1): the objective is E[Σ_t γ^t (r(s_t,a_t) − α log π(a_t|s_t))], and its optimum
 * satisfies the soft Bellman equations
 *   Q*(s,a) = r̄(s,a) + γ Σ_{s'} τ(s,a,s') V*(s'),      V*(s) = α log Σ_a exp(Q*(s,a)/α),
 *   π*(a|s) = exp((Q*(s,a) − V*(s))/α),                 A*(s,a) = Q*(s,a) − V*(s) = α log π*(a|s)
 * (the last identity is CPL's Eq. 3, the bijection between optimal advantage and optimal policy).
 * The soft backup is a γ-contraction in the sup norm (log-sum-exp is 1-Lipschitz), so iteration
 * stops when ‖V_{k+1} − V_k‖∞ ≤ tol·(1−γ)/γ, which bounds ‖V_{k+1} − V*‖∞ ≤ tol.
 *
 * Terminal states (optional mask): episodes end there, so V*(terminal) = 0 and no action is taken
 * (no entropy is collected after termination). Their policy rows are set to uniform and their
 * advantages to 0; they never enter a preference or a loss.
 */
import { policyMatrix, solveLinearSystem } from './exact';
import type { Policy, TabularEnv } from '../env/mdp';

export interface SoftValueIterationOptions {
  /** Temperature α > 0. */
  alpha: number;
  /** Bound on ‖V − V*‖∞ at termination (absolute; default 1e-10). */
  tol?: number;
  maxIterations?: number;
  /** 1 marks terminal states (V = 0 there). */
  terminal?: Uint8Array;
  /** Warm start. */
  V0?: Float64Array;
}

export interface SoftValueIterationResult {
  V: Float64Array;
  /** Q*(s,a), length nS·nA. */
  Q: Float64Array;
  /** A*(s,a) = Q* − V* = α log π*(a|s) (0 in terminal states). */
  A: Float64Array;
  /** π*(a|s) = exp(A*(s,a)/α) (uniform in terminal states). */
  policy: Float64Array;
  iterations: number;
  residual: number;
  converged: boolean;
}

/** α log Σ_a exp(q_a/α) over one row, computed stably. */
export function softMax(q: ArrayLike<number>, off: number, n: number, alpha: number): number {
  let m = -Infinity;
  for (let a = 0; a < n; a++) if (q[off + a] > m) m = q[off + a];
  if (m === -Infinity) return -Infinity;
  let s = 0;
  for (let a = 0; a < n; a++) s += Math.exp((q[off + a] - m) / alpha);
  return m + alpha * Math.log(s);
}

/** Soft value iteration on an expected reward r̄(s,a) (length nS·nA). */
export function softValueIteration(
  env: TabularEnv,
  rbar: Float64Array,
  opts: SoftValueIterationOptions,
): SoftValueIterationResult {
  const { nS, nA, gamma, T } = env;
  const { rowPtr, col, prob } = T;
  const alpha = opts.alpha;
  if (!(alpha > 0)) throw new RangeError(`softValueIteration: alpha must be positive, got ${alpha}`);
  if (rbar.length !== nS * nA)
    throw new RangeError(
      `softValueIteration: rbar must be the expected reward r̄(s,a) of length nS·nA = ${nS * nA}, got ${rbar.length}`,
    );
  const tol = opts.tol ?? 1e-10;
  const maxIt = opts.maxIterations ?? 1_000_000;
  const term = opts.terminal;
  const stopAt = gamma > 0 ? (tol * (1 - gamma)) / gamma : Infinity;
  let V = opts.V0 ? Float64Array.from(opts.V0) : new Float64Array(nS);
  let Vn = new Float64Array(nS);
  const q = new Float64Array(nA);
  let it = 0;
  let residual = Infinity;
  while (it < maxIt) {
    residual = 0;
    for (let s = 0; s < nS; s++) {
      if (term && term[s]) {
        Vn[s] = 0;
        continue;
      }
      for (let a = 0; a < nA; a++) {
        const r = s * nA + a;
        let acc = 0;
        for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) acc += prob[k] * V[col[k]];
        q[a] = rbar[r] + gamma * acc;
      }
      const v = softMax(q, 0, nA, alpha);
      const d = Math.abs(v - V[s]);
      if (d > residual) residual = d;
      Vn[s] = v;
    }
    const t = V;
    V = Vn;
    Vn = t;
    it++;
    if (residual <= stopAt) break;
  }
  const Q = softQ(env, rbar, V);
  const A = new Float64Array(nS * nA);
  const policy = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    if (term && term[s]) {
      for (let a = 0; a < nA; a++) policy[s * nA + a] = 1 / nA;
      continue;
    }
    const v = softMax(Q, s * nA, nA, alpha); // normalise with the Q actually returned
    for (let a = 0; a < nA; a++) {
      A[s * nA + a] = Q[s * nA + a] - v;
      policy[s * nA + a] = Math.exp(A[s * nA + a] / alpha);
    }
  }
  return { V, Q, A, policy, iterations: it, residual, converged: residual <= stopAt };
}

/** Q(s,a) = r̄(s,a) + γ Σ τ(s,a,s') V(s'). */
export function softQ(env: TabularEnv, rbar: Float64Array, V: Float64Array): Float64Array {
  const { nS, nA, gamma, T } = env;
  const Q = new Float64Array(nS * nA);
  for (let r = 0; r < nS * nA; r++) {
    let acc = 0;
    for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) acc += T.prob[k] * V[T.col[k]];
    Q[r] = rbar[r] + gamma * acc;
  }
  return Q;
}

/**
 * ‖V − 𝒯_soft V‖∞ over non-terminal states (and |V| on terminal ones): the residual of the soft
 * Bellman optimality equation, 0 exactly at the fixed point.
 */
export function softBellmanResidual(
  env: TabularEnv,
  rbar: Float64Array,
  V: Float64Array,
  alpha: number,
  terminal?: Uint8Array,
): number {
  const Q = softQ(env, rbar, V);
  let res = 0;
  for (let s = 0; s < env.nS; s++) {
    const target = terminal && terminal[s] ? 0 : softMax(Q, s * env.nA, env.nA, alpha);
    res = Math.max(res, Math.abs(V[s] - target));
  }
  return res;
}

/**
 * Maximum-entropy value of a stochastic policy: V^π(s) = Σ_a π(a|s)[r̄(s,a) − α log π(a|s) +
 * γ Σ τ V^π(s')], V^π = 0 on terminal states (exact linear solve). α = 0 gives the ordinary value.
 */
export function softPolicyEvaluation(
  env: TabularEnv,
  rbar: Float64Array,
  policy: Policy,
  alpha: number,
  terminal?: Uint8Array,
): Float64Array {
  const { nS, nA, gamma, T } = env;
  const pi = policyMatrix(env, policy);
  const A = new Float64Array(nS * nS);
  const b = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    A[s * nS + s] = 1;
    if (terminal && terminal[s]) continue;
    let rs = 0;
    for (let a = 0; a < nA; a++) {
      const p = pi[s * nA + a];
      if (p <= 0) continue;
      rs += p * (rbar[s * nA + a] - (alpha > 0 ? alpha * Math.log(p) : 0));
      const r = s * nA + a;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) {
        const sp = T.col[k];
        if (terminal && terminal[sp]) continue; // V(terminal) = 0
        A[s * nS + sp] -= gamma * p * T.prob[k];
      }
    }
    b[s] = rs;
  }
  return solveLinearSystem(A, b, nS);
}

/** E_{s∼μ₀}[V^π_soft(s)]. */
export function softPolicyReturn(
  env: TabularEnv,
  rbar: Float64Array,
  policy: Policy,
  alpha: number,
  terminal?: Uint8Array,
): number {
  const V = softPolicyEvaluation(env, rbar, policy, alpha, terminal);
  let j = 0;
  for (let s = 0; s < env.nS; s++) j += env.init[s] * V[s];
  return j;
}
