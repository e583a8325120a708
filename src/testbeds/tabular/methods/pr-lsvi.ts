/**
 * PR-LSVI (Wu & Sun, "Making RL with Preference-based Feedback Efficient via Randomization", ICLR 2024,
 * arXiv:2310.14554, Algorithm 1) on a linear MDP with KNOWN transitions, so that only its reward part is exercised:
 * trajectory-pair Bradley–Terry feedback P(τ¹ ≻ τ⁰) = σ(wᵀ(ψ(τ¹) − ψ(τ⁰))) on the trajectory features
 * ψ(τ) = Σ_h φ(s_h, a_h) (../env/trajectory-features), w = β·θ* unknown.
 *
 * What was readable of the paper is its abstract, the opening of its introduction and the public reviews (Algorithm 1
 * "combines the MLE and Gaussian exploration", "only queries the feedback when the two trajectories can have a large
 * gap (2)", one trajectory from the latest policy and one from an older policy, parameters σ_r, σ_P, ε). The steps
 * below follow that description; the exact forms (the Gram matrix as the perturbation's precision, the elliptical
 * norm as the query statistic, the previous episode's policy as the older one) are this implementation's, not
 * quoted equations. Each episode t:
 *   1. MLE  ŵ_t = argmin_w Σ_{i<t queried} −log σ(y_i·wᵀx_i) + (λ/2)‖w‖²     (x_i = ψ(τ¹_i) − ψ(τ⁰_i), y_i = ±1)
 *   2. Σ_t = λI + Σ_{i<t queried} x_i x_iᵀ;  perturbation  w̃_t = ŵ_t + σ_r·Σ_t^{−1/2}ξ,  ξ ~ N(0, I_d)
 *      (w̃_t ~ N(ŵ_t, σ_r² Σ_t^{−1}): the randomisation; σ_r = 0 is the greedy MLE plan)
 *   3. π¹_t = greedy policy of the reward φᵀw̃_t (exact value iteration, known kernels); π⁰_t = π¹_{t−1}
 *   4. roll out τ¹ ~ π¹_t and τ⁰ ~ π⁰_t; query the label iff the pair's reward gap is still uncertain,
 *      ‖x_t‖_{Σ_t^{−1}} > ε (ε = 0: always query) — the gap wᵀx_t can still move by σ_r‖x_t‖_{Σ_t^{−1}} under the
 *      perturbation and by a multiple of it over the confidence ellipsoid.
 * A `random` query rule (query with a fixed probability) gives the equal-budget baseline.
 * Regret is exact: V*(θ*) − V^{π¹_t}(θ*) by backward induction, per episode.
 */
import type { Rng } from '../../../core/rng';
import { fitBTOnDifferences } from '../../preference/methods/bradley-terry';
import { solveSPD } from '../../preference/solvers/cholesky';
import { linearRewards, nominalKernels, type LinearMdp } from '../env/linear-mdp';
import { sampleTrajectoryFeatures, sharedRewardLinearMdp } from '../env/trajectory-features';
import { evaluateUnderKernels, greedyOneHot, robustDRectangular } from '../solvers/robust-value-iteration';

/** A preference-feedback problem: a linear MDP, its true shared reward θ* and the Bradley–Terry scale β. */
export interface PreferenceLinearProblem {
  readonly m: LinearMdp;
  /** True reward vector θ* (length d), shared by every step. */
  readonly thetaStar: Float64Array;
  /** Bradley–Terry scale β: P(τ¹ ≻ τ⁰) = σ(β·θ*ᵀ(ψ(τ¹) − ψ(τ⁰))). */
  readonly beta: number;
  /** Nominal kernels (known to the learner). */
  readonly kernels: Float64Array;
  /** True rewards r_h(s, a) = φ(s, a)ᵀθ*, layout [h·nS·nA + s·nA + a]. */
  readonly rTrue: Float64Array;
  /** Optimal value V*(θ*) from the initial distribution. */
  readonly vStar: number;
}

