/**
 * DR-RPO (Gu, He, Liu & Xu, "Policy Regularized Distributionally Robust Markov Decision Processes with Linear
 * Function Approximation", arXiv:2510.14246, 2025) and the baselines that share its machinery, on a d-rectangular
 * linear MDP (../env/linear-mdp) with a KNOWN reward r_h = φᵀθ_h and UNKNOWN factors μ_{h,i}.
 *
 * Only the abstract of the paper was readable (see the notebook's deviations): the steps below combine the three
 * ingredients the abstract names — reference-policy regularisation of a softmax policy, d-rectangular linear
 * function approximation with TV uncertainty sets, and an upper-confidence bonus — in their standard published
 * forms; they are a reconstruction, not the paper's algorithm box.
 *
 * Per step h the learner keeps, over the transitions (s^τ_h, a^τ_h, s^τ_{h+1}) of past episodes,
 *   Λ_h = λI + Σ_τ φ_τ φ_τᵀ  (φ_τ = φ(s^τ_h, a^τ_h)),   b_h[i, s'] = Σ_τ φ_{τ,i} 1{s^τ_{h+1} = s'}.
 * Robust optimistic evaluation (backward h = H−1 … 0, V_H ≡ 0), the d-rectangular TV estimator of DR-LSVI-O
 * (Liu & Xu, "Distributionally Robust Off-Dynamics Reinforcement Learning: Provable Efficiency with Linear Function
 * Approximation", AISTATS 2024, arXiv:2402.15399) through the TV dual
 *   inf_{ν ∈ B_ρ(μ)} ⟨ν, V⟩ = max_{α ∈ [min V, max V]} { E_μ[min(V, α)] − ρ(α − min V) }:
 *   ẑ_h(α) = Λ_h⁻¹ Σ_τ φ_τ min(V_{h+1}(s^τ_{h+1}), α)                      (ridge regression of the clipped value)
 *   ν̂_{h,i} = max_{α ∈ {V_{h+1}(s)}} { ẑ_{h,i}(α) − ρ(α − min_s V_{h+1}(s)) }  (ρ = 0: ẑ_{h,i}(max V), plain LSVI)
 *   Γ_h(s, a) = c · Σ_i φ_i(s, a) √(e_iᵀ Λ_h⁻¹ e_i)                           (d-rectangular UCB bonus)
 *   Q̂_h(s, a) = min{ r_h(s, a) + φ(s, a)ᵀ ν̂_h + Γ_h(s, a), H − h }
 *   V̂_h(s)    = Σ_a π_h(a|s) Q̂_h(s, a) − β KL(π_h(·|s) ‖ π_ref(·|s))           (policy optimisation)
 *             = max_a Q̂_h(s, a)                                               (value-based DR-LSVI-O)
 * Policy update (KL-regularised policy mirror descent on the softmax class, step η; the closed form of
 *   π_{k+1,h}(·|s) = argmax_p η[⟨Q̂_h(s, ·), p⟩ − β KL(p ‖ π_ref)] − KL(p ‖ π_{k,h}(·|s))):
 *   π_{k+1,h}(a|s) ∝ π_{k,h}(a|s)^{1/(1+ηβ)} · π_ref(a|s)^{ηβ/(1+ηβ)} · exp(η Q̂_h(s, a)/(1+ηβ)).
 * Episode k: play π_k (policy optimisation) or the greedy policy of Q̂ computed from the data so far (value-based),
 * add the trajectory to the data, then (policy optimisation) evaluate π_k and update to π_{k+1}, as in OPPO
 * (Cai, Yang, Jin & Wang, "Provably Efficient Exploration in Policy Optimization", ICML 2020).
 * Variants: `rho = 0` is non-robust optimistic policy optimisation (OPPO with the same regularisation), `beta = 0`
 * the unregularised robust policy optimisation, `greedy` the value-based DR-LSVI-O.
 * Regret is exact, per episode, by ../solvers/regularized-robust-dp on the true factors.
 */
