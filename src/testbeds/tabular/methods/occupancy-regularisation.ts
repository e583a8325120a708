/**
 * Policy optimisation regularised toward a base (reference) policy, solved exactly on a tabular
 * discounted MDP. Setting: Laidlaw, Singhal & Dragan, "Correlated Proxies: A New Definition and
 * Improved Mitigation for Reward Hacking" (ICLR 2025, arXiv:2403.03185).
 *
 * Notation. μ_π(s,a) = (1−γ) Σ_t γ^t P(S_t=s, A_t=a) is the normalised occupancy measure (Σ μ = 1),
 * J(π, R) = E_{(s,a)∼μ_π}[R(s,a)] the normalised return, ν = μ_{π_base}. The occupancy polytope is
 *   { μ ≥ 0 : Σ_a μ(s',a) = (1−γ) μ₀(s') + γ Σ_{s,a} τ(s'|s,a) μ(s,a) ∀s' }
 * and stationary policies map one-to-one onto it (π(a|s) = μ(s,a) / Σ_b μ(s,b)).
 *
 * Regularised objectives (all concave; each solved to machine precision):
 *   χ² occupancy (the paper's proposal, its §5):  max_μ ⟨μ, r⟩ − λ √χ²(μ‖ν),   χ²(μ‖ν) = Σ μ²/ν − 1
 *   KL occupancy (ablation):                      max_μ ⟨μ, r⟩ − λ KL(μ‖ν)
 *   action-distribution KL (RLHF practice):       max_π J(π, r) − λ E_{s∼μ_π}[KL(π(·|s) ‖ π_base(·|s))]
 *
 * Method. For the occupancy-space problems we minimise the Lagrange dual over the flow multipliers
 * V ∈ ℝ^S (Newton's method with a backtracking line search). Writing the advantage of V as
 * A_V(s,a) = r(s,a) + γ Σ τ(s'|s,a) V(s') − V(s):
 *   quadratic χ² (penalty (κ/2) Σ μ²/ν):  μ = ν [A_V]₊ / κ,       g(V) = (1−γ)⟨μ₀,V⟩ + (1/2κ) Σ ν [A_V]₊²
 *   KL:                                    μ = ν exp(A_V/λ − 1),   g(V) = (1−γ)⟨μ₀,V⟩ + λ Σ ν exp(A_V/λ − 1)
 * (∇g is the flow residual, so convergence means μ is feasible.) The √χ² problem and the quadratic
 * one share their solution path: μ⋆_√(λ) = μ⋆_quad(κ) with λ = κ √χ²(μ⋆_quad(κ)), which increases
 * with κ toward λ_base = lim_{κ→∞} κ √χ²; for λ ≥ λ_base the optimum is the base occupancy ν itself
 * (`chi2BaseThreshold`; note λ_base ≤ σ_ν(r) by Cauchy–Schwarz). We find κ by bisection on log κ.
 * The action-KL problem is soft value iteration with the base policy as prior:
 *   Q = r + γτV,  V(s) = λ log Σ_a π_base(a|s) exp(Q(s,a)/λ),  π(a|s) ∝ π_base(a|s) exp(Q(s,a)/λ).
 *
 * First-order optimality (used by the tests): μ⋆ maximises the concave F over the polytope iff μ⋆ is
 * an optimal occupancy for the linearised reward ∇F(μ⋆), e.g. r − λ μ⋆/(ν √χ²(μ⋆‖ν)) for √χ².
 */

import type { TabularEnv } from '../env/mdp';
import { expectedReward, occupancy, policyEvaluation, solveLinearSystem, valueIteration } from '../solvers/exact';

// ---------------------------------------------------------------------------------------------
// Occupancy measures and divergences
// ---------------------------------------------------------------------------------------------

/** Normalised discounted occupancy μ_π = (1−γ) η^π (Σ μ = 1), by a linear solve. */
export function normalisedOccupancy(env: TabularEnv, pi: Float64Array): Float64Array {
  const eta = occupancy(env, pi);
  const out = new Float64Array(eta.length);
  for (let i = 0; i < eta.length; i++) out[i] = (1 - env.gamma) * eta[i];
  return out;
}

/** J(π, r) = ⟨μ, r̄⟩ for a normalised occupancy μ. */
export function occupancyReturn(mu: Float64Array, rbar: Float64Array): number {
  let J = 0;
  for (let i = 0; i < mu.length; i++) J += mu[i] * rbar[i];
  return J;
}