export function makePreferenceLinearProblem(
  m: LinearMdp,
  thetaStar: Float64Array,
  beta: number,
): PreferenceLinearProblem {
  const shared = sharedRewardLinearMdp(m, thetaStar);
  const kernels = nominalKernels(shared);
  const rTrue = linearRewards(shared);
  const vStar = robustDRectangular(shared, 0).value;
  return { m: shared, thetaStar, beta, kernels, rTrue, vStar };
}

/** Greedy deterministic time-indexed policy of the reward φᵀw (exact backward induction, known kernels). */
export function greedyLinearPolicy(m: LinearMdp, w: ArrayLike<number>): Float64Array {
  const sol = robustDRectangular(sharedRewardLinearMdp(m, w), 0);
  return greedyOneHot(sol.Q, m.nS, m.nA, m.H);
}

/** Exact value of a time-indexed policy under the true reward of the problem. */
export function trueValue(p: PreferenceLinearProblem, pi: Float64Array): number {
  const { nS, nA, H, init } = p.m;
  return evaluateUnderKernels(nS, nA, H, p.kernels, p.rTrue, init, pi);
}

/** The uniform time-indexed policy. */
export function uniformTimePolicy(m: LinearMdp): Float64Array {
  return new Float64Array(m.H * m.nS * m.nA).fill(1 / m.nA);
}

/** Lower Cholesky factor L of an SPD d×d matrix (Σ = L·Lᵀ), row-major, upper triangle zero. */
export function choleskyFactor(S: Float64Array, d: number): Float64Array {
  const A = Float64Array.from(S);
  solveSPD(A, new Float64Array(d), d, 'choleskyFactor: Σ must be positive definite');
  for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) A[i * d + j] = 0;
  return A;
}

/** ‖x‖_{Σ^{−1}} = ‖L^{−1}x‖ from the lower Cholesky factor L of Σ (forward substitution). */
export function ellipticalNorm(L: Float64Array, x: ArrayLike<number>, d: number): number {
  const z = new Float64Array(d);
  let s2 = 0;
  for (let i = 0; i < d; i++) {
    let v = x[i];
    for (let k = 0; k < i; k++) v -= L[i * d + k] * z[k];
    z[i] = v / L[i * d + i];
    s2 += z[i] * z[i];
  }
  return Math.sqrt(s2);
}

/** Step 2: w̃ = ŵ + σ·L^{−T}ξ ~ N(ŵ, σ²Σ^{−1}) (back substitution Lᵀv = ξ). */
export function perturbEstimate(wHat: ArrayLike<number>, L: Float64Array, sigma: number, rng: Rng): Float64Array {
  const d = wHat.length;
  const out = Float64Array.from(wHat);
  if (sigma === 0) return out;
  const xi = rng.normals(d);
  const v = new Float64Array(d);
  for (let i = d - 1; i >= 0; i--) {
    let s = xi[i];
    for (let k = i + 1; k < d; k++) s -= L[k * d + i] * v[k];
    v[i] = s / L[i * d + i];
  }
  for (let i = 0; i < d; i++) out[i] += sigma * v[i];
  return out;
}

/**
 * Step 1: the ridge-regularised Bradley–Terry MLE on the first n rows of X (n × d) with labels y ∈ {0, 1}
 * (1: τ¹ preferred). `fitBTOnDifferences` minimises the mean loss + (l2/2)‖w‖², so l2 = λ/n gives the summed
 * objective above.
 */
export function preferenceMle(X: Float64Array, y: Float64Array, n: number, d: number, lambda: number): Float64Array {
  if (n === 0) return new Float64Array(d);
  const D = X.subarray(0, n * d);
  const p = y.subarray(0, n);
  const w = new Float64Array(n).fill(1);
  return fitBTOnDifferences(D, p, w, d, { l2: lambda / n, tol: 1e-10, maxIter: 50 }).theta;
}

