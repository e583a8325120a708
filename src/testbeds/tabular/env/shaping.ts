/**
 * Reward transformations used to test reward metrics. All act on dense rewards R(s,a,s')
 * (Float64Array of length nS·nA·nS, index (s·nA + a)·nS + s') and return a new array.
 *
 * - Potential shaping (Ng, Harada & Russell 1999; STARC, Skalse et al., ICLR 2024,
 *   arXiv:2309.15257, §2): R'(s,a,s') = R(s,a,s') + γΦ(s') − Φ(s). Preserves the order of
 *   policies: J_{R'}(π) = J_R(π) − E_{μ₀}[Φ(S₀)], and Q*_{R'}(s,a) = Q*_R(s,a) − Φ(s).
 * - Positive linear scaling: R' = c·R, c > 0 (STARC §2).
 * - S'-redistribution (Skalse et al., "Invariance in Policy Optimisation and Partial
 *   Identifiability in Reward Learning", ICML 2023, Def. 2.6; used in STARC §2):
 *   R' differs from R by S'-redistribution iff E_{S'∼τ(s,a)}[R'(s,a,S')] = E_{S'∼τ(s,a)}[R(s,a,S')]
 *   for all (s,a). Values on impossible transitions (τ = 0) may change freely.
 *   Together with potential shaping and positive scaling these are exactly the transformations
 *   that preserve the policy order in every choice of μ₀ (STARC §2).
 * - Gaussian perturbation R' = R + σ·ε, ε iid N(0,1); interpolation R_t = (1−t)R₁ + tR₂ (the
 *   official experiments interpolate from R₁ toward an unrelated random R₂:
 *   github.com/lucyfarnik/starc, src/env/reward.py `interpolate`).
 */

import type { Rng } from '../../../core/rng';
import { checkRewardShape, type TabularEnv } from './mdp';

/** R'(s,a,s') = R(s,a,s') + γΦ(s') − Φ(s). */
export function potentialShaping(
  env: { nS: number; nA: number; gamma: number },
  R: Float64Array,
  Phi: ArrayLike<number>,
): Float64Array {
  const { nS, nA, gamma } = env;
  checkRewardShape(env, R, 'potentialShaping');
  if (Phi.length !== nS) throw new RangeError(`potentialShaping: Φ must have length nS = ${nS}, got ${Phi.length}`);
  const out = new Float64Array(R.length);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const base = (s * nA + a) * nS;
      for (let sp = 0; sp < nS; sp++) out[base + sp] = R[base + sp] + gamma * Phi[sp] - Phi[s];
    }
  }
  return out;
}

/** A random potential Φ(s) = scale·N(0,1) + offset. */
export function randomPotential(rng: Rng, nS: number, scale = 1, offset = 0): Float64Array {
  const Phi = rng.normals(nS);
  for (let s = 0; s < nS; s++) Phi[s] = Phi[s] * scale + offset;
  return Phi;
}

/** Adding a constant c is potential shaping with the constant potential Φ ≡ −c/(1−γ) (γ < 1). */
export function constantShift(
  env: { nS: number; nA: number; gamma: number },
  R: Float64Array,
  c: number,
): Float64Array {
  return potentialShaping(env, R, new Float64Array(env.nS).fill(-c / (1 - env.gamma)));
}

/** R' = c·R with c > 0. */
export function positiveRescale(R: Float64Array, c: number): Float64Array {
  if (!(c > 0) || !Number.isFinite(c))
    throw new RangeError(`positiveRescale: factor must be a finite positive number, got ${c}`);
  const out = new Float64Array(R.length);
  for (let i = 0; i < R.length; i++) out[i] = c * R[i];
  return out;
}

/**
 * A random S'-redistribution: R' = R + δ with δ(s,a,·) = z(s,a,·) − E_{S'∼τ(s,a)}[z(s,a,S')],
 * z iid N(0, scale²) on every (s,a,s') (impossible transitions included). Then
 * E_{τ(s,a)}[δ(s,a,S')] = 0 exactly, so the expected reward of every (s,a) is unchanged.
 */
export function sPrimeRedistribution(rng: Rng, env: TabularEnv, R: Float64Array, scale = 1): Float64Array {
  const { nS, nA, T } = env;
  checkRewardShape(env, R, 'sPrimeRedistribution');
  const out = Float64Array.from(R);
  const z = new Float64Array(nS);
  for (let r = 0; r < nS * nA; r++) {
    for (let sp = 0; sp < nS; sp++) z[sp] = scale * rng.normal();
    let mean = 0;
    for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) mean += T.prob[k] * z[T.col[k]];
    const base = r * nS;
    for (let sp = 0; sp < nS; sp++) out[base + sp] += z[sp] - mean;
  }
  return out;
}

/** R' = R + scale·ε, ε iid N(0,1) on every (s,a,s'). */
export function gaussianPerturbation(rng: Rng, R: Float64Array, scale: number): Float64Array {
  if (!(scale >= 0)) throw new RangeError(`gaussianPerturbation: scale must be ≥ 0, got ${scale}`);
  const out = new Float64Array(R.length);
  for (let i = 0; i < R.length; i++) out[i] = R[i] + scale * rng.normal();
  return out;
}

/** R_t = (1−t)·R1 + t·R2 (t = 0 gives R1, t = 1 gives R2). */
export function interpolateRewards(R1: Float64Array, R2: Float64Array, t: number): Float64Array {
  if (R1.length !== R2.length)
    throw new RangeError(`interpolateRewards: rewards differ in length (${R1.length} vs ${R2.length})`);
  const out = new Float64Array(R1.length);
  for (let i = 0; i < R1.length; i++) out[i] = (1 - t) * R1[i] + t * R2[i];
  return out;
}

/** −R (reverses the policy order). */
export function negateReward(R: Float64Array): Float64Array {
  const out = new Float64Array(R.length);
  for (let i = 0; i < R.length; i++) out[i] = -R[i];
  return out;
}