/** χ²(μ‖ν) = Σ (μ−ν)²/ν (= Σ μ²/ν − 1 for distributions); Infinity if μ has mass where ν has none. */
export function chiSquared(mu: Float64Array, nu: Float64Array): number {
  let c = 0;
  for (let i = 0; i < mu.length; i++) {
    const d = mu[i] - nu[i];
    if (nu[i] > 0) c += (d * d) / nu[i];
    else if (mu[i] > 1e-15) return Infinity;
  }
  return c;
}

/** KL(μ‖ν) = Σ μ log(μ/ν); Infinity if μ has mass where ν has none. */
export function klDivergence(mu: Float64Array, nu: Float64Array): number {
  let k = 0;
  for (let i = 0; i < mu.length; i++) {
    if (mu[i] <= 0) continue;
    if (!(nu[i] > 0)) return Infinity;
    k += mu[i] * Math.log(mu[i] / nu[i]);
  }
  return Math.max(0, k);
}

/** E_{s∼μ}[KL(π(·|s) ‖ π_base(·|s))] with μ the normalised occupancy of π. */
export function actionKl(
  env: { nS: number; nA: number },
  mu: Float64Array,
  pi: Float64Array,
  piBase: Float64Array,
): number {
  const { nS, nA } = env;
  let k = 0;
  for (let s = 0; s < nS; s++) {
    let d = 0;
    for (let a = 0; a < nA; a++) d += mu[s * nA + a];
    if (d === 0) continue;
    let kl = 0;
    for (let a = 0; a < nA; a++) {
      const p = pi[s * nA + a];
      if (p <= 0) continue;
      const q = piBase[s * nA + a];
      if (!(q > 0)) return Infinity;
      kl += p * Math.log(p / q);
    }
    k += d * kl;
  }
  return Math.max(0, k);
}

/** π(a|s) = μ(s,a) / Σ_b μ(s,b); states without occupancy get `fallback`'s row (default uniform). */
export function policyFromOccupancy(
  env: { nS: number; nA: number },
  mu: Float64Array,
  fallback?: Float64Array,
): Float64Array {
  const { nS, nA } = env;
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let d = 0;
    for (let a = 0; a < nA; a++) d += Math.max(0, mu[s * nA + a]);
    for (let a = 0; a < nA; a++) {
      pi[s * nA + a] = d > 1e-300 ? Math.max(0, mu[s * nA + a]) / d : fallback ? fallback[s * nA + a] : 1 / nA;
    }
  }
  return pi;
}

/** Flow residual of μ: (1−γ)μ₀(s') + γ Σ τ(s'|s,a) μ(s,a) − Σ_a μ(s',a), per state. */
export function flowResidual(env: TabularEnv, mu: Float64Array): Float64Array {
  const { nS, nA, T, gamma } = env;
  const res = new Float64Array(nS);
  for (let s = 0; s < nS; s++) res[s] = (1 - gamma) * env.init[s];
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const m = mu[s * nA + a];
      res[s] -= m;
      if (m === 0) continue;
      const r = s * nA + a;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) res[T.col[k]] += gamma * T.prob[k] * m;
    }
  }
  return res;
}

// ---------------------------------------------------------------------------------------------
// Dual Newton solver
// ---------------------------------------------------------------------------------------------

/**
 * The base policy's advantage A_ref(s,a) = r̄(s,a) + γ Σ τ V_ref − V_ref(s), with V_ref its
 * (unnormalised) value. The duals below are written in W = V − V_ref (+ a constant), which keeps
 * them well scaled: A_V = A_ref + c + γτW − W.
 */
function baseAdvantage(
  env: TabularEnv,
  rbar: Float64Array,
  piBase: Float64Array,
): { A: Float64Array; Vref: Float64Array } {
  const { nS, nA, T, gamma } = env;
  const Vref = policyEvaluation(env, rbar, piBase);
  const A = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      let acc = 0;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) acc += T.prob[k] * Vref[T.col[k]];
      A[r] = rbar[r] + gamma * acc - Vref[s];
    }
  }
  return { A, Vref };
}

