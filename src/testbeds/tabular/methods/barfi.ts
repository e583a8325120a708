/**
 * BARFI — Behavior Alignment Reward Function's Implicit optimisation (Gupta, Chandak, Jordan,
 * Thomas & da Silva, "Behavior Alignment via Reward Function Optimization", NeurIPS 2023,
 * arXiv:2310.19007) — on a tabular softmax policy.
 *
 * Bi-level objective (paper §3): the designer's primary reward r_p and discount γ define the
 * performance J(θ) = E_π_θ[Σ_t γ^t r_p]; a parameterised "behavior alignment" reward r_φ and
 * discount γ_φ drive the inner learner:
 *   φ* ∈ argmax_φ J(θ(φ)),   θ(φ) = the fixed point of the inner learner on (r_φ, γ_φ).
 * Parameterisation (official code, barfi-gw/src/utils/Reward.py: `x[:,0] + r + x[:,2]*aux_r`, and
 * `sigmoid(gamma_param)`), with tabular features:
 *   r_φ(s,a,s') = r_p(s,a,s') + φ1(o(s)) + φ2(o(s)) · r_aux(s,a,s'),   γ_φ = σ(φ_γ).
 * Outer gradient by implicit differentiation at the inner fixed point (∇_θ L_φ(θ*) = 0):
 *   dJ/dφ = −∇_θJᵀ (∇²_θ L_φ)⁻¹ ∇_θ∇_φ L_φ,
 * with the inverse-Hessian–vector product approximated by a truncated Neumann series (Lorraine,
 * Vicol & Duvenaud 2020, as in the official BarfiNeumann.py):
 *   −(∇²_θ L_φ)⁻¹ v ≈ α Σ_{j=0}^{K} (I + α ∇²_θ L_φ)^j v.
 * Inner learner: REINFORCE on r_φ, γ_φ whose surrogate on a batch D of episodes is
 *   L_φ(θ) = (1/|D|) Σ_episodes Σ_t w_t G^φ_t log π_θ(A_t|S_t),  G^φ_t = Σ_{k≥t} γ_φ^{k−t} r_φ(S_k, A_k, S_{k+1}),
 * with w_t = 1 (the γ^t-free estimator of the official code) or γ_φ^t. For the tabular softmax the
 * Hessian of L_φ in θ (data held fixed) is block-diagonal over observation rows o:
 *   ∇²_{θ_o} L_φ = −ω_o (diag π_o − π_o π_oᵀ),   ω_o = (1/|D|) Σ_{t: o(S_t)=o} w_t G^φ_t,
 * and for a vector p, pᵀ∇_θ∇_φ L_φ = (1/|D|) Σ_t w_t c_t ∂G^φ_t/∂φ with c_t = p[o_t, A_t] − Σ_b π(b|o_t) p[o_t, b];
 * the sums over t of ∂G^φ_t/∂φ are accumulated by forward recursions (see `mixedProduct`).
 * ∇_θJ is the unbiased REINFORCE estimate (with γ^t) of the primary objective on fresh episodes.
 */

import type { Rng } from '../../../core/rng';
import type { TabularEnv } from '../env/mdp';
import { identityObs, softmaxPolicy } from '../policies/softmax';
import { reinforceGradient, rollouts, type EpisodeBatch } from '../loops/learners';
import { RmsProp } from '../loops/optimize';

/**
 * γ_φ = σ(φ_γ) in the plain form 1 / (1 + e^{−x}) of the official code. Kept apart from
 * `math.sigmoid` (which evaluates e^{x} / (1 + e^{x}) for x < 0): for negative x the two round
 * differently in the last bit, and the BARFI results were computed with this form.
 */
const plainSigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const logit = (p: number) => Math.log(p / (1 - p));

export interface BarfiOptions {
  episodes: number;
  /** Episodes per iteration (δ in the official code): one outer and one inner update per iteration. */
  batch: number;
  horizon: number;
  rng: Rng;
  /** Primary reward (dense r_p(s,a,s')) and its discount γ (the outer objective). */
  primary: Float64Array;
  gamma: number;
  /** Auxiliary reward (dense r_aux(s,a,s')). */
  aux: Float64Array;
  terminal?: Uint8Array;
  obs?: Int32Array;
  /** RMSprop learning rate of the policy θ and of φ. */
  lrTheta: number;
  lrPhi: number;
  /** Inner estimator drops γ_φ^t (official code) when false. */
  innerDiscountWeights: boolean;
  /** Initial blend: φ1 = 0, φ2 = phi2Init, γ_φ = gammaInit. */
  phi2Init: number;
  gammaInit: number;
  /** Neumann terms K and the number of recent (buffered) episodes the Hessian terms use. */
  neumannTerms: number;
  hessianEpisodes: number;
  /** Learn γ_φ (default true). */
  learnGamma?: boolean;
  onIteration?: (
    episodesSeen: number,
    pi: Float64Array,
    state: { phi1: Float64Array; phi2: Float64Array; gammaPhi: number },
  ) => void;
}

