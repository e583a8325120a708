/**
 * Exact robust dynamic programming for a policy-REGULARISED d-rectangular TV robust MDP (the "doubly
 * constrained" objective: adversarial transitions within TV balls around the factors of a linear MDP, and a KL
 * penalty keeping the policy near a reference policy π_ref).
 *
 * For a time-indexed policy π and penalty weight β ≥ 0, with factor distributions μ_{h,i} and TV radius ρ:
 *   Q_h(s, a) = r_h(s, a) + Σ_i φ_i(s, a) inf_{ν ∈ B_ρ(μ_{h,i})} ⟨ν, V_{h+1}⟩,
 *   V_h(s)    = Σ_a π_h(a|s) Q_h(s, a) − β KL(π_h(·|s) ‖ π_ref(·|s)),          V_H ≡ 0.
 * The regularised robust optimum replaces the policy step by its maximum over Δ(A), the log-sum-exp
 *   V_h(s) = β log Σ_a π_ref(a|s) exp(Q_h(s, a)/β),  attained by π⋆_h(a|s) ∝ π_ref(a|s) exp(Q_h(s, a)/β)
 * (β = 0: the hard maximum, i.e. `robustDRectangular`). The adversary's problem still decomposes over factors, so
 * backward induction with the closed-form TV inner problem (./robust-value-iteration) is exact.
 * Layouts as in ../env/finite-horizon: Q and π [h·nS·nA + s·nA + a], V [h·nS + s]; π_ref [s·nA + a] (stationary).
 */
import { linearRewards, type LinearMdp } from '../env/linear-mdp';
import { descendingOrder, tvWorstCaseInto } from './robust-value-iteration';

export interface RegularizedRobustSolution {
  /** Robust regularised Q, layout [h·nS·nA + s·nA + a]. */
  readonly Q: Float64Array;
  /** Robust regularised V, layout [h·nS + s]. */
  readonly V: Float64Array;
  /** Σ_s init(s) V_0(s). */
  readonly value: number;
  /** The evaluated policy, or (π = null) the regularised robust optimal policy π⋆. */
  readonly policy: Float64Array;
}

/** KL(p ‖ q) over one row (0·log 0 = 0); +∞ when p puts mass where q has none. */
export function klToReferenceRow(
  p: ArrayLike<number>,
  pOff: number,
  q: ArrayLike<number>,
  qOff: number,
  n: number,
): number {
  let kl = 0;
  for (let a = 0; a < n; a++) {
    const x = p[pOff + a];
    if (x <= 0) continue;
    const y = q[qOff + a];
    if (!(y > 0)) return Infinity;
    kl += x * Math.log(x / y);
  }
  return kl;
}

/**
 * Backward induction for the regularised d-rectangular TV robust MDP (module comment). π = null: the optimum
 * (soft maximum with temperature β against π_ref; hard maximum when β = 0); π given: that policy's value.
 */
export function robustRegularizedDRectangular(
  m: LinearMdp,
  rho: number,
  beta: number,
  piRef: Float64Array,
  pi: Float64Array | null = null,
): RegularizedRobustSolution {
  if (!(rho >= 0) || !Number.isFinite(rho)) throw new RangeError(`ρ must be finite and ≥ 0, got ${rho}`);
  if (!(beta >= 0) || !Number.isFinite(beta)) throw new RangeError(`β must be finite and ≥ 0, got ${beta}`);
  const { nS, nA, d, H, phi, mu } = m;
  if (piRef.length !== nS * nA) throw new RangeError(`π_ref must have nS·nA = ${nS * nA} entries`);
  const r = linearRewards(m);
  const Q = new Float64Array(H * nS * nA);
  const V = new Float64Array(H * nS);
  const policy = pi ? Float64Array.from(pi) : new Float64Array(H * nS * nA);
  const inner = new Float64Array(d);
  const zero = new Float64Array(nS);
  for (let h = H - 1; h >= 0; h--) {
    const next = h + 1 < H ? V.subarray((h + 1) * nS, (h + 2) * nS) : zero;
    const order = descendingOrder(next);
    for (let i = 0; i < d; i++) inner[i] = tvWorstCaseInto(mu, (h * d + i) * nS, next, 0, order, rho);
    const off = h * nS * nA;
    for (let sa = 0; sa < nS * nA; sa++) {
      let v = r[off + sa];
      for (let i = 0; i < d; i++) v += phi[sa * d + i] * inner[i];
      Q[off + sa] = v;
    }
    for (let s = 0; s < nS; s++) {
      const row = off + s * nA;
      if (pi) {
        let v = 0;
        for (let a = 0; a < nA; a++) if (pi[row + a] > 0) v += pi[row + a] * Q[row + a];
        if (beta > 0) v -= beta * klToReferenceRow(pi, row, piRef, s * nA, nA);
        V[h * nS + s] = v;
      } else if (beta > 0) {
        let mx = -Infinity;
        for (let a = 0; a < nA; a++) if (piRef[s * nA + a] > 0) mx = Math.max(mx, Q[row + a]);
        let z = 0;
        for (let a = 0; a < nA; a++) {
          const w = piRef[s * nA + a] * Math.exp((Q[row + a] - mx) / beta);
          policy[row + a] = w;
          z += w;
        }
        for (let a = 0; a < nA; a++) policy[row + a] /= z;
        V[h * nS + s] = mx + beta * Math.log(z);
      } else {
        let best = 0;
        for (let a = 1; a < nA; a++) if (Q[row + a] > Q[row + best]) best = a;
        policy[row + best] = 1;
        V[h * nS + s] = Q[row + best];
      }
    }
  }
  let value = 0;
  for (let s = 0; s < nS; s++) value += m.init[s] * V[s];
  return { Q, V, value, policy };
}

/** The uniform reference policy π_ref(a|s) = 1/nA, layout [s·nA + a]. */
export function uniformReference(nS: number, nA: number): Float64Array {
  return new Float64Array(nS * nA).fill(1 / nA);
}
