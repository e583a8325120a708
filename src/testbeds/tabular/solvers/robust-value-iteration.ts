/**
 * Exact robust dynamic programming for total-variation (TV) uncertainty sets.
 *
 * TV distance: D_TV(q, p) = ½‖q − p‖₁. The TV ball of radius ρ around p ∈ Δ(S) is B_ρ(p) = {q ∈ Δ(S) :
 * D_TV(q, p) ≤ ρ}; mass may move to any state of S (not only the support of p).
 *
 * Inner problem. For a value vector V, inf_{q ∈ B_ρ(p)} ⟨q, V⟩ is a linear program over a polytope, solved in
 * closed form by moving δ = min(ρ, 1 − p(s⋆)) of probability onto s⋆ ∈ argmin V, taken from the states with
 * the highest V first (`tvWorstCase`). Its dual (Liu & Xu, AISTATS 2024, arXiv:2402.15399, Prop. for TV;
 * also Shi et al. 2023) is
 *   inf_{q ∈ B_ρ(p)} ⟨q, V⟩ = max_{α ∈ [min V, max V]} { E_p[min(V, α)] − ρ (α − min_s V(s)) }
 * (`tvWorstCaseDual`); the tests check both against an LP solved by HiGHS and against the ball's vertices.
 *
 * Rectangularity.
 * - (s, a)-rectangular (Iyengar 2005; Nilim & El Ghaoui 2005): each row P(· | s, a) is perturbed within its own
 *   TV ball, Q_h(s, a) = r_h(s, a) + inf_{q ∈ B_ρ(P_h(·|s,a))} ⟨q, V_{h+1}⟩.
 * - d-rectangular (Ma et al. 2022, arXiv:2209.06620; Liu & Xu 2024): in a linear MDP P_h(·|s,a) =
 *   Σ_i φ_i(s, a) μ_{h,i}, each factor μ_{h,i} is perturbed within its own TV ball, shared by all (s, a):
 *   Q_h(s, a) = r_h(s, a) + Σ_i φ_i(s, a) inf_{ν ∈ B_ρ(μ_{h,i})} ⟨ν, V_{h+1}⟩.
 *   With one-hot features the two coincide.
 * In both cases the adversary's problem decomposes over rows / factors, so backward induction with the inner
 * closed form is exact (robust dynamic programming), for the optimal value and for a fixed policy.
 *
 * Episodic arrays use the layout of ../env/finite-horizon: Q and π as [h·nS·nA + s·nA + a], V as [h·nS + s].
 * ρ = 0 recovers the standard Bellman equations.
 */
import type { FiniteHorizonMdp } from '../env/finite-horizon';
import { linearRewards, type LinearMdp } from '../env/linear-mdp';

/** Indices 0 … n−1 sorted by V descending (ties by index), the order in which the adversary removes mass. */
export function descendingOrder(V: ArrayLike<number>, from = 0, n = V.length - from): Int32Array {
  const idx = Array.from({ length: n }, (_, k) => k);
  idx.sort((x, y) => V[from + y] - V[from + x] || x - y);
  return Int32Array.from(idx);
}

function checkRadius(rho: number): void {
  if (!(rho >= 0) || !Number.isFinite(rho)) throw new RangeError(`TV radius ρ must be finite and ≥ 0, got ${rho}`);
}

/**
 * inf_{q ∈ B_ρ(p)} ⟨q, V⟩ by the closed form, with p = p[pOff … pOff+n) and V = V[vOff … vOff+n); `order` is
 * `descendingOrder(V)` (so its last entry is an argmin). When `q` is given, the minimiser is written to
 * q[0 … n). Allocation-free, for inner loops.
 */
export function tvWorstCaseInto(
  p: ArrayLike<number>,
  pOff: number,
  V: ArrayLike<number>,
  vOff: number,
  order: Int32Array,
  rho: number,
  q?: Float64Array,
): number {
  const n = order.length;
  const sMin = order[n - 1];
  const vMin = V[vOff + sMin];
  let value = 0;
  for (let s = 0; s < n; s++) value += p[pOff + s] * V[vOff + s];
  let budget = Math.min(rho, 1 - p[pOff + sMin]);
  if (q) for (let s = 0; s < n; s++) q[s] = p[pOff + s];
  for (let k = 0; k < n - 1 && budget > 0; k++) {
    const s = order[k];
    const take = Math.min(budget, p[pOff + s]);
    if (take <= 0) continue;
    value -= take * (V[vOff + s] - vMin);
    budget -= take;
    if (q) {
      q[s] -= take;
      q[sMin] += take;
    }
  }
  return value;
}

export interface TvWorstCase {
  /** inf_{q ∈ B_ρ(p)} ⟨q, V⟩. */
  readonly value: number;
  /** A minimiser q⋆ ∈ B_ρ(p). */
  readonly q: Float64Array;
}