/** Step rewards r_φ,t and the auxiliary rewards of a batch (one entry per step). */
export function alignedRewards(
  batch: EpisodeBatch,
  obs: Int32Array,
  phi1: Float64Array,
  phi2: Float64Array,
): Float64Array {
  const rp = batch.rewards[0],
    ra = batch.rewards[1];
  const out = new Float64Array(rp.length);
  for (let i = 0; i < rp.length; i++) {
    const o = obs[batch.states[i]];
    out[i] = rp[i] + phi1[o] + phi2[o] * ra[i];
  }
  return out;
}

/** Concatenate episode batches. */
function concatBatches(batches: EpisodeBatch[]): EpisodeBatch {
  const nEp = batches.reduce((s, b) => s + b.nEpisodes, 0);
  const nSteps = batches.reduce((s, b) => s + b.states.length, 0);
  const nCh = batches[0].rewards.length;
  const out: EpisodeBatch = {
    nEpisodes: nEp,
    offsets: new Int32Array(nEp + 1),
    states: new Int32Array(nSteps),
    actions: new Int32Array(nSteps),
    nextStates: new Int32Array(nSteps),
    rewards: Array.from({ length: nCh }, () => new Float64Array(nSteps)),
    terminated: new Uint8Array(nEp),
  };
  let e0 = 0,
    s0 = 0;
  for (const b of batches) {
    for (let e = 0; e < b.nEpisodes; e++) {
      out.offsets[e0 + e + 1] = s0 + b.offsets[e + 1];
      out.terminated[e0 + e] = b.terminated[e];
    }
    out.states.set(b.states, s0);
    out.actions.set(b.actions, s0);
    out.nextStates.set(b.nextStates, s0);
    for (let c = 0; c < nCh; c++) out.rewards[c].set(b.rewards[c], s0);
    e0 += b.nEpisodes;
    s0 += b.states.length;
  }
  return out;
}

/**
 * pᵀ ∇_θ∇_φ L_φ for φ = (φ1, φ2, γ_φ): returns the gradient with respect to φ1, φ2 (per observation
 * row) and γ_φ. With C_k = Σ_{t≤k} w_t c_t γ_φ^{k−t} (C_k = w_k c_k + γ_φ C_{k−1}) and
 * D_k = Σ_{t<k} w_t c_t (k−t) γ_φ^{k−t−1} (D_k = γ_φ D_{k−1} + C_{k−1}):
 *   ∂/∂φ1(o) = Σ_k 1[o(S_k)=o] C_k,   ∂/∂φ2(o) = Σ_k 1[o(S_k)=o] r_aux,k C_k,   ∂/∂γ_φ = Σ_k r_φ,k D_k
 * (+ Σ_t t γ_φ^{t−1} c_t G^φ_t when w_t = γ_φ^t).
 */
