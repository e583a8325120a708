/**
 * Episodic d-rectangular linear MDPs (finite state space, so everything stays exact).
 *
 * A linear MDP (Jin, Yang, Wang & Jordan, "Provably Efficient Reinforcement Learning with Linear Function
 * Approximation", COLT 2020, Assumption A) has a known feature map φ : S × A → ℝ^d and, at each step h,
 * unknown factor measures μ_h = (μ_{h,1}, …, μ_{h,d}) and reward weights θ_h such that
 *   P_h(s' | s, a) = Σ_i φ_i(s, a) μ_{h,i}(s'),      r_h(s, a) = φ(s, a)ᵀ θ_h.
 * The d-rectangular robust setting (Ma, Liang, Blanchet, Liu, Wang, Zhou, "Distributionally Robust Offline
 * Reinforcement Learning with Linear Function Approximation", arXiv:2209.06620, 2022; Liu & Xu,
 * "Distributionally Robust Off-Dynamics Reinforcement Learning: Provable Efficiency with Linear Function
 * Approximation", AISTATS 2024, arXiv:2402.15399) additionally asks each φ(s, a) to lie in the probability
 * simplex (φ_i ≥ 0, Σ_i φ_i = 1) and each μ_{h,i} to be a probability distribution on S, so that every
 * mixture of perturbed factors is again a transition kernel.
 *
 * Storage (dense; the MDPs here have tens of states):
 * - phi[(s·nA + a)·d + i]      φ_i(s, a), each (s, a) row on the simplex;
 * - mu[(h·d + i)·nS + s']      μ_{h,i}(s'), each (h, i) row a distribution;
 * - theta[h·d + i]             θ_{h,i}, with 0 ≤ θ ≤ 1 so that r_h ∈ [0, 1];
 * - init[s]                    initial distribution.
 * Time-indexed arrays (Q, policies) use the layout of ./finite-horizon: [h·nS·nA + s·nA + a].
 */
import type { Rng } from '../../../core/rng';

export interface LinearMdp {
  readonly nS: number;
  readonly nA: number;
  /** Feature dimension d. */
  readonly d: number;
  /** Horizon H (decisions per episode). */
  readonly H: number;
  /** Features φ(s, a) ∈ Δ^{d−1}, length nS·nA·d. */
  readonly phi: Float64Array;
  /** Factor distributions μ_{h,i} ∈ Δ(S), length H·d·nS. */
  readonly mu: Float64Array;
  /** Reward weights θ_h ∈ [0, 1]^d, length H·d. */
  readonly theta: Float64Array;
  /** Initial distribution, length nS. */
  readonly init: Float64Array;
}

const TOL = 1e-9;

/** Throws unless the sizes agree, every φ(s, a) and μ_{h,i} is a distribution and θ ∈ [0, 1]. */
export function validateLinearMdp(m: LinearMdp): void {
  const { nS, nA, d, H, phi, mu, theta, init } = m;
  if (!(nS >= 1 && nA >= 1 && d >= 1 && H >= 1)) throw new RangeError(`LinearMdp: bad sizes ${nS}, ${nA}, ${d}, ${H}`);
  if (phi.length !== nS * nA * d || mu.length !== H * d * nS || theta.length !== H * d || init.length !== nS)
    throw new RangeError('LinearMdp: array lengths do not match nS, nA, d, H');
  const simplexRow = (a: Float64Array, from: number, n: number, what: string) => {
    let sum = 0;
    for (let k = from; k < from + n; k++) {
      if (!(a[k] >= -TOL)) throw new RangeError(`LinearMdp: negative entry in ${what} at ${k}`);
      sum += a[k];
    }
    if (Math.abs(sum - 1) > 1e-8) throw new RangeError(`LinearMdp: ${what} row starting at ${from} sums to ${sum}`);
  };
  for (let row = 0; row < nS * nA; row++) simplexRow(phi, row * d, d, 'phi');
  for (let row = 0; row < H * d; row++) simplexRow(mu, row * nS, nS, 'mu');
  simplexRow(init, 0, nS, 'init');
  for (let k = 0; k < theta.length; k++)
    if (!(theta[k] >= 0 && theta[k] <= 1)) throw new RangeError(`LinearMdp: theta[${k}] = ${theta[k]} not in [0, 1]`);
}