/** The worst case of ⟨q, V⟩ over the TV ball B_ρ(p) (closed form; see the module comment). */
export function tvWorstCase(p: ArrayLike<number>, V: ArrayLike<number>, rho: number): TvWorstCase {
  checkRadius(rho);
  if (p.length !== V.length) throw new RangeError(`tvWorstCase: p has ${p.length} entries, V has ${V.length}`);
  const q = new Float64Array(p.length);
  const value = tvWorstCaseInto(p, 0, V, 0, descendingOrder(V), rho, q);
  return { value, q };
}

/**
 * The dual form max_{α ∈ [min V, max V]} { E_p[min(V, α)] − ρ(α − min V) } (Liu & Xu 2024). The objective is
 * concave and piecewise linear in α with kinks at the values of V, so the maximum is attained at one of them.
 */
export function tvWorstCaseDual(p: ArrayLike<number>, V: ArrayLike<number>, rho: number): number {
  checkRadius(rho);
  let vMin = Infinity;
  for (let s = 0; s < V.length; s++) vMin = Math.min(vMin, V[s]);
  let best = -Infinity;
  for (let k = 0; k < V.length; k++) {
    const alpha = V[k];
    let e = 0;
    for (let s = 0; s < V.length; s++) e += p[s] * Math.min(V[s], alpha);
    best = Math.max(best, e - rho * (alpha - vMin));
  }
  return best;
}

/** State values V[s] = Σ_a π(a|s) Q(s, a) (π given) or max_a Q(s, a) (π null), from time slice `off`. */
function stateValuesInto(
  Q: Float64Array,
  off: number,
  nS: number,
  nA: number,
  pi: Float64Array | null,
  out: Float64Array,
  outOff: number,
): void {
  for (let s = 0; s < nS; s++) {
    let v = pi ? 0 : -Infinity;
    for (let a = 0; a < nA; a++) {
      const x = Q[off + s * nA + a];
      if (pi) v += pi[off + s * nA + a] * x;
      else if (x > v) v = x;
    }
    out[outOff + s] = v;
  }
}

export interface RobustSolution {
  /** Robust Q, layout [h·nS·nA + s·nA + a]. */
  readonly Q: Float64Array;
  /** Robust V, layout [h·nS + s]; V_H ≡ 0 is not stored. */
  readonly V: Float64Array;
  /** Σ_s init(s) V_0(s). */
  readonly value: number;
  /**
   * The adversary's kernels: worst[h·nS·nA·nS + (s·nA + a)·nS + s'] — the minimising rows for (s, a)-rectangular
   * sets, the kernel Σ_i φ_i(s, a) ν⋆_{h,i} for d-rectangular sets. Evaluating the same policy under them by the
   * ordinary Bellman equations returns V (a check).
   */
  readonly worst: Float64Array;
}

/**
 * Robust backward induction for the (s, a)-rectangular TV set around the rows of a tabular finite-horizon MDP.
 * π = null: the robust optimal values (max over actions); π given ([h·nS·nA + s·nA + a], rows sum to 1): the
 * robust values of that policy.
 */
export function robustSaRectangular(m: FiniteHorizonMdp, rho: number, pi: Float64Array | null = null): RobustSolution {
  checkRadius(rho);
  const { nS, nA, T: H, P, r } = m;
  const Q = new Float64Array(H * nS * nA);
  const V = new Float64Array(H * nS);
  const worst = new Float64Array(H * nS * nA * nS);
  const q = new Float64Array(nS);
  const zero = new Float64Array(nS);
  for (let h = H - 1; h >= 0; h--) {
    const next = h + 1 < H ? V.subarray((h + 1) * nS, (h + 2) * nS) : zero;
    const order = descendingOrder(next);
    for (let sa = 0; sa < nS * nA; sa++) {
      Q[h * nS * nA + sa] = r[sa] + tvWorstCaseInto(P, sa * nS, next, 0, order, rho, q);
      worst.set(q, h * nS * nA * nS + sa * nS);
    }
    stateValuesInto(Q, h * nS * nA, nS, nA, pi, V, h * nS);
  }
  let value = 0;
  for (let s = 0; s < nS; s++) value += m.init[s] * V[s];
  return { Q, V, value, worst };
}

/**
 * Robust backward induction for the d-rectangular TV set of a linear MDP (module comment). π as in
 * `robustSaRectangular`. Also returns the adversary's factors ν⋆ (layout of m.mu).
 */