export function mixedProduct(
  batch: EpisodeBatch,
  obs: Int32Array,
  nA: number,
  pi: Float64Array,
  p: Float64Array,
  rPhi: Float64Array,
  gammaPhi: number,
  discountWeights: boolean,
  nRows: number,
): { g1: Float64Array; g2: Float64Array; gGamma: number } {
  const g1 = new Float64Array(nRows),
    g2 = new Float64Array(nRows);
  let gGamma = 0;
  const ra = batch.rewards[1];
  for (let e = 0; e < batch.nEpisodes; e++) {
    const lo = batch.offsets[e],
      hi = batch.offsets[e + 1];
    // With w_t = γ_φ^t the weights depend on γ_φ too: ∂/∂γ_φ adds Σ_t t γ_φ^{t−1} c_t G^φ_t.
    let Gs: Float64Array | null = null;
    if (discountWeights) {
      Gs = new Float64Array(hi - lo);
      let G = 0;
      for (let i = hi - 1; i >= lo; i--) {
        G = rPhi[i] + gammaPhi * G;
        Gs[i - lo] = G;
      }
    }
    let C = 0,
      D = 0,
      w = 1,
      wPrime = 0;
    for (let i = lo; i < hi; i++) {
      const s = batch.states[i];
      const o = obs[s];
      let pm = 0;
      for (let b = 0; b < nA; b++) pm += pi[s * nA + b] * p[o * nA + b];
      const c = p[o * nA + batch.actions[i]] - pm;
      D = gammaPhi * D + C; // uses C_{k−1}
      C = (discountWeights ? w : 1) * c + gammaPhi * C;
      g1[o] += C;
      g2[o] += ra[i] * C;
      gGamma += rPhi[i] * D;
      if (Gs) gGamma += wPrime * c * Gs[i - lo];
      wPrime = wPrime * gammaPhi + w; // d(γ^{t+1})/dγ = γ·d(γ^t)/dγ + γ^t
      w *= gammaPhi;
    }
  }
  const N = batch.nEpisodes;
  if (N > 0) {
    for (let o = 0; o < nRows; o++) {
      g1[o] /= N;
      g2[o] /= N;
    }
    gGamma /= N;
  }
  return { g1, g2, gGamma };
}

/** ω_o = (1/|D|) Σ_{t: o(S_t)=o} w_t G^φ_t (the Hessian block weights of L_φ). */
export function hessianWeights(
  batch: EpisodeBatch,
  obs: Int32Array,
  rPhi: Float64Array,
  gammaPhi: number,
  discountWeights: boolean,
  nRows: number,
): Float64Array {
  const om = new Float64Array(nRows);
  for (let e = 0; e < batch.nEpisodes; e++) {
    const lo = batch.offsets[e],
      hi = batch.offsets[e + 1];
    let G = 0;
    const Gs = new Float64Array(hi - lo);
    for (let i = hi - 1; i >= lo; i--) {
      G = rPhi[i] + gammaPhi * G;
      Gs[i - lo] = G;
    }
    let w = 1;
    for (let i = lo; i < hi; i++) {
      om[obs[batch.states[i]]] += (discountWeights ? w : 1) * Gs[i - lo];
      w *= gammaPhi;
    }
  }
  if (batch.nEpisodes > 0) for (let o = 0; o < nRows; o++) om[o] /= batch.nEpisodes;
  return om;
}

/**
 * H u for the block-diagonal surrogate Hessian H = ∇²_θ L_φ: block o is −ω_o (diag π_o − π_o π_oᵀ),
 * with π_o = softmax(θ[o, ·]) (rowPi, length nRows·nA).
 */
export function surrogateHessianVector(
  u: Float64Array,
  omega: Float64Array,
  rowPi: Float64Array,
  nA: number,
): Float64Array {
  const out = new Float64Array(u.length);
  for (let o = 0; o < omega.length; o++) {
    let pu = 0;
    for (let a = 0; a < nA; a++) pu += rowPi[o * nA + a] * u[o * nA + a];
    for (let a = 0; a < nA; a++) out[o * nA + a] = -omega[o] * rowPi[o * nA + a] * (u[o * nA + a] - pu);
  }
  return out;
}

/**
 * α Σ_{j=0}^{K} (I + αH)^j v ≈ −H⁻¹ v (truncated Neumann series; Lorraine et al. 2020, Alg. 3).
 * α = 0.5 / max_o |ω_o| keeps every eigenvalue of I + αH in [0, 2] (‖diag π − ππᵀ‖ ≤ 1), and in
 * [0, 1) where ω_o > 0 (H negative definite on the rows' non-constant directions).
 */
export function neumannInverseHvp(
  v: Float64Array,
  omega: Float64Array,
  rowPi: Float64Array,
  nA: number,
  K: number,
): Float64Array {
  let maxW = 0;
  for (let o = 0; o < omega.length; o++) maxW = Math.max(maxW, Math.abs(omega[o]));
  const alpha = maxW > 0 ? 0.5 / maxW : 1;
  let u = Float64Array.from(v);
  const acc = Float64Array.from(v);
  for (let j = 1; j <= K; j++) {
    const hu = surrogateHessianVector(u, omega, rowPi, nA);
    for (let i = 0; i < u.length; i++) u[i] += alpha * hu[i];
    for (let i = 0; i < acc.length; i++) acc[i] += u[i];
  }
  for (let i = 0; i < acc.length; i++) acc[i] *= alpha;
  return acc;
}