/** Rewards r_h(s, a) = φ(s, a)ᵀθ_h, layout [h·nS·nA + s·nA + a]. */
export function linearRewards(m: LinearMdp): Float64Array {
  const { nS, nA, d, H, phi, theta } = m;
  const r = new Float64Array(H * nS * nA);
  for (let h = 0; h < H; h++)
    for (let sa = 0; sa < nS * nA; sa++) {
      let v = 0;
      for (let i = 0; i < d; i++) v += phi[sa * d + i] * theta[h * d + i];
      r[h * nS * nA + sa] = v;
    }
  return r;
}

/**
 * The transition kernel Σ_i φ_i(s, a) ν_i(·) for factor distributions ν (layout [i·nS + s'], one step),
 * dense [(s·nA + a)·nS + s']. With ν = μ_h this is the nominal kernel P_h.
 */
export function kernelFromFactors(m: LinearMdp, nu: Float64Array, nuOffset = 0): Float64Array {
  const { nS, nA, d, phi } = m;
  const P = new Float64Array(nS * nA * nS);
  for (let sa = 0; sa < nS * nA; sa++)
    for (let i = 0; i < d; i++) {
      const w = phi[sa * d + i];
      if (w === 0) continue;
      const src = nuOffset + i * nS;
      for (let sp = 0; sp < nS; sp++) P[sa * nS + sp] += w * nu[src + sp];
    }
  return P;
}

/** Nominal kernels P_h for h = 0 … H−1, concatenated: [h·nS·nA·nS + (s·nA + a)·nS + s']. */
export function nominalKernels(m: LinearMdp): Float64Array {
  const { nS, nA, d, H } = m;
  const out = new Float64Array(H * nS * nA * nS);
  for (let h = 0; h < H; h++) out.set(kernelFromFactors(m, m.mu, h * d * nS), h * nS * nA * nS);
  return out;
}

/**
 * A tabular MDP written as a d-rectangular linear MDP with one-hot features: d = nS·nA, φ(s, a) = e_{s·nA+a},
 * μ_{h,(s,a)} = P(· | s, a) for every h and θ_{h,(s,a)} = r(s, a). Then d-rectangular and (s, a)-rectangular
 * uncertainty sets coincide (a check used by the tests).
 */
export function oneHotLinearMdp(o: {
  nS: number;
  nA: number;
  H: number;
  P: Float64Array;
  r: Float64Array;
  init: Float64Array;
}): LinearMdp {
  const { nS, nA, H } = o;
  const d = nS * nA;
  const phi = new Float64Array(nS * nA * d);
  for (let sa = 0; sa < d; sa++) phi[sa * d + sa] = 1;
  const mu = new Float64Array(H * d * nS);
  const theta = new Float64Array(H * d);
  for (let h = 0; h < H; h++) {
    mu.set(o.P, h * d * nS);
    theta.set(o.r, h * d);
  }
  return { nS, nA, d, H, phi, mu, theta, init: Float64Array.from(o.init) };
}

export interface RandomLinearMdpOptions {
  nS: number;
  nA: number;
  d: number;
  H: number;
  /** Dirichlet concentration of the features φ(s, a) (small → nearly one-hot mixtures). */
  featureConcentration: number;
  /** Dirichlet concentration of the factor distributions μ_{h,i} (small → peaked next-state laws). */
  factorConcentration: number;
  /** Reward weights are U(0, 1) when true; otherwise θ_{h,i} ∈ {0, 1} with P(1) = 1/d. */
  denseRewards: boolean;
}

/** A random d-rectangular linear MDP; factors and rewards are drawn independently per step h; starts in s = 0. */
export function randomLinearMdp(rng: Rng, o: RandomLinearMdpOptions): LinearMdp {
  const { nS, nA, d, H } = o;
  const phi = new Float64Array(nS * nA * d);
  for (let sa = 0; sa < nS * nA; sa++) phi.set(rng.dirichlet(d, o.featureConcentration), sa * d);
  const mu = new Float64Array(H * d * nS);
  for (let row = 0; row < H * d; row++) mu.set(rng.dirichlet(nS, o.factorConcentration), row * nS);
  const theta = new Float64Array(H * d);
  for (let k = 0; k < H * d; k++) theta[k] = o.denseRewards ? rng.uniform() : rng.uniform() < 1 / d ? 1 : 0;
  const init = new Float64Array(nS);
  init[0] = 1;
  return { nS, nA, d, H, phi, mu, theta, init };
}
