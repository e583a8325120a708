/**
 * Successor features and occupancy measures beyond `occupancy` in `solvers/exact.ts`.
 *
 * Successor features (Barreto et al. 2017) of a policy π for transition features φ:
 *   ψ^π(s) = E_π[Σ_t γ^t φ(S_t, A_t, S_{t+1}) | S_0 = s],   so  V^π_w(s) = w·ψ^π(s) for r = w·φ,
 * i.e. ψ^π = (I − γP_π)⁻¹ Φ_π with Φ_π(s) = Σ_a π(a|s) φ̄(s,a). Knox et al. (2024, Algorithm 1) learn
 * linear rewards under the regret preference model through successor features: V*_w(s) =
 * max_π w·ψ^π(s), whose gradient in w is ψ^{π*_w}(s) wherever the optimal policy is unique (Danskin).
 */
import { policyMatrix, policyTransitionMatrix, solveLinearSystem } from './exact';
import { evaluateDeterministic } from './policy-iteration';
import type { Policy, TabularEnv } from '../env/mdp';

/** Φ_π(s) = Σ_a π(a|s) φ̄(s,a), row-major nS × nF. */
export function policyFeatures(
  env: { nS: number; nA: number },
  phiSA: Float64Array,
  nF: number,
  policy: Policy,
): Float64Array {
  const { nS, nA } = env;
  const pi = policyMatrix(env, policy);
  const out = new Float64Array(nS * nF);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const p = pi[s * nA + a];
      if (p === 0) continue;
      for (let f = 0; f < nF; f++) out[s * nF + f] += p * phiSA[(s * nA + a) * nF + f];
    }
  }
  return out;
}

/** ψ^π for any policy by one LU-free dense solve per feature (Gaussian elimination; small MDPs). */
export function successorFeatures(env: TabularEnv, phiSA: Float64Array, nF: number, policy: Policy): Float64Array {
  const { nS, gamma } = env;
  const P = policyTransitionMatrix(env, policy);
  const A = new Float64Array(nS * nS);
  for (let i = 0; i < nS * nS; i++) A[i] = -gamma * P[i];
  for (let s = 0; s < nS; s++) A[s * nS + s] += 1;
  const Phi = policyFeatures(env, phiSA, nF, policy);
  const psi = new Float64Array(nS * nF);
  const b = new Float64Array(nS);
  for (let f = 0; f < nF; f++) {
    for (let s = 0; s < nS; s++) b[s] = Phi[s * nF + f];
    const x = solveLinearSystem(A, b, nS);
    for (let s = 0; s < nS; s++) psi[s * nF + f] = x[s];
  }
  return psi;
}

/**
 * ψ^π for a deterministic policy on deterministic transitions next(s,a) in O(nS·nF) (functional
 * graph evaluation, see policy-iteration.ts).
 */
export function successorFeaturesDeterministic(
  next: Int32Array,
  nA: number,
  phiSA: Float64Array,
  nF: number,
  policy: Int32Array,
  gamma: number,
): Float64Array {
  const nS = policy.length;
  const nextPi = new Int32Array(nS);
  const phiPi = new Float64Array(nS * nF);
  for (let s = 0; s < nS; s++) {
    const r = s * nA + policy[s];
    nextPi[s] = next[r];
    for (let f = 0; f < nF; f++) phiPi[s * nF + f] = phiSA[r * nF + f];
  }
  return evaluateDeterministic(nextPi, phiPi, nF, gamma);
}

/**
 * Normalised discounted state distribution d^π(s) = (1−γ) Σ_t γ^t P(S_t = s) from μ₀ (sums to 1):
 * the weighting of per-state quantities "under the policy's own visitation".
 */
export function stateDistribution(env: TabularEnv, policy: Policy): Float64Array {
  const { nS, gamma } = env;
  const P = policyTransitionMatrix(env, policy);
  const A = new Float64Array(nS * nS);
  for (let i = 0; i < nS; i++) for (let j = 0; j < nS; j++) A[i * nS + j] = -gamma * P[j * nS + i];
  for (let s = 0; s < nS; s++) A[s * nS + s] += 1;
  const d = solveLinearSystem(A, env.init, nS);
  for (let s = 0; s < nS; s++) d[s] *= 1 - gamma;
  return d;
}