import type { Rng } from '../../../core/rng';
import { linearRewards, type LinearMdp } from '../env/linear-mdp';
import { robustRegularizedDRectangular } from '../solvers/regularized-robust-dp';

/** The objective the regret is measured on: the regularised d-rectangular TV robust value at (ρ, β, π_ref). */
export interface RegularizedRobustProblem {
  readonly m: LinearMdp;
  readonly rho: number;
  readonly beta: number;
  /** Reference policy, layout [s·nA + a]. */
  readonly piRef: Float64Array;
  /** Optimal regularised robust value V⋆_{ρ,β}. */
  readonly vStarReg: number;
  /** Optimal (unregularised) robust value V⋆_ρ. */
  readonly vStarRobust: number;
}

export function makeRegularizedRobustProblem(
  m: LinearMdp,
  rho: number,
  beta: number,
  piRef: Float64Array,
): RegularizedRobustProblem {
  const vStarReg = robustRegularizedDRectangular(m, rho, beta, piRef).value;
  const vStarRobust = robustRegularizedDRectangular(m, rho, 0, piRef).value;
  return { m, rho, beta, piRef, vStarReg, vStarRobust };
}

export interface DrRpoOptions {
  episodes: number;
  /** TV radius the learner plans against (0: non-robust). */
  rho: number;
  /** Weight β of the KL penalty to π_ref (0: unregularised). */
  beta: number;
  /** Mirror-descent step η (ignored when `greedy`). */
  eta: number;
  /** Bonus multiplier c of Γ (0: no optimism). */
  bonus: number;
  /** Ridge λ of Λ_h. */
  lambda: number;
  /** Value-based: play the greedy policy of the robust optimistic Q̂ (DR-LSVI-O) instead of mirror descent. */
  greedy: boolean;
}

export interface DrRpoRun {
  /** Per-episode regret on the problem's regularised robust objective, V⋆_{ρ,β} − V^{π_k}_{ρ,β}. */
  readonly regret: Float64Array;
  /** Per-episode robust regret without the KL term, V⋆_ρ − V^{π_k}_ρ (the problem's ρ). */
  readonly robustRegret: Float64Array;
  /** The policy played in the last episode, layout [h·nS·nA + s·nA + a]. */
  readonly finalPolicy: Float64Array;
  /**
   * Mean over episodes of V̂_0(s_0) − V^{π_k}: the learner's own estimate minus the exact value it estimates (the
   * regularised robust value for policy optimisation, the robust value for the greedy variant); > 0 is optimism.
   */
  readonly meanOptimism: number;
}

/** d×d inverse of λI maintained by Sherman–Morrison rank-one updates. */
function smUpdate(inv: Float64Array, x: Float64Array, d: number, tmp: Float64Array): void {
  for (let i = 0; i < d; i++) {
    let v = 0;
    for (let j = 0; j < d; j++) v += inv[i * d + j] * x[j];
    tmp[i] = v;
  }
  let den = 1;
  for (let i = 0; i < d; i++) den += x[i] * tmp[i];
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) inv[i * d + j] -= (tmp[i] * tmp[j]) / den;
}

/**
 * The d-rectangular TV estimate of every factor's worst-case value from ridge statistics (module comment):
 * ν̂_i = max_{α ∈ {V(s)}} { ẑ_i(α) − ρ(α − min V) } with ẑ(α) = Λ⁻¹ Σ_{s'} b[·, s'] min(V(s'), α); ρ = 0 gives the
 * plain regression ẑ(max V). `Linv` is d×d row-major, `b` is [i·nS + s'], `next` is V over states; writes `out`.
 */