/** z(s,a) = A0(s,a) + c + γ Σ τ W − W(s). */
function shiftedAdvantage(env: TabularEnv, A0: Float64Array, c: number, W: Float64Array, out: Float64Array): void {
  const { nS, nA, T, gamma } = env;
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      let acc = 0;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) acc += T.prob[k] * W[T.col[k]];
      out[r] = A0[r] + c + gamma * acc - W[s];
    }
  }
}

interface DualProblem {
  /** Fill μ(s,a) and the per-(s,a) Hessian weight h(s,a) (∂μ/∂z) from z; return Σ of the dual's non-linear part. */
  primal(z: Float64Array, mu: Float64Array, h: Float64Array): number;
}

/**
 * Minimise g(W) = (1−γ)⟨μ₀, W⟩ + Φ(z(W)) by Newton's method, where ∂Φ/∂z = μ(z) and ∂²Φ/∂z² = diag(h).
 * ∇g = flow residual of μ (sign-flipped); Hessian = Σ h(s,a) b bᵀ, b = γτ(·|s,a) − e_s.
 */
function newtonDual(
  env: TabularEnv,
  A0: Float64Array,
  c: number,
  W0: Float64Array,
  prob: DualProblem,
  tol = 1e-11,
  maxIter = 100,
): { W: Float64Array; mu: Float64Array; iterations: number; residual: number } {
  const { nS, nA, T, gamma } = env;
  const nSA = nS * nA;
  let W = Float64Array.from(W0);
  const z = new Float64Array(nSA);
  let mu = new Float64Array(nSA);
  let h = new Float64Array(nSA);
  const evalAt = (Wx: Float64Array, muOut: Float64Array, hOut: Float64Array): number => {
    shiftedAdvantage(env, A0, c, Wx, z);
    let phi = prob.primal(z, muOut, hOut);
    for (let s = 0; s < nS; s++) phi += (1 - gamma) * env.init[s] * Wx[s];
    return phi;
  };
  let g = evalAt(W, mu, h);
  let iterations = 0;
  let residual = Infinity;
  const H = new Float64Array(nS * nS);
  const grad = new Float64Array(nS);
  const idx: number[] = [];
  const val: number[] = [];
  const muTry = new Float64Array(nSA);
  const hTry = new Float64Array(nSA);
  const Wtry = new Float64Array(nS);
  let stalls = 0;
  for (; iterations < maxIter; iterations++) {
    // Gradient (negative flow residual) and Hessian.
    for (let s = 0; s < nS; s++) grad[s] = (1 - gamma) * env.init[s];
    H.fill(0);
    for (let s = 0; s < nS; s++) {
      for (let a = 0; a < nA; a++) {
        const r = s * nA + a;
        const m = mu[r];
        const w = h[r];
        if (m === 0 && w === 0) continue;
        idx.length = 0;
        val.length = 0;
        let selfInSupport = false;
        for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) {
          const sp = T.col[k];
          const b = gamma * T.prob[k] - (sp === s ? 1 : 0);
          if (sp === s) selfInSupport = true;
          idx.push(sp);
          val.push(b);
        }
        if (!selfInSupport) {
          idx.push(s);
          val.push(-1);
        }
        for (let i = 0; i < idx.length; i++) {
          grad[idx[i]] += m * val[i];
          if (w === 0) continue;
          const wi = w * val[i];
          const row = idx[i] * nS;
          for (let j = 0; j < idx.length; j++) H[row + idx[j]] += wi * val[j];
        }
      }
    }
    residual = 0;
    for (let s = 0; s < nS; s++) residual = Math.max(residual, Math.abs(grad[s]));
    if (residual <= tol) break;
    let maxDiag = 0;
    for (let s = 0; s < nS; s++) maxDiag = Math.max(maxDiag, H[s * nS + s]);
    const ridge = 1e-12 * (1 + maxDiag);
    for (let s = 0; s < nS; s++) H[s * nS + s] += ridge;
    const negGrad = new Float64Array(nS);
    for (let s = 0; s < nS; s++) negGrad[s] = -grad[s];
    let dir: Float64Array;
    try {
      dir = solveLinearSystem(H, negGrad, nS);
    } catch {
      dir = negGrad;
    }
    let slope = 0;
    for (let s = 0; s < nS; s++) slope += grad[s] * dir[s];
    if (!(slope < 0)) {
      dir = negGrad;
      slope = 0;
      for (let s = 0; s < nS; s++) slope -= grad[s] * grad[s];
    }
    let t = 1;
    let accepted = false;
    for (let ls = 0; ls < 60; ls++) {
      for (let s = 0; s < nS; s++) Wtry[s] = W[s] + t * dir[s];
      const gTry = evalAt(Wtry, muTry, hTry);
      if (Number.isFinite(gTry) && gTry <= g + 1e-4 * t * slope) {
        if (g - gTry <= 1e-15 * (1 + Math.abs(g))) stalls++;
        else stalls = 0;
        W = Float64Array.from(Wtry);
        mu = Float64Array.from(muTry);
        h = Float64Array.from(hTry);
        g = gTry;
        accepted = true;
        break;
      }
      t *= 0.5;
    }
    if (!accepted || stalls >= 3) break; // no further decrease representable: at the optimum to rounding
  }
  return { W, mu, iterations, residual };
}

