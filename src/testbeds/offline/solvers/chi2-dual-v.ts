/**
 * The χ² dual-V program of distribution-matching RL/IL on an empirical MDP (Sikchi, Zheng, Zhang & Niekum, "Dual RL:
 * Unification and New Methods for Reinforcement and Imitation Learning", ICLR 2024, arXiv:2302.08560, §3 "dual-V":
 * the Lagrangian dual of a convex program over visitation distributions under the Bellman-flow constraints), solved
 * exactly on Float64Array by damped (semismooth) Newton.
 *
 * Primal, over d(k) ≥ 0 on the supported pairs k = (s_k, a_k) of an empirical MDP (data/imitation.ts):
 *   min_d  Σ_k e_k f((β d_k + c_k) / e_k) − Σ_k d_k R_k
 *   s.t.   Σ_a d(s, a) = (1 − γ) μ̂₀(s) + γ Σ_k P̂(s | k) d_k   for every state s                   (Bellman flow)
 * with f(x) = (x − 1)² (Pearson χ²), weights e_k > 0, offsets 0 ≤ c_k ≤ e_k, scale β > 0 and rewards R_k.
 *   ReCOIL:   e = β d^E + (1 − β) d^S, c = (1 − β) d^S, R = 0  (matches β d + (1−β) d^S to β d^E + (1−β) d^S)
 *   SMODICE:  e = d^O, c = 0, β = 1, R = log(d^E(s) / d^O(s))     (reward-weighted χ² regularisation to the data)
 * Dual (multipliers V(s) of the flow constraints, y_k(V) = γ P̂V(k) − V(s_k)): the minimiser over V of
 *   h(V) = −(1 − γ) μ̂₀·V + Σ_k [e_k φ_{x₀k}(t_k) − c_k t_k],  t_k = (R_k − y_k) / β,
 *   φ_{x₀}(t) = max_{x ≥ x₀} [t x − f(x)] = t x* − (x* − 1)²,  x* = max(x₀, 1 + t/2),  x₀k = c_k / e_k,
 * (the constraint d ≥ 0 is x ≥ c/e; for c = 0 this is the paper's f*_p, the conjugate restricted to x ≥ 0). The
 * primal optimum is recovered as d_k = (e_k x*_k − c_k) / β; ∇h(V) is the flow residual of that d (so ∇h = 0 is
 * feasibility), and min h = −(primal optimum) (strong duality; tested against HiGHS on the primal QP).
 */
import { solveLinearSystem } from '../../tabular/solvers/exact';
import type { EmpiricalMdp } from '../data/imitation';

export interface Chi2DualProblem {
  readonly mdp: EmpiricalMdp;
  /** e_k > 0 (length nPairs). */
  readonly e: Float64Array;
  /** c_k ∈ [0, e_k] (length nPairs). */
  readonly c: Float64Array;
  /** R_k (length nPairs). */
  readonly R: Float64Array;
  readonly beta: number;
}

export interface Chi2DualSolution {
  /** V (length nS; 0 at states that enter no term). */
  V: Float64Array;
  /** Recovered primal d_k ≥ 0 (length nPairs). */
  d: Float64Array;
  /** min h = −(primal optimum). */
  dualValue: number;
  /** Σ_k e_k f((β d_k + c_k)/e_k) − Σ_k d_k R_k at the recovered d. */
  primalValue: number;
  /** max_s |flow residual| of d (= ‖∇h‖∞). */
  flowResidual: number;
  iterations: number;
}

function check(p: Chi2DualProblem): void {
  const n = p.mdp.nPairs;
  if (p.e.length !== n || p.c.length !== n || p.R.length !== n)
    throw new RangeError(`chi2DualV: e, c and R must have one entry per supported pair (${n})`);
  if (!(p.beta > 0)) throw new RangeError(`chi2DualV: beta must be > 0, got ${p.beta}`);
  for (let k = 0; k < n; k++)
    if (!(p.e[k] > 0 && p.c[k] >= 0 && p.c[k] <= p.e[k]))
      throw new RangeError(`chi2DualV: pair ${k} needs e > 0 and 0 ≤ c ≤ e, got e=${p.e[k]}, c=${p.c[k]}`);
}

/** y_k(V) = γ Σ P̂(s'|k) V(s') − V(s_k). */
function bellmanGap(mdp: EmpiricalMdp, V: Float64Array, k: number): number {
  let acc = 0;
  for (let j = mdp.succPtr[k]; j < mdp.succPtr[k + 1]; j++) acc += mdp.prob[j] * V[mdp.succ[j]];
  return mdp.gamma * acc - V[mdp.pairState[k]];
}

