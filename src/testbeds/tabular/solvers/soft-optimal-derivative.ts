/**
 * The soft-optimal policy of a linear reward and its exact derivative with respect to the reward
 * parameters, by implicit differentiation of the soft Bellman fixed point.
 *
 * For a linear reward r_w(s,a) = w·φ̄(s,a) the maximum-entropy optimum (soft-value-iteration.ts) is the
 * fixed point V = 𝒯_w V of 𝒯_w V(s) = α log Σ_a exp(Q(s,a)/α), Q(s,a) = w·φ̄(s,a) + γ Σ_{s'} τ(s'|s,a) V(s').
 * Its Jacobians are ∂𝒯/∂V = γ P_{π*} and ∂𝒯/∂w = Φ_{π*} (Φ_π(s) = Σ_a π(a|s) φ̄(s,a)), so the implicit
 * function theorem applied to F(V, w) = V − 𝒯_w V = 0 gives
 *   ∂V* / ∂w = (I − γ P_{π*})⁻¹ Φ_{π*} = ψ^{π*}                (the successor features of π*),
 *   ∂Q*(s,a)/∂w = φ̄(s,a) + γ Σ_{s'} τ(s'|s,a) ψ^{π*}(s'),
 *   ∂ log π*(a|s)/∂w = (∂Q*(s,a)/∂w − ψ^{π*}(s)) / α          (π* = exp((Q* − V*)/α)).
 * This is the implicit derivative ∇_ν θ*(ν) = −[∇²_θ V]⁻¹ ∇²_{θν} V of the lower-level solution that PARL
 * (Chakraborty et al., ICLR 2024, arXiv:2308.02585) needs in its hypergradient, written for the tabular
 * soft-optimal policy (a unique, smooth lower-level solution): the map w ↦ π*_w does not depend on how π
 * is parameterised, so its derivative is the same. Terminal states have V* = 0 and zero features, so ψ = 0
 * there and their (uniform) policy rows have zero derivative.
 */
import { policyTransitionMatrix, solveLinearSystem } from './exact';
import { policyFeatures } from './occupancy';
import { softValueIteration, type SoftValueIterationResult } from './soft-value-iteration';
import type { TabularEnv } from '../env/mdp';

/** A tabular environment with expected transition features φ̄(s,a) (row-major (nS·nA) × nF). */
export interface LinearRewardEnv extends TabularEnv {
  readonly nF: number;
  readonly phiSA: Float64Array;
  readonly terminal?: Uint8Array;
}

export interface SoftOptimalDerivative {
  /** The soft value iteration result for r_w (V*, Q*, A*, π*). */
  soft: SoftValueIterationResult;
  /** ψ^{π*}(s) = ∂V*(s) / ∂w, row-major nS × nF. */
  dV: Float64Array;
  /** ∂ log π*(a|s)/∂w, row-major (nS·nA) × nF (index (s·nA + a)·nF + f). */
  dLogPi: Float64Array;
}

/** r_w(s,a) = w·φ̄(s,a), length nS·nA. */
export function linearFeatureReward(env: LinearRewardEnv, w: ArrayLike<number>): Float64Array {
  const { nS, nA, nF, phiSA } = env;
  if (w.length !== nF) throw new RangeError(`linearFeatureReward: w has length ${w.length}, expected nF = ${nF}`);
  const r = new Float64Array(nS * nA);
  for (let i = 0; i < nS * nA; i++) {
    let acc = 0;
    for (let f = 0; f < nF; f++) acc += phiSA[i * nF + f] * w[f];
    r[i] = acc;
  }
  return r;
}

/**
 * π*_w (soft value iteration, temperature α) and ∂ log π*_w/∂w by implicit differentiation (see the
 * module comment). `V0` warm-starts the value iteration; `tol` bounds ‖V − V*‖∞.
 */
export function softOptimalDerivative(
  env: LinearRewardEnv,
  w: ArrayLike<number>,
  alpha: number,
  opts: { tol?: number; V0?: Float64Array } = {},
): SoftOptimalDerivative {
  const { nS, nA, nF, phiSA, gamma, T } = env;
  const soft = softValueIteration(env, linearFeatureReward(env, w), {
    alpha,
    tol: opts.tol ?? 1e-9,
    terminal: env.terminal,
    V0: opts.V0,
  });
  if (!soft.converged) throw new Error('softOptimalDerivative: soft value iteration did not converge');
  // exp(A/α) sums to 1 up to rounding that grows with |Q|/α; renormalise so samplers and evaluators accept it.
  for (let s = 0; s < nS; s++) {
    let z = 0;
    for (let a = 0; a < nA; a++) z += soft.policy[s * nA + a];
    for (let a = 0; a < nA; a++) soft.policy[s * nA + a] /= z;
  }
  // ψ = (I − γ P_π*)⁻¹ Φ_π*, one dense solve per feature. Terminal rows: V* = 0 is imposed, so the
  // fixed-point equation there is V(s) = 0 and ψ(s) = 0 (their features are 0 and they self-loop).
  const P = policyTransitionMatrix(env, soft.policy);
  const A = new Float64Array(nS * nS);
  for (let i = 0; i < nS * nS; i++) A[i] = -gamma * P[i];
  for (let s = 0; s < nS; s++) A[s * nS + s] += 1;
  const term = env.terminal;
  if (term)
    for (let s = 0; s < nS; s++)
      if (term[s]) {
        for (let j = 0; j < nS; j++) A[s * nS + j] = 0;
        A[s * nS + s] = 1;
      }
  const Phi = policyFeatures(env, phiSA, nF, soft.policy);
  const dV = new Float64Array(nS * nF);
  const b = new Float64Array(nS);
  for (let f = 0; f < nF; f++) {
    for (let s = 0; s < nS; s++) b[s] = term && term[s] ? 0 : Phi[s * nF + f];
    const x = solveLinearSystem(A, b, nS);
    for (let s = 0; s < nS; s++) dV[s * nF + f] = x[s];
  }
  const dLogPi = new Float64Array(nS * nA * nF);
  const dQ = new Float64Array(nF);
  for (let s = 0; s < nS; s++) {
    if (term && term[s]) continue;
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      for (let f = 0; f < nF; f++) dQ[f] = phiSA[r * nF + f];
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) {
        const sp = T.col[k],
          p = gamma * T.prob[k];
        for (let f = 0; f < nF; f++) dQ[f] += p * dV[sp * nF + f];
      }
      for (let f = 0; f < nF; f++) dLogPi[r * nF + f] = (dQ[f] - dV[s * nF + f]) / alpha;
    }
  }
  return { soft, dV, dLogPi };
}
