/**
 * Trajectory features of a linear MDP (./linear-mdp) for trajectory-level preference feedback.
 *
 * With one reward vector θ shared by every step, r_h(s, a) = φ(s, a)ᵀθ, the return of a trajectory
 * τ = (s_0, a_0, …, s_{H−1}, a_{H−1}) is θᵀψ(τ) with the trajectory feature ψ(τ) = Σ_h φ(s_h, a_h) ∈ ℝ^d, and a
 * Bradley–Terry comparison of two trajectories is P(τ¹ ≻ τ⁰) = σ(θᵀ(ψ(τ¹) − ψ(τ⁰))) (the RLHF setting of Wu & Sun,
 * "Making RL with Preference-based Feedback Efficient via Randomization", ICLR 2024, arXiv:2310.14554, and of the
 * papers it builds on). Because every φ(s, a) of a d-rectangular linear MDP lies on the simplex, Σ_i ψ_i(τ) = H for
 * every τ: θ and θ + c·1 induce the same preferences and the same greedy policies.
 *
 * Policies are time-indexed, layout [h·nS·nA + s·nA + a] (rows sum to 1); kernels as `nominalKernels`:
 * [h·nS·nA·nS + (s·nA + a)·nS + s'].
 */
import type { Rng } from '../../../core/rng';
import type { LinearMdp } from './linear-mdp';

/** The linear MDP with the reward vector θ ∈ [0, 1]^d shared by every step (θ_h = θ for all h). */
export function sharedRewardLinearMdp(m: LinearMdp, theta: ArrayLike<number>): LinearMdp {
  if (theta.length !== m.d) throw new RangeError(`sharedRewardLinearMdp: θ has ${theta.length} entries, d = ${m.d}`);
  const t = new Float64Array(m.H * m.d);
  for (let h = 0; h < m.H; h++) for (let i = 0; i < m.d; i++) t[h * m.d + i] = theta[i];
  return { ...m, theta: t };
}

/**
 * Sample one episode of the time-indexed policy π under the kernels and return ψ(τ) = Σ_h φ(s_h, a_h)
 * (written into `out` when given).
 */
export function sampleTrajectoryFeatures(
  m: LinearMdp,
  kernels: Float64Array,
  pi: Float64Array,
  rng: Rng,
  out?: Float64Array,
): Float64Array {
  const { nS, nA, d, H, phi } = m;
  const psi = out ?? new Float64Array(d);
  psi.fill(0);
  let s = rng.categorical(m.init);
  for (let h = 0; h < H; h++) {
    const off = h * nS * nA + s * nA;
    let a = 0;
    let u = rng.uniform();
    for (; a < nA - 1; a++) {
      u -= pi[off + a];
      if (u < 0) break;
    }
    const sa = s * nA + a;
    for (let i = 0; i < d; i++) psi[i] += phi[sa * d + i];
    if (h + 1 < H) {
      const base = h * nS * nA * nS + sa * nS;
      let v = rng.uniform();
      let next = nS - 1;
      for (let sp = 0; sp < nS; sp++) {
        v -= kernels[base + sp];
        if (v < 0) {
          next = sp;
          break;
        }
      }
      s = next;
    }
  }
  return psi;
}

/** The exact expectation E_π[ψ(τ)] = Σ_h Σ_{s,a} P(s_h = s, a_h = a) φ(s, a) (forward state distributions). */
export function expectedTrajectoryFeatures(m: LinearMdp, kernels: Float64Array, pi: Float64Array): Float64Array {
  const { nS, nA, d, H, phi } = m;
  const psi = new Float64Array(d);
  let dist = Float64Array.from(m.init);
  for (let h = 0; h < H; h++) {
    const next = new Float64Array(nS);
    for (let s = 0; s < nS; s++) {
      const ps = dist[s];
      if (ps === 0) continue;
      for (let a = 0; a < nA; a++) {
        const w = ps * pi[h * nS * nA + s * nA + a];
        if (w === 0) continue;
        const sa = s * nA + a;
        for (let i = 0; i < d; i++) psi[i] += w * phi[sa * d + i];
        const base = h * nS * nA * nS + sa * nS;
        for (let sp = 0; sp < nS; sp++) next[sp] += w * kernels[base + sp];
      }
    }
    dist = next;
  }
  return psi;
}