/** Which pairs are sent for a label. */
export type QueryRule =
  { readonly kind: 'uncertainty'; readonly epsilon: number } | { readonly kind: 'random'; readonly prob: number };

export interface PrLsviOptions {
  episodes: number;
  /** σ_r, the perturbation scale (0: greedy MLE). */
  sigma: number;
  /** Ridge λ of the MLE and of Σ_t. */
  lambda: number;
  query: QueryRule;
}

export interface PrLsviRun {
  /** Per-episode regret V* − V^{π¹_t} (exact). */
  readonly regret: Float64Array;
  /** 1 where the pair of episode t was labelled. */
  readonly queried: Uint8Array;
  /** The last MLE ŵ. */
  readonly wHat: Float64Array;
  /**
   * log det(Σ_T) − d·log λ. The elliptical-potential lemma bounds the labels of the rule ‖x‖_{Σ^{−1}} > ε:
   * Σ_{queried} min(1, ‖x_t‖²_{Σ_t^{−1}}) ≤ 2·logDetRatio, so #queries ≤ 2·logDetRatio / min(1, ε²).
   */
  readonly logDetRatio: number;
}

/** Runs PR-LSVI (module comment) for `episodes` episodes. */
export function runPrLsvi(p: PreferenceLinearProblem, o: PrLsviOptions, rng: Rng): PrLsviRun {
  const { m } = p;
  const d = m.d;
  const T = o.episodes;
  if (!(o.sigma >= 0 && o.lambda > 0 && T >= 1)) throw new RangeError('runPrLsvi: need σ ≥ 0, λ > 0, episodes ≥ 1');
  const X = new Float64Array(T * d);
  const y = new Float64Array(T);
  let n = 0;
  const Sigma = new Float64Array(d * d);
  for (let i = 0; i < d; i++) Sigma[i * d + i] = o.lambda;
  let L = choleskyFactor(Sigma, d);
  let wHat: Float64Array = new Float64Array(d);
  const regret = new Float64Array(T);
  const queried = new Uint8Array(T);
  let piOld = uniformTimePolicy(m);
  const psi1 = new Float64Array(d);
  const psi0 = new Float64Array(d);
  const x = new Float64Array(d);
  const rPert = rng.split('perturbation');
  const rRoll = rng.split('rollouts');
  const rQuery = rng.split('queries');
  const rLabel = rng.split('labels');
  for (let t = 0; t < T; t++) {
    const wTilde = perturbEstimate(wHat, L, o.sigma, rPert);
    const pi = greedyLinearPolicy(m, wTilde);
    regret[t] = Math.max(0, p.vStar - trueValue(p, pi));
    sampleTrajectoryFeatures(m, p.kernels, pi, rRoll, psi1);
    sampleTrajectoryFeatures(m, p.kernels, piOld, rRoll, psi0);
    for (let i = 0; i < d; i++) x[i] = psi1[i] - psi0[i];
    const u = rQuery.uniform();
    const ask = o.query.kind === 'uncertainty' ? ellipticalNorm(L, x, d) > o.query.epsilon : u < o.query.prob;
    if (ask) {
      let z = 0;
      for (let i = 0; i < d; i++) z += p.thetaStar[i] * x[i];
      const pPref = 1 / (1 + Math.exp(-p.beta * z));
      y[n] = rLabel.uniform() < pPref ? 1 : 0;
      X.set(x, n * d);
      n++;
      queried[t] = 1;
      for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) Sigma[a * d + b] += x[a] * x[b];
      L = choleskyFactor(Sigma, d);
      wHat = preferenceMle(X, y, n, d, o.lambda);
    }
    piOld = pi;
  }
  let logDet = 0;
  for (let i = 0; i < d; i++) logDet += 2 * Math.log(L[i * d + i]);
  return { regret, queried, wHat, logDetRatio: logDet - d * Math.log(o.lambda) };
}