/** h(V), and optionally its gradient, the recovered d and the Hessian of the active pieces. */
function evaluate(
  p: Chi2DualProblem,
  V: Float64Array,
  want?: { grad: Float64Array; d: Float64Array; H?: Float64Array },
): number {
  const { mdp, e, c, R, beta } = p;
  const { nS, gamma } = mdp;
  let h = 0;
  for (let s = 0; s < nS; s++) h -= (1 - gamma) * mdp.init[s] * V[s];
  if (want) {
    for (let s = 0; s < nS; s++) want.grad[s] = -(1 - gamma) * mdp.init[s];
    want.H?.fill(0);
  }
  for (let k = 0; k < mdp.nPairs; k++) {
    const y = bellmanGap(mdp, V, k);
    const t = (R[k] - y) / beta;
    const x0 = c[k] / e[k];
    const free = 1 + t / 2;
    const x = free > x0 ? free : x0;
    h += e[k] * (t * x - (x - 1) * (x - 1)) - c[k] * t;
    if (!want) continue;
    // ∂h/∂y_k = −e_k x*/β + c_k/β = −d_k; ∂y_k/∂V = γ P̂(·|k) − 1_{s_k}.
    const dk = (e[k] * x - c[k]) / beta;
    want.d[k] = dk;
    const s = mdp.pairState[k];
    want.grad[s] += dk;
    for (let j = mdp.succPtr[k]; j < mdp.succPtr[k + 1]; j++) want.grad[mdp.succ[j]] -= dk * gamma * mdp.prob[j];
    if (want.H && free > x0) {
      // ∂²h/∂y_k² = e_k φ''/β² with φ'' = ½ on the free piece.
      const w = e[k] / (2 * beta * beta);
      const H = want.H;
      const idx: number[] = [s],
        val: number[] = [-1];
      for (let j = mdp.succPtr[k]; j < mdp.succPtr[k + 1]; j++) {
        idx.push(mdp.succ[j]);
        val.push(gamma * mdp.prob[j]);
      }
      for (let u = 0; u < idx.length; u++)
        for (let v = 0; v < idx.length; v++) H[idx[u] * nS + idx[v]] += w * val[u] * val[v];
    }
  }
  return h;
}

/** The primal objective Σ_k e_k f((β d_k + c_k)/e_k) − Σ_k d_k R_k of any d (length nPairs). */
export function chi2PrimalObjective(p: Chi2DualProblem, d: Float64Array): number {
  let v = 0;
  for (let k = 0; k < p.mdp.nPairs; k++) {
    const x = (p.beta * d[k] + p.c[k]) / p.e[k];
    v += p.e[k] * (x - 1) * (x - 1) - d[k] * p.R[k];
  }
  return v;
}

/** Flow residual of d: Σ_a d(s,a) − (1−γ)μ̂₀(s) − γ Σ_k P̂(s|k) d_k per state (length nS). */
export function dualFlowResidual(mdp: EmpiricalMdp, d: Float64Array): Float64Array {
  const res = new Float64Array(mdp.nS);
  for (let s = 0; s < mdp.nS; s++) res[s] = -(1 - mdp.gamma) * mdp.init[s];
  for (let k = 0; k < mdp.nPairs; k++) {
    res[mdp.pairState[k]] += d[k];
    for (let j = mdp.succPtr[k]; j < mdp.succPtr[k + 1]; j++) res[mdp.succ[j]] -= mdp.gamma * mdp.prob[j] * d[k];
  }
  return res;
}

export interface Chi2DualOptions {
  /** Stop when ‖∇h‖∞ (the flow residual) ≤ tol (default 1e-11). */
  tol?: number;
  /** Newton iterations at most (default 500); throws then. */
  maxIterations?: number;
}

/** Minimise h(V) by damped Newton (Levenberg-regularised direction, Armijo backtracking) from V = 0. */
export function solveChi2DualV(p: Chi2DualProblem, opts: Chi2DualOptions = {}): Chi2DualSolution {
  check(p);
  const tol = opts.tol ?? 1e-11;
  const maxIterations = opts.maxIterations ?? 500;
  const { nS } = p.mdp;
  let V = new Float64Array(nS);
  const grad = new Float64Array(nS);
  const d = new Float64Array(p.mdp.nPairs);
  const H = new Float64Array(nS * nS);
  let h = evaluate(p, V, { grad, d, H });
  let it = 0;
  for (; it < maxIterations; it++) {
    let gmax = 0,
      hmax = 0;
    for (let s = 0; s < nS; s++) {
      gmax = Math.max(gmax, Math.abs(grad[s]));
      hmax = Math.max(hmax, H[s * nS + s]);
    }
    if (gmax <= tol) break;
    const mu = 1e-10 * (1 + hmax) + Math.min(1e-3 * hmax, gmax);
    const A = Float64Array.from(H);
    for (let s = 0; s < nS; s++) A[s * nS + s] += mu;
    const step = solveLinearSystem(A, grad, nS);
    let slope = 0;
    for (let s = 0; s < nS; s++) slope -= grad[s] * step[s];
    let t = 1;
    let Vn = new Float64Array(nS);
    let hn = Infinity;
    for (let ls = 0; ls < 60; ls++, t /= 2) {
      for (let s = 0; s < nS; s++) Vn[s] = V[s] - t * step[s];
      hn = evaluate(p, Vn);
      if (hn <= h + 1e-4 * t * slope + 1e-15 * Math.abs(h)) break;
    }
    if (!(hn <= h + 1e-12 * (1 + Math.abs(h)))) {
      // No descent along the Newton direction (rounding): fall back to a small gradient step.
      Vn = Float64Array.from(V, (v, s) => v - grad[s] / (1 + hmax));
      hn = evaluate(p, Vn);
      if (!(hn <= h)) break;
    }
    V = Vn;
    h = evaluate(p, V, { grad, d, H });
  }
  let res = 0;
  const r = dualFlowResidual(p.mdp, d);
  for (let s = 0; s < nS; s++) res = Math.max(res, Math.abs(r[s]));
  if (!(res <= Math.max(tol, 1e-8)))
    throw new RangeError(
      `solveChi2DualV: flow residual ${res.toExponential(2)} after ${it} Newton steps (tol ${tol}); the primal ` +
        `may be infeasible (is every data state reachable only through pairs with data?) — raise maxIterations`,
    );
  return { V, d, dualValue: h, primalValue: chi2PrimalObjective(p, d), flowResidual: res, iterations: it };
}