// ---------------------------------------------------------------------------------------------
// χ² occupancy regularisation
// ---------------------------------------------------------------------------------------------

export interface RegularisedSolution {
  /** Exact normalised occupancy of `pi` (recomputed by a linear solve from the policy). */
  mu: Float64Array;
  /** The optimal stationary policy. */
  pi: Float64Array;
  /** The occupancy returned by the dual solver (feasible to `residual`). */
  muDual: Float64Array;
  /** Max flow residual of muDual. */
  residual: number;
  iterations: number;
}

interface Chi2Context {
  env: TabularEnv;
  rbar: Float64Array;
  nu: Float64Array;
  piBase: Float64Array;
  A0: Float64Array;
}

function chi2Context(env: TabularEnv, R: Float64Array, nu: Float64Array): Chi2Context {
  const rbar = expectedReward(env, R);
  if (nu.length !== env.nS * env.nA)
    throw new RangeError(
      `χ² regularisation: ν must be a normalised occupancy of length nS·nA = ${env.nS * env.nA}, got ${nu.length}`,
    );
  const piBase = policyFromOccupancy(env, nu);
  const { A } = baseAdvantage(env, rbar, piBase);
  return { env, rbar, nu, piBase, A0: A };
}

function quadProblem(nu: Float64Array, kappa: number): DualProblem {
  return {
    primal(z, mu, h) {
      let phi = 0;
      for (let i = 0; i < z.length; i++) {
        const zp = z[i] > 0 ? z[i] : 0;
        mu[i] = (nu[i] * zp) / kappa;
        h[i] = zp > 0 ? nu[i] / kappa : 0;
        phi += (nu[i] * zp * zp) / (2 * kappa);
      }
      return phi;
    },
  };
}

function solveQuadWithContext(
  ctx: Chi2Context,
  kappa: number,
  W0?: Float64Array,
): { W: Float64Array; mu: Float64Array; chi2: number; residual: number; iterations: number } {
  const { env, nu, A0 } = ctx;
  const W = W0 ?? new Float64Array(env.nS);
  const out = newtonDual(env, A0, kappa, W, quadProblem(nu, kappa));
  // χ² from μ − ν = ν (z₊ − κ)/κ, computed without cancellation where active.
  const z = new Float64Array(A0.length);
  shiftedAdvantage(env, A0, 0, out.W, z); // z − κ
  let chi2 = 0;
  for (let i = 0; i < z.length; i++) {
    if (!(nu[i] > 0)) continue;
    const d = z[i] + kappa > 0 ? z[i] / kappa : -1; // (μ − ν)/ν
    chi2 += nu[i] * d * d;
  }
  return { W: out.W, mu: out.mu, chi2, residual: out.residual, iterations: out.iterations };
}

function finish(
  env: TabularEnv,
  muDual: Float64Array,
  piBase: Float64Array,
  residual: number,
  iterations: number,
): RegularisedSolution {
  const pi = policyFromOccupancy(env, muDual, piBase);
  return { mu: normalisedOccupancy(env, pi), pi, muDual, residual, iterations };
}

/**
 * max_μ ⟨μ, r⟩ − (κ/2) Σ μ²/ν over the occupancy polytope (the quadratic form of χ² regularisation;
 * equivalently ⟨μ,r⟩ − (κ/2) χ²(μ‖ν) up to a constant). R: dense R(s,a,s') or r̄(s,a).
 */