export function tvRidgeEstimate(
  Linv: ArrayLike<number>,
  b: ArrayLike<number>,
  d: number,
  nS: number,
  next: ArrayLike<number>,
  rho: number,
  out: Float64Array,
): void {
  let vMin = Infinity,
    vMax = -Infinity;
  for (let s = 0; s < nS; s++) {
    vMin = Math.min(vMin, next[s]);
    vMax = Math.max(vMax, next[s]);
  }
  const w = new Float64Array(d);
  const z = new Float64Array(d);
  const zOf = (alpha: number) => {
    for (let i = 0; i < d; i++) {
      let v = 0;
      for (let sp = 0; sp < nS; sp++) v += b[i * nS + sp] * Math.min(next[sp], alpha);
      w[i] = v;
    }
    for (let i = 0; i < d; i++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += Linv[i * d + j] * w[j];
      z[i] = v;
    }
  };
  if (rho === 0) {
    zOf(vMax);
    out.set(z);
    return;
  }
  out.fill(-Infinity);
  for (let s = 0; s < nS; s++) {
    const alpha = next[s];
    zOf(alpha);
    for (let i = 0; i < d; i++) out[i] = Math.max(out[i], z[i] - rho * (alpha - vMin));
  }
}

/**
 * One KL-regularised mirror-descent step on one state's action distribution (module comment):
 * out ∝ π^{1/(1+ηβ)} · π_ref^{ηβ/(1+ηβ)} · exp(η q/(1+ηβ)), the maximiser over p ∈ Δ(A) of
 * η[⟨q, p⟩ − β KL(p ‖ π_ref)] − KL(p ‖ π). Entries are floored at 1e-300 so that logarithms stay finite.
 */
export function regularizedMirrorStep(
  pi: ArrayLike<number>,
  ref: ArrayLike<number>,
  q: ArrayLike<number>,
  eta: number,
  beta: number,
  out: Float64Array,
): void {
  const n = out.length;
  const c = 1 / (1 + eta * beta);
  let mx = -Infinity;
  for (let a = 0; a < n; a++) {
    out[a] = c * (Math.log(pi[a]) + eta * beta * Math.log(ref[a]) + eta * q[a]);
    mx = Math.max(mx, out[a]);
  }
  let z = 0;
  for (let a = 0; a < n; a++) z += Math.exp(out[a] - mx);
  for (let a = 0; a < n; a++) out[a] = Math.max(Math.exp(out[a] - mx) / z, 1e-300);
}

