/**
 * Exact policy gradients of the tabular softmax policy (no sampling): the discounted objective by
 * linear solves, the episodic (finite-horizon) objective by backward/forward recursions.
 *
 * Policy-gradient theorem (Sutton, McAllester, Singh & Mansour 2000; Sutton & Barto 2018 §13.2),
 * for the tabular softmax (∂ log π(a|s)/∂θ[obs(s), b] = 1[a=b] − π(b|s)):
 *   discounted (`exactPolicyGradient`):
 *                ∂J/∂θ[o, a] = Σ_{s: obs(s)=o} d^π(s) π(a|s) A^π(s, a),
 *                d^π(s) = Σ_t γ^t P(S_t = s) (unnormalised, Σ_s d^π(s) = 1/(1−γ));
 *   episodic (`exactEpisodicPolicyGradient`):
 *                J_H = E[Σ_{t<H} γ^t r_t],
 *                ∂J_H/∂θ[o, a] = Σ_{t<H} Σ_{s: obs(s)=o} γ^t P(S_t = s) π(a|s) (Q_t(s,a) − V_t(s)),
 *                with Q_t the value of acting at time t with H − t steps left.
 */

import type { TabularEnv } from '../env/mdp';
import { checkObs, identityObs, softmaxPolicy } from '../policies/softmax';
import { expectedReward, occupancy, policyEvaluation, qFromV } from './exact';

export interface PolicyGradientResult {
  /** J(π_θ) = E_{μ₀}[V^π(S₀)] (discounted) or J_H (episodic). */
  J: number;
  /** ∂J/∂θ, length nObs·nA. */
  grad: Float64Array;
  /** π_θ as a stochastic matrix (length nS·nA). */
  pi: Float64Array;
}

/**
 * Exact gradient of the discounted return J(π_θ) = Σ_s μ₀(s) V^π(s) for the softmax policy
 * (policy-gradient theorem; V, Q by linear solve; d^π by the occupancy solve). R: dense R(s,a,s') or r̄(s,a).
 */
export function exactPolicyGradient(
  env: TabularEnv,
  R: Float64Array,
  theta: Float64Array,
  obs?: Int32Array,
): PolicyGradientResult {
  const { nS, nA } = env;
  const o = obs ?? identityObs(nS);
  checkObs(nS, nA, theta, o, 'exactPolicyGradient');
  const rbar = expectedReward(env, R);
  const pi = softmaxPolicy(nS, nA, theta, o);
  const V = policyEvaluation(env, rbar, pi);
  const Q = qFromV(env, rbar, V);
  const eta = occupancy(env, pi);
  const grad = new Float64Array(theta.length);
  let J = 0;
  for (let s = 0; s < nS; s++) {
    J += env.init[s] * V[s];
    let d = 0;
    for (let a = 0; a < nA; a++) d += eta[s * nA + a];
    const row = o[s] * nA;
    for (let a = 0; a < nA; a++) grad[row + a] += d * pi[s * nA + a] * (Q[s * nA + a] - V[s]);
  }
  return { J, grad, pi };
}

/** State distributions P(S_t = ·) for t = 0..H−1 under a stochastic policy matrix (row-major H×nS). */
export function stateDistributions(env: TabularEnv, pi: Float64Array, H: number): Float64Array {
  const { nS, nA, T } = env;
  const P = new Float64Array(H * nS);
  P.set(env.init, 0);
  for (let t = 0; t + 1 < H; t++) {
    const cur = t * nS,
      nxt = (t + 1) * nS;
    for (let s = 0; s < nS; s++) {
      const ps = P[cur + s];
      if (ps === 0) continue;
      for (let a = 0; a < nA; a++) {
        const w = ps * pi[s * nA + a];
        if (w === 0) continue;
        const r = s * nA + a;
        for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) P[nxt + T.col[k]] += w * T.prob[k];
      }
    }
  }
  return P;
}

/**
 * Episodic state-action occupancy η_H(s,a) = Σ_{t<H} γ^t P(S_t = s, A_t = a) (time-independent
 * policy, absorbing states included). Σ η_H = H for γ = 1 and (1 − γ^H)/(1 − γ) otherwise.
 */
export function episodicOccupancy(env: TabularEnv, pi: Float64Array, H: number, gamma = 1): Float64Array {
  const { nS, nA } = env;
  const P = stateDistributions(env, pi, H);
  const eta = new Float64Array(nS * nA);
  let g = 1;
  for (let t = 0; t < H; t++) {
    for (let s = 0; s < nS; s++) {
      const w = g * P[t * nS + s];
      if (w === 0) continue;
      for (let a = 0; a < nA; a++) eta[s * nA + a] += w * pi[s * nA + a];
    }
    g *= gamma;
  }
  return eta;
}

/** J_H(π) = E[Σ_{t<H} γ^t r̄(S_t, A_t)] (exact). R: dense R(s,a,s') or r̄(s,a). */
export function episodicReturn(env: TabularEnv, R: Float64Array, pi: Float64Array, H: number, gamma = 1): number {
  const rbar = expectedReward(env, R);
  const eta = episodicOccupancy(env, pi, H, gamma);
  let J = 0;
  for (let i = 0; i < eta.length; i++) J += eta[i] * rbar[i];
  return J;
}

/**
 * Exact gradient of the episodic objective J_H = E[Σ_{t<H} γ^t r_t] for a time-independent softmax
 * policy (finite-horizon policy-gradient theorem; backward recursion for Q_t, forward for P(S_t)).
 */
export function exactEpisodicPolicyGradient(
  env: TabularEnv,
  R: Float64Array,
  theta: Float64Array,
  H: number,
  gamma: number,
  obs?: Int32Array,
): PolicyGradientResult {
  const { nS, nA, T } = env;
  const o = obs ?? identityObs(nS);
  checkObs(nS, nA, theta, o, 'exactEpisodicPolicyGradient');
  if (!(Number.isInteger(H) && H >= 1))
    throw new RangeError(`exactEpisodicPolicyGradient: horizon H must be a positive integer, got ${H}`);
  const rbar = expectedReward(env, R);
  const pi = softmaxPolicy(nS, nA, theta, o);
  const P = stateDistributions(env, pi, H);
  const grad = new Float64Array(theta.length);
  let Vnext = new Float64Array(nS);
  let Vcur = new Float64Array(nS);
  const Q = new Float64Array(nS * nA);
  const gPow = new Float64Array(H);
  gPow[0] = 1;
  for (let t = 1; t < H; t++) gPow[t] = gPow[t - 1] * gamma;
  for (let t = H - 1; t >= 0; t--) {
    for (let s = 0; s < nS; s++) {
      let v = 0;
      for (let a = 0; a < nA; a++) {
        const r = s * nA + a;
        let acc = 0;
        for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) acc += T.prob[k] * Vnext[T.col[k]];
        Q[r] = rbar[r] + gamma * acc;
        v += pi[r] * Q[r];
      }
      Vcur[s] = v;
    }
    for (let s = 0; s < nS; s++) {
      const w = gPow[t] * P[t * nS + s];
      if (w === 0) continue;
      const row = o[s] * nA;
      for (let a = 0; a < nA; a++) grad[row + a] += w * pi[s * nA + a] * (Q[s * nA + a] - Vcur[s]);
    }
    const tmp = Vnext;
    Vnext = Vcur;
    Vcur = tmp;
  }
  let J = 0;
  for (let s = 0; s < nS; s++) J += env.init[s] * Vnext[s];
  return { J, grad, pi };
}