export function solveChi2Quadratic(
  env: TabularEnv,
  R: Float64Array,
  nu: Float64Array,
  kappa: number,
): RegularisedSolution & { chi2: number } {
  if (!(kappa > 0)) throw new RangeError(`solveChi2Quadratic: κ must be positive, got ${kappa}`);
  const ctx = chi2Context(env, R, nu);
  const q = solveQuadWithContext(ctx, kappa);
  return { ...finish(env, q.mu, ctx.piBase, q.residual, q.iterations), chi2: q.chi2 };
}

/**
 * λ_base = lim_{κ→∞} κ √χ²(μ⋆_κ ‖ ν): the smallest λ at which max ⟨μ,r⟩ − λ√χ²(μ‖ν) is attained
 * at μ = ν. In the limit every (s,a) with ν > 0 is active and μ = ν(1 + (A_ref + γτW − W)/κ), so W
 * solves the linear system (Σ ν b bᵀ) W = −Σ ν A_ref b and λ_base = √(Σ ν (A_ref + γτW − W)²).
 */
export function chi2BaseThreshold(env: TabularEnv, R: Float64Array, nu: Float64Array): number {
  const ctx = chi2Context(env, R, nu);
  return baseThresholdFromContext(ctx);
}

function baseThresholdFromContext(ctx: Chi2Context): number {
  const { env, nu, A0 } = ctx;
  const { nS, nA, T, gamma } = env;
  const M = new Float64Array(nS * nS);
  const rhs = new Float64Array(nS);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      const w = nu[r];
      if (!(w > 0)) continue;
      const idx: number[] = [];
      const val: number[] = [];
      let self = false;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) {
        const sp = T.col[k];
        if (sp === s) self = true;
        idx.push(sp);
        val.push(gamma * T.prob[k] - (sp === s ? 1 : 0));
      }
      if (!self) {
        idx.push(s);
        val.push(-1);
      }
      for (let i = 0; i < idx.length; i++) {
        rhs[idx[i]] -= w * A0[r] * val[i];
        for (let j = 0; j < idx.length; j++) M[idx[i] * nS + idx[j]] += w * val[i] * val[j];
      }
    }
  }
  let maxDiag = 0;
  for (let s = 0; s < nS; s++) maxDiag = Math.max(maxDiag, M[s * nS + s]);
  for (let s = 0; s < nS; s++) M[s * nS + s] += 1e-13 * (1 + maxDiag);
  const W = solveLinearSystem(M, rhs, nS);
  const z = new Float64Array(nS * nA);
  shiftedAdvantage(env, A0, 0, W, z);
  let acc = 0;
  for (let i = 0; i < z.length; i++) if (nu[i] > 0) acc += nu[i] * z[i] * z[i];
  return Math.sqrt(acc);
}

export interface Chi2Solution extends RegularisedSolution {
  /** √χ²(μ‖ν) of the returned policy's exact occupancy. */
  sqrtChi2: number;
  /** The quadratic coefficient κ with the same optimum (Infinity when the optimum is ν). */
  kappa: number;
  /** True when λ ≥ λ_base and the optimum is the base occupancy itself. */
  atBase: boolean;
  /** λ_base of this problem. */
  lambdaBase: number;
}

/**
 * max_μ ⟨μ, r⟩ − λ √χ²(μ‖ν) over the occupancy polytope (Laidlaw et al., §5: the objective whose
 * optimum maximises the theorem's lower bound on true-reward improvement). λ ≥ 0.
 */