export function runDrRpo(p: RegularizedRobustProblem, o: DrRpoOptions, rng: Rng): DrRpoRun {
  const { m, piRef } = p;
  const { nS, nA, d, H, phi, mu, init } = m;
  const K = o.episodes;
  const r = linearRewards(m);
  const SA = nS * nA;
  // Learner statistics.
  const inv = new Float64Array(H * d * d);
  for (let h = 0; h < H; h++) for (let i = 0; i < d; i++) inv[h * d * d + i * d + i] = 1 / o.lambda;
  const bcount = new Float64Array(H * d * nS);
  // Policy (time-indexed), started at π_ref.
  const pi = new Float64Array(H * SA);
  for (let h = 0; h < H; h++) pi.set(piRef, h * SA);
  const Qhat = new Float64Array(H * SA);
  const Vhat = new Float64Array((H + 1) * nS);
  const regret = new Float64Array(K);
  const robustRegret = new Float64Array(K);
  const tmp = new Float64Array(d);
  const nu = new Float64Array(d);
  const logits = new Float64Array(nA);
  let optimism = 0;

  /** Robust optimistic evaluation of `pol` (or greedy when pol = null) from the current statistics. */
  const evaluate = (pol: Float64Array | null) => {
    Vhat.fill(0, H * nS);
    for (let h = H - 1; h >= 0; h--) {
      const next = Vhat.subarray((h + 1) * nS, (h + 2) * nS);
      const Linv = inv.subarray(h * d * d, (h + 1) * d * d);
      tvRidgeEstimate(Linv, bcount.subarray(h * d * nS, (h + 1) * d * nS), d, nS, next, o.rho, nu);
      const off = h * SA;
      for (let sa = 0; sa < SA; sa++) {
        let q = r[off + sa],
          bonus = 0;
        for (let i = 0; i < d; i++) {
          const f = phi[sa * d + i];
          if (f === 0) continue;
          q += f * nu[i];
          bonus += f * Math.sqrt(Linv[i * d + i]);
        }
        Qhat[off + sa] = Math.min(q + o.bonus * bonus, H - h);
      }
      for (let s = 0; s < nS; s++) {
        const row = off + s * nA;
        let v: number;
        if (pol) {
          v = 0;
          let kl = 0;
          for (let a = 0; a < nA; a++) {
            const x = pol[row + a];
            if (x <= 0) continue;
            v += x * Qhat[row + a];
            kl += x * Math.log(x / piRef[s * nA + a]);
          }
          v -= o.beta * kl;
        } else {
          v = -Infinity;
          for (let a = 0; a < nA; a++) v = Math.max(v, Qhat[row + a]);
        }
        Vhat[h * nS + s] = v;
      }
    }
  };

  const played = new Float64Array(H * SA);
  for (let k = 0; k < K; k++) {
    // The policy of episode k.
    if (o.greedy) {
      evaluate(null);
      played.fill(0);
      for (let h = 0; h < H; h++)
        for (let s = 0; s < nS; s++) {
          const row = h * SA + s * nA;
          let best = 0;
          for (let a = 1; a < nA; a++) if (Qhat[row + a] > Qhat[row + best]) best = a;
          played[row + best] = 1;
        }
    } else played.set(pi);
    // Exact regret of the played policy.
    const vReg = robustRegularizedDRectangular(m, p.rho, p.beta, piRef, played).value;
    regret[k] = p.vStarReg - vReg;
    robustRegret[k] = p.vStarRobust - robustRegularizedDRectangular(m, p.rho, 0, piRef, played).value;
    // Roll out one episode on the nominal kernel and add it to the statistics.
    let s = rng.categorical(init);
    for (let h = 0; h < H; h++) {
      const row = h * SA + s * nA;
      const a = rng.categorical(played.subarray(row, row + nA));
      const sa = s * nA + a;
      const x = phi.subarray(sa * d, (sa + 1) * d);
      // next state: factor i ~ φ(s, a), then s' ~ μ_{h,i}
      const i = rng.categorical(x);
      const sp = rng.categorical(mu.subarray((h * d + i) * nS, (h * d + i + 1) * nS));
      smUpdate(inv.subarray(h * d * d, (h + 1) * d * d), x, d, tmp);
      for (let j = 0; j < d; j++) bcount[(h * d + j) * nS + sp] += x[j];
      s = sp;
    }
    if (!o.greedy) {
      // Evaluate π_k with the new data, then the mirror-descent step.
      evaluate(pi);
      let v0 = 0;
      for (let s0 = 0; s0 < nS; s0++) v0 += init[s0] * Vhat[s0];
      optimism += (v0 - vReg) / K;
      for (let h = 0; h < H; h++)
        for (let s0 = 0; s0 < nS; s0++) {
          const row = h * SA + s0 * nA;
          regularizedMirrorStep(
            pi.subarray(row, row + nA),
            piRef.subarray(s0 * nA, (s0 + 1) * nA),
            Qhat.subarray(row, row + nA),
            o.eta,
            o.beta,
            logits,
          );
          pi.set(logits, row);
        }
    } else {
      // Greedy: V̂ was computed before this episode's data; its target is the unregularised robust value.
      let v0 = 0;
      for (let s0 = 0; s0 < nS; s0++) v0 += init[s0] * Vhat[s0];
      optimism += (v0 - (p.vStarRobust - robustRegret[k])) / K;
    }
  }
  return { regret, robustRegret, finalPolicy: Float64Array.from(played), meanOptimism: optimism };
}