export function robustDRectangular(
  m: LinearMdp,
  rho: number,
  pi: Float64Array | null = null,
): RobustSolution & { readonly worstFactors: Float64Array } {
  checkRadius(rho);
  const { nS, nA, d, H, phi, mu } = m;
  const r = linearRewards(m);
  const Q = new Float64Array(H * nS * nA);
  const V = new Float64Array(H * nS);
  const worst = new Float64Array(H * nS * nA * nS);
  const worstFactors = new Float64Array(H * d * nS);
  const inner = new Float64Array(d);
  const q = new Float64Array(nS);
  const zero = new Float64Array(nS);
  for (let h = H - 1; h >= 0; h--) {
    const next = h + 1 < H ? V.subarray((h + 1) * nS, (h + 2) * nS) : zero;
    const order = descendingOrder(next);
    for (let i = 0; i < d; i++) {
      inner[i] = tvWorstCaseInto(mu, (h * d + i) * nS, next, 0, order, rho, q);
      worstFactors.set(q, (h * d + i) * nS);
    }
    for (let sa = 0; sa < nS * nA; sa++) {
      let v = r[h * nS * nA + sa];
      for (let i = 0; i < d; i++) {
        const w = phi[sa * d + i];
        if (w === 0) continue;
        v += w * inner[i];
        const src = (h * d + i) * nS;
        const dst = h * nS * nA * nS + sa * nS;
        for (let sp = 0; sp < nS; sp++) worst[dst + sp] += w * worstFactors[src + sp];
      }
      Q[h * nS * nA + sa] = v;
    }
    stateValuesInto(Q, h * nS * nA, nS, nA, pi, V, h * nS);
  }
  let value = 0;
  for (let s = 0; s < nS; s++) value += m.init[s] * V[s];
  return { Q, V, value, worst, worstFactors };
}

/**
 * Ordinary (non-robust) evaluation of a time-indexed policy under time-dependent kernels
 * kernels[h·nS·nA·nS + (s·nA + a)·nS + s'] and rewards r[h·nS·nA + s·nA + a]; returns Σ_s init(s) V_0(s).
 * Used to evaluate learned policies under perturbed test dynamics and to check `worst`.
 */
export function evaluateUnderKernels(
  nS: number,
  nA: number,
  H: number,
  kernels: Float64Array,
  r: Float64Array,
  init: Float64Array,
  pi: Float64Array,
): number {
  let next = new Float64Array(nS);
  for (let h = H - 1; h >= 0; h--) {
    const cur = new Float64Array(nS);
    for (let s = 0; s < nS; s++) {
      let v = 0;
      for (let a = 0; a < nA; a++) {
        const w = pi[h * nS * nA + s * nA + a];
        if (w === 0) continue;
        const sa = s * nA + a;
        let q = r[h * nS * nA + sa];
        const base = h * nS * nA * nS + sa * nS;
        for (let sp = 0; sp < nS; sp++) q += kernels[base + sp] * next[sp];
        v += w * q;
      }
      cur[s] = v;
    }
    next = cur;
  }
  let value = 0;
  for (let s = 0; s < nS; s++) value += init[s] * next[s];
  return value;
}

/** The greedy deterministic time-indexed policy of Q as a one-hot Float64Array (ties → lowest action). */
export function greedyOneHot(Q: Float64Array, nS: number, nA: number, H: number): Float64Array {
  const pi = new Float64Array(H * nS * nA);
  for (let h = 0; h < H; h++)
    for (let s = 0; s < nS; s++) {
      const off = h * nS * nA + s * nA;
      let best = 0;
      for (let a = 1; a < nA; a++) if (Q[off + a] > Q[off + best]) best = a;
      pi[off + best] = 1;
    }
  return pi;
}

/** A discounted tabular model for the robust Bellman operator: dense P[(s·nA + a)·nS + s'], r[s·nA + a]. */
export interface DiscountedModel {
  readonly nS: number;
  readonly nA: number;
  readonly P: Float64Array;
  readonly r: Float64Array;
  readonly gamma: number;
}

/** (T_ρ V)(s) = max_a { r(s, a) + γ inf_{q ∈ B_ρ(P(·|s,a))} ⟨q, V⟩ } — a γ-contraction in ‖·‖∞. */
export function robustBellmanOptimality(m: DiscountedModel, rho: number, V: Float64Array): Float64Array {
  checkRadius(rho);
  const { nS, nA, P, r, gamma } = m;
  const order = descendingOrder(V);
  const out = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    let best = -Infinity;
    for (let a = 0; a < nA; a++) {
      const sa = s * nA + a;
      best = Math.max(best, r[sa] + gamma * tvWorstCaseInto(P, sa * nS, V, 0, order, rho));
    }
    out[s] = best;
  }
  return out;
}

/** Robust value iteration V ← T_ρ V from V = 0 until ‖ΔV‖∞ ≤ tol (at most maxIter sweeps). */
export function robustValueIteration(
  m: DiscountedModel,
  rho: number,
  tol = 1e-12,
  maxIter = 100_000,
): { V: Float64Array; iterations: number } {
  let V = new Float64Array(m.nS);
  for (let it = 1; it <= maxIter; it++) {
    const W = robustBellmanOptimality(m, rho, V);
    let diff = 0;
    for (let s = 0; s < m.nS; s++) diff = Math.max(diff, Math.abs(W[s] - V[s]));
    V = W;
    if (diff <= tol) return { V, iterations: it };
  }
  throw new Error(`robustValueIteration: no convergence to ${tol} in ${maxIter} sweeps (γ = ${m.gamma})`);
}