/** A visitation distribution over pairs as a policy π(a|s) ∝ d(s, a) (weights length nS·nA, 0 at other pairs). */
export function pairWeights(mdp: EmpiricalMdp, d: Float64Array): Float64Array {
  const w = new Float64Array(mdp.nS * mdp.nA);
  for (let k = 0; k < mdp.nPairs; k++) w[mdp.pairState[k] * mdp.nA + mdp.pairAction[k]] = Math.max(0, d[k]);
  return w;
}

/**
 * The primal as a CPLEX-LP-format quadratic program for an independent solve by HiGHS, in scaled variables
 * z_k = d_k / σ with σ = (1 − γ) max_s μ̂₀(s) (so the right-hand sides are O(1); HiGHS's tolerances are absolute), one
 * equality row per state that has pairs or inflow, z ≥ 0, and the objective divided by σ with its constant
 * Σ_k (c_k − e_k)²/e_k left out: the primal optimum is σ · (HiGHS objective) + `chi2PrimalConstant(p)`, and
 * d_k = σ · z_k.
 */
export function chi2PrimalQp(p: Chi2DualProblem): { model: string; sigma: number } {
  const { mdp, e, c, R, beta } = p;
  const { nS, gamma } = mdp;
  let mu = 0;
  for (let s = 0; s < nS; s++) mu = Math.max(mu, mdp.init[s]);
  const sigma = (1 - gamma) * mu;
  const num = (x: number): string => (x >= 0 ? `+ ${x.toPrecision(17)}` : `- ${(-x).toPrecision(17)}`);
  // e f((βd + c)/e) = (β²/e) d² + 2β(c − e)/e · d + const; with d = σz and divided by σ: (β²σ/e) z² + (…) z.
  const lin: string[] = [],
    quad: string[] = [];
  for (let k = 0; k < mdp.nPairs; k++) {
    lin.push(`${num((2 * beta * (c[k] - e[k])) / e[k] - R[k])} z${k}`);
    quad.push(`${num((2 * beta * beta * sigma) / e[k])} z${k} ^ 2`);
  }
  const rows: string[][] = Array.from({ length: nS }, () => []);
  const coef = new Map<string, number>();
  for (let k = 0; k < mdp.nPairs; k++) {
    const add = (s: number, v: number): void => {
      const key = `${s}:${k}`;
      coef.set(key, (coef.get(key) ?? 0) + v);
    };
    add(mdp.pairState[k], 1);
    for (let j = mdp.succPtr[k]; j < mdp.succPtr[k + 1]; j++) add(mdp.succ[j], -gamma * mdp.prob[j]);
  }
  for (const [key, v] of coef) {
    const [s, k] = key.split(':').map(Number);
    rows[s].push(`${num(v)} z${k}`);
  }
  // One term per line (the LP format limits line length).
  const lines = ['Minimize', ' obj:', ...lin.map((t) => `  ${t}`), '  + [', ...quad.map((t) => `  ${t}`), '  ] / 2'];
  lines.push('Subject To');
  for (let s = 0; s < nS; s++) {
    if (rows[s].length === 0) continue;
    lines.push(
      ` flow${s}:`,
      ...rows[s].map((t) => `  ${t}`),
      `  = ${(((1 - gamma) * mdp.init[s]) / sigma).toPrecision(17)}`,
    );
  }
  lines.push('Bounds');
  for (let k = 0; k < mdp.nPairs; k++) lines.push(` z${k} >= 0`);
  lines.push('End');
  return { model: lines.join('\n'), sigma };
}

/** The constant Σ_k (c_k − e_k)² / e_k left out of `chi2PrimalQp`'s objective. */
export function chi2PrimalConstant(p: Chi2DualProblem): number {
  let v = 0;
  for (let k = 0; k < p.mdp.nPairs; k++) v += (p.c[k] - p.e[k]) ** 2 / p.e[k];
  return v;
}