export interface BarfiResult {
  theta: Float64Array;
  phi1: Float64Array;
  phi2: Float64Array;
  gammaPhi: number;
}

/** Train a REINFORCE agent with BARFI's learned reward and discount (see the module comment). */
export function trainBarfi(env: TabularEnv, o: BarfiOptions): BarfiResult {
  const { nS, nA } = env;
  const obs = o.obs ?? identityObs(nS);
  let nRows = 0;
  for (let s = 0; s < nS; s++) nRows = Math.max(nRows, obs[s] + 1);
  const theta = new Float64Array(nRows * nA);
  const phi1 = new Float64Array(nRows);
  const phi2 = new Float64Array(nRows).fill(o.phi2Init);
  let phiGamma = logit(o.gammaInit);
  const optTheta = new RmsProp(theta.length, o.lrTheta);
  const optPhi = new RmsProp(2 * nRows + 1, o.lrPhi);
  const phiVec = new Float64Array(2 * nRows + 1);
  const buffer: EpisodeBatch[] = [];
  let bufferEpisodes = 0;
  let seen = 0;
  let first = true;
  const learnGamma = o.learnGamma ?? true;
  while (seen < o.episodes) {
    const n = Math.min(o.batch, o.episodes - seen);
    const pi = softmaxPolicy(nS, nA, theta, obs);
    const batch = rollouts(env, pi, {
      episodes: n,
      horizon: o.horizon,
      rng: o.rng,
      rewards: [o.primary, o.aux],
      terminal: o.terminal,
    });
    let gammaPhi = plainSigmoid(phiGamma);
    if (!first && buffer.length > 0) {
      // Outer update: v = ∇_θ J (primary, unbiased, fresh episodes); Neumann series on buffered episodes.
      const v = reinforceGradient(batch, batch.rewards[0], pi, nA, nRows, obs, {
        gamma: o.gamma,
        discountWeights: true,
      });
      const hb = concatBatches(buffer);
      const rPhiH = alignedRewards(hb, obs, phi1, phi2);
      const omega = hessianWeights(hb, obs, rPhiH, gammaPhi, o.innerDiscountWeights, nRows);
      const rowPi = softmaxPolicy(nRows, nA, theta, identityObs(nRows));
      const acc = neumannInverseHvp(v, omega, rowPi, nA, o.neumannTerms); // ≈ −H⁻¹ v
      const mp = mixedProduct(
        hb,
        obs,
        nA,
        softmaxPolicy(nS, nA, theta, obs),
        acc,
        rPhiH,
        gammaPhi,
        o.innerDiscountWeights,
        nRows,
      );
      const grad = new Float64Array(2 * nRows + 1);
      grad.set(mp.g1, 0);
      grad.set(mp.g2, nRows);
      grad[2 * nRows] = learnGamma ? mp.gGamma * gammaPhi * (1 - gammaPhi) : 0;
      phiVec.set(phi1, 0);
      phiVec.set(phi2, nRows);
      phiVec[2 * nRows] = phiGamma;
      optPhi.step(phiVec, grad);
      phi1.set(phiVec.subarray(0, nRows));
      phi2.set(phiVec.subarray(nRows, 2 * nRows));
      phiGamma = phiVec[2 * nRows];
      gammaPhi = plainSigmoid(phiGamma);
    }
    // Inner update: REINFORCE on r_φ, γ_φ with the fresh episodes.
    const rPhi = alignedRewards(batch, obs, phi1, phi2);
    const g = reinforceGradient(batch, rPhi, pi, nA, nRows, obs, {
      gamma: gammaPhi,
      discountWeights: o.innerDiscountWeights,
    });
    optTheta.step(theta, g);
    buffer.push(batch);
    bufferEpisodes += batch.nEpisodes;
    while (buffer.length > 1 && bufferEpisodes - buffer[0].nEpisodes >= o.hessianEpisodes) {
      bufferEpisodes -= buffer[0].nEpisodes;
      buffer.shift();
    }
    first = false;
    seen += n;
    o.onIteration?.(seen, softmaxPolicy(nS, nA, theta, obs), { phi1, phi2, gammaPhi });
  }
  return { theta, phi1, phi2, gammaPhi: plainSigmoid(phiGamma) };
}