export function solveChi2Regularised(env: TabularEnv, R: Float64Array, nu: Float64Array, lambda: number): Chi2Solution {
  if (!(lambda >= 0)) throw new RangeError(`solveChi2Regularised: λ must be ≥ 0, got ${lambda}`);
  const ctx = chi2Context(env, R, nu);
  const lambdaBase = baseThresholdFromContext(ctx);
  if (lambda >= lambdaBase) {
    const mu = normalisedOccupancy(env, ctx.piBase);
    return {
      mu,
      pi: ctx.piBase,
      muDual: Float64Array.from(nu),
      residual: 0,
      iterations: 0,
      sqrtChi2: 0,
      kappa: Infinity,
      atBase: true,
      lambdaBase,
    };
  }
  if (lambda === 0) {
    const vi = valueIteration(env, ctx.rbar, { tol: 1e-12 });
    const pi = new Float64Array(env.nS * env.nA);
    for (let s = 0; s < env.nS; s++) pi[s * env.nA + vi.policy[s]] = 1;
    const mu = normalisedOccupancy(env, pi);
    return {
      mu,
      pi,
      muDual: mu,
      residual: 0,
      iterations: vi.iterations,
      sqrtChi2: Math.sqrt(chiSquared(mu, nu)),
      kappa: 0,
      atBase: false,
      lambdaBase,
    };
  }
  // λ(κ) = κ √χ²(μ_κ) is non-decreasing in κ (and equals λ_base for all large κ). First guess from the
  // unregularised optimum (κ ≈ λ / √χ²(μ_unreg) for small λ); bracket by doubling; then a safeguarded
  // secant (regula falsi with bisection fallback) on log κ.
  let W = new Float64Array(env.nS);
  const lamAt = (kappa: number) => {
    const q = solveQuadWithContext(ctx, kappa, W);
    W = q.W;
    return { kappa, lam: kappa * Math.sqrt(q.chi2), q };
  };
  const un = solveUnregularised(env, ctx.rbar);
  const c0 = Math.sqrt(chiSquared(un.mu, nu));
  let k0 = Number.isFinite(c0) && c0 > 0 ? lambda / c0 : lambda;
  if (!(k0 > 0)) k0 = 1e-6;
  let a = lamAt(k0);
  let b = a;
  if (a.lam < lambda) {
    for (let i = 0; i < 200 && b.lam < lambda; i++) {
      a = b;
      b = lamAt(b.kappa * 2);
    }
  } else {
    for (let i = 0; i < 200 && a.lam >= lambda; i++) {
      b = a;
      a = lamAt(a.kappa / 2);
    }
  }
  // Now a.lam < λ ≤ b.lam (or the search ran out).
  let best = Math.abs(a.lam - lambda) < Math.abs(b.lam - lambda) ? a : b;
  let side = 0;
  for (let it = 0; it < 200; it++) {
    if (Math.abs(best.lam - lambda) <= 1e-9 * lambda || b.kappa / a.kappa - 1 < 1e-12) break;
    const la = Math.log(a.kappa),
      lb = Math.log(b.kappa);
    let x = la + ((lambda - a.lam) * (lb - la)) / (b.lam - a.lam);
    if (!(x > la && x < lb) || side === 3 || side === -3) {
      x = 0.5 * (la + lb);
      side = 0;
    }
    const m = lamAt(Math.exp(x));
    if (Math.abs(m.lam - lambda) < Math.abs(best.lam - lambda)) best = m;
    if (m.lam < lambda) {
      a = m;
      side = side > 0 ? side + 1 : 1;
    } else {
      b = m;
      side = side < 0 ? side - 1 : -1;
    }
  }
  const sol = finish(env, best.q.mu, ctx.piBase, best.q.residual, best.q.iterations);
  return { ...sol, sqrtChi2: Math.sqrt(chiSquared(sol.mu, nu)), kappa: best.kappa, atBase: false, lambdaBase };
}

// ---------------------------------------------------------------------------------------------
// KL occupancy regularisation (ablation)
// ---------------------------------------------------------------------------------------------

function klProblem(nu: Float64Array, lambda: number): DualProblem {
  return {
    primal(z, mu, h) {
      let phi = 0;
      for (let i = 0; i < z.length; i++) {
        if (!(nu[i] > 0)) {
          mu[i] = 0;
          h[i] = 0;
          continue;
        }
        const e = nu[i] * Math.exp(Math.min(700, z[i] / lambda));
        mu[i] = e;
        h[i] = e / lambda;
        phi += lambda * e;
      }
      return phi;
    },
  };
}

/** max_μ ⟨μ, r⟩ − λ KL(μ‖ν) over the occupancy polytope (λ > 0). */
export function solveKlOccupancyRegularised(
  env: TabularEnv,
  R: Float64Array,
  nu: Float64Array,
  lambda: number,
): RegularisedSolution & { kl: number } {
  if (!(lambda > 0)) throw new RangeError(`solveKlOccupancyRegularised: λ must be positive, got ${lambda}`);
  const ctx = chi2Context(env, R, nu);
  const { nS } = env;
  // Two starts: W = 0 (good for large λ) and W = V* − V_ref (all advantages ≤ 0: no overflow for small λ).
  const vi = valueIteration(env, ctx.rbar, { tol: 1e-12 });
  const Vref = policyEvaluation(env, ctx.rbar, ctx.piBase);
  const Wopt = new Float64Array(nS);
  for (let s = 0; s < nS; s++) Wopt[s] = vi.V[s] - Vref[s];
  const prob = klProblem(nu, lambda);
  let best = newtonDual(env, ctx.A0, 0, Wopt, prob, 1e-11, 300);
  if (!(best.residual <= 1e-10)) {
    const other = newtonDual(env, ctx.A0, 0, new Float64Array(nS), prob, 1e-11, 300);
    if (other.residual < best.residual) best = other;
  }
  const sol = finish(env, best.mu, ctx.piBase, best.residual, best.iterations);
  return { ...sol, kl: klDivergence(sol.mu, nu) };
}

// ---------------------------------------------------------------------------------------------
// Action-distribution KL regularisation
// ---------------------------------------------------------------------------------------------

/**
 * max_π J(π, r) − λ E_{s∼μ_π}[KL(π(·|s) ‖ π_base(·|s))] by soft value iteration with the base policy as
 * prior (per-step penalty λ log(π/π_base) in the reward). λ > 0. Returns the optimal policy and V (unnormalised).
 */
export function solveActionKlRegularised(
  env: TabularEnv,
  R: Float64Array,
  piBase: Float64Array,
  lambda: number,
  tol = 1e-12,
): { pi: Float64Array; mu: Float64Array; V: Float64Array; iterations: number } {
  if (!(lambda > 0)) throw new RangeError(`solveActionKlRegularised: λ must be positive, got ${lambda}`);
  const { nS, nA, T, gamma } = env;
  const rbar = expectedReward(env, R);
  let V = new Float64Array(nS);
  let Vn = new Float64Array(nS);
  const Q = new Float64Array(nS * nA);
  const stopAt = gamma > 0 ? (tol * (1 - gamma)) / gamma : Infinity;
  let it = 0;
  const sweep = (Vin: Float64Array, Vout: Float64Array): number => {
    let res = 0;
    for (let s = 0; s < nS; s++) {
      let m = -Infinity;
      for (let a = 0; a < nA; a++) {
        const r = s * nA + a;
        let acc = 0;
        for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) acc += T.prob[k] * Vin[T.col[k]];
        Q[r] = rbar[r] + gamma * acc;
        if (piBase[r] > 0 && Q[r] > m) m = Q[r];
      }
      let z = 0;
      for (let a = 0; a < nA; a++)
        if (piBase[s * nA + a] > 0) z += piBase[s * nA + a] * Math.exp((Q[s * nA + a] - m) / lambda);
      const v = m + lambda * Math.log(z);
      res = Math.max(res, Math.abs(v - Vin[s]));
      Vout[s] = v;
    }
    return res;
  };
  for (; it < 1_000_000; it++) {
    const res = sweep(V, Vn);
    const t = V;
    V = Vn;
    Vn = t;
    if (res <= stopAt * Math.max(1, Math.abs(V[0]))) break;
  }
  sweep(V, Vn); // refresh Q at the fixed point
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) if (piBase[s * nA + a] > 0 && Q[s * nA + a] > m) m = Q[s * nA + a];
    let z = 0;
    for (let a = 0; a < nA; a++) {
      const w = piBase[s * nA + a] > 0 ? piBase[s * nA + a] * Math.exp((Q[s * nA + a] - m) / lambda) : 0;
      pi[s * nA + a] = w;
      z += w;
    }
    for (let a = 0; a < nA; a++) pi[s * nA + a] /= z;
  }
  return { pi, mu: normalisedOccupancy(env, pi), V, iterations: it };
}

/** The unregularised optimum (deterministic greedy policy from value iteration) and its occupancy. */
export function solveUnregularised(env: TabularEnv, R: Float64Array): { pi: Float64Array; mu: Float64Array } {
  const rbar = expectedReward(env, R);
  const vi = valueIteration(env, rbar, { tol: 1e-12 });
  const pi = new Float64Array(env.nS * env.nA);
  for (let s = 0; s < env.nS; s++) pi[s * env.nA + vi.policy[s]] = 1;
  return { pi, mu: normalisedOccupancy(env, pi) };
}
