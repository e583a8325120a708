/**
 * The EDM samplers (Karras et al. 2022, "Elucidating the Design Space of Diffusion-Based Generative Models", arXiv
 * 2206.00364) on the plane, with the exact denoiser of a Gaussian mixture and with the testbed's learned DDPM
 * denoiser.
 *
 * EDM's form of the forward process (its Table 1, "VE"/EDM column: s(t) = 1, σ(t) = t): x = y + σ·n, y ~ p_data,
 * n ~ N(0, I), so p(x; σ) = p_data ∗ N(0, σ²I). The probability-flow ODE is dx/dσ = −σ∇log p(x; σ) = (x − D(x; σ))/σ
 * (eq. 1 and 3), D(x; σ) = E[y | x] the ideal denoiser, with D(x; σ) = x + σ²∇log p(x; σ) (eq. 3).
 *
 * - `edmSigmas`: the time steps of Table 1's EDM column (§3),
 *   σ_i = (σ_max^{1/ρ} + i/(n − 1)·(σ_min^{1/ρ} − σ_max^{1/ρ}))^ρ for i < n, σ_n = 0 (defaults σ_min = 0.002,
 *   σ_max = 80, ρ = 7).
 * - `gmmEdmDenoiser`: the exact D of a mixture Σ_k w_k N(μ_k, Σ_k): the posterior mean
 *   Σ_k r_k(x)·(μ_k + Σ_k(Σ_k + σ²I)⁻¹(x − μ_k)), r_k the responsibilities under Σ_k w_k N(μ_k, Σ_k + σ²I)
 *   (env/gmm.ts gmmNoised with a = 1, s = σ). Written from the posterior, not from the score, so that the identity
 *   D = x + σ²∇log p is a test.
 * - `edmHeunStep`, `edmSampleHeun`: Algorithm 1 (deterministic; Heun's 2nd-order correction except on the last step
 *   to σ = 0, which is Euler); 2n − 1 denoiser evaluations for n steps.
 * - `edmSampleStochastic`: Algorithm 2 (γ_i = min(S_churn/n, √2 − 1) for σ_i ∈ [S_tmin, S_tmax], else 0; noise
 *   raised to σ̂_i = (1 + γ_i)σ_i with ε ~ N(0, S_noise²I), then one Heun step from σ̂_i to σ_{i+1}).
 * - `ddpmEdmDenoiser`: a DDPM noise predictor as an EDM denoiser (Table 1's VP column): x_t = √ᾱ_t(y + σ_t n) with
 *   σ_t = √((1 − ᾱ_t)/ᾱ_t), so D(x; σ) = x − σ·ε̂(x/√(1 + σ²), t(σ)), with the step t(σ) interpolated linearly in
 *   log σ between the schedule's integer steps (the network's step input τ = t/T is continuous) and clamped to
 *   [1, T] outside [σ_1, σ_T].
 *
 * Points are 2N flat arrays, as everywhere in the testbed.
 */
import type { Rng } from '../../../core/rng';
import { gmmEval, gmmNoised, type Gmm2d } from '../env/gmm';
import type { EpsMlp } from './denoiser';
import type { DdpmSchedule } from './schedule';

/** A batched EDM denoiser: D(x; σ) (2N) for N points x (2N) at noise level σ ≥ 0. */
export type EdmDenoiserFn = (x: Float64Array, sigma: number, N: number) => Float64Array;

export interface EdmScheduleSpec {
  /** Steps n: n + 1 levels σ_0 = σ_max > … > σ_{n−1} = σ_min > σ_n = 0. */
  steps: number;
  sigmaMin?: number;
  sigmaMax?: number;
  rho?: number;
}

/** EDM's σ discretisation (Karras et al. §3, Table 1): n + 1 levels from σ_max down to σ_min, then 0. */
export function edmSigmas(spec: EdmScheduleSpec): Float64Array {
  const n = spec.steps,
    lo = spec.sigmaMin ?? 0.002,
    hi = spec.sigmaMax ?? 80,
    rho = spec.rho ?? 7;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`diffusion2d.edmSigmas: steps must be an integer ≥ 1`);
  if (!(lo > 0 && hi > lo && rho > 0))
    throw new RangeError(`diffusion2d.edmSigmas: need 0 < σ_min < σ_max and ρ > 0, got ${lo}, ${hi}, ${rho}`);
  const out = new Float64Array(n + 1);
  const a = hi ** (1 / rho),
    b = lo ** (1 / rho);
  if (n === 1) out[0] = hi;
  else for (let i = 0; i < n; i++) out[i] = (a + (i / (n - 1)) * (b - a)) ** rho;
  out[n] = 0;
  return out;
}

/** The exact denoiser E[y | y + σn = x] of a mixture (posterior mean; D(x; 0) = x). */
export function gmmEdmDenoiser(g: Gmm2d): EdmDenoiserFn {
  const K = g.w.length;
  return (x, sigma, N) => {
    if (!(sigma >= 0)) throw new RangeError(`diffusion2d.gmmEdmDenoiser: σ must be ≥ 0, got ${sigma}`);
    if (sigma === 0) return Float64Array.from(x.subarray(0, 2 * N));
    const s2 = sigma * sigma;
    const resp = new Float64Array(N * K);
    gmmEval(gmmNoised(g, 1, sigma), x, N, { resp });
    // per component: G_k = Σ_k (Σ_k + σ²I)⁻¹ (2 × 2)
    const G = new Float64Array(4 * K);
    for (let k = 0; k < K; k++) {
      const sxx = g.cov[3 * k],
        sxy = g.cov[3 * k + 1],
        syy = g.cov[3 * k + 2];
      const axx = sxx + s2,
        ayy = syy + s2,
        det = axx * ayy - sxy * sxy;
      const ixx = ayy / det,
        ixy = -sxy / det,
        iyy = axx / det;
      G[4 * k] = sxx * ixx + sxy * ixy;
      G[4 * k + 1] = sxx * ixy + sxy * iyy;
      G[4 * k + 2] = sxy * ixx + syy * ixy;
      G[4 * k + 3] = sxy * ixy + syy * iyy;
    }
    const out = new Float64Array(2 * N);
    for (let n = 0; n < N; n++) {
      const px = x[2 * n],
        py = x[2 * n + 1];
      let dx = 0,
        dy = 0;
      for (let k = 0; k < K; k++) {
        const r = resp[n * K + k];
        if (r === 0) continue;
        const ex = px - g.mu[2 * k],
          ey = py - g.mu[2 * k + 1];
        dx += r * (g.mu[2 * k] + G[4 * k] * ex + G[4 * k + 1] * ey);
        dy += r * (g.mu[2 * k + 1] + G[4 * k + 2] * ex + G[4 * k + 3] * ey);
      }
      out[2 * n] = dx;
      out[2 * n + 1] = dy;
    }
    return out;
  };
}

/** dx/dσ = (x − D(x; σ))/σ (2N). */
function odeSlope(D: EdmDenoiserFn, x: Float64Array, sigma: number, N: number): Float64Array {
  const d = D(x, sigma, N);
  const out = new Float64Array(2 * N);
  for (let i = 0; i < 2 * N; i++) out[i] = (x[i] - d[i]) / sigma;
  return out;
}

/**
 * One step of the probability-flow ODE from σ_cur > 0 to σ_next ≥ 0 (Algorithm 1, lines 4–8): Euler, then Heun's
 * correction when σ_next > 0.
 */
export function edmHeunStep(D: EdmDenoiserFn, x: Float64Array, sCur: number, sNext: number, N: number): Float64Array {
  const h = sNext - sCur;
  const d = odeSlope(D, x, sCur, N);
  const next = new Float64Array(2 * N);
  for (let i = 0; i < 2 * N; i++) next[i] = x[i] + h * d[i];
  if (sNext === 0) return next;
  const d2 = odeSlope(D, next, sNext, N);
  for (let i = 0; i < 2 * N; i++) next[i] = x[i] + h * 0.5 * (d[i] + d2[i]);
  return next;
}

/** Algorithm 1: x_0 ~ N(0, σ_0²I), then Heun steps along `sigmas` (decreasing, ending at 0). */
export function edmSampleHeun(
  D: EdmDenoiserFn,
  sigmas: Float64Array,
  N: number,
  rng: Rng,
  opts: { xT?: Float64Array } = {},
): Float64Array {
  let x = opts.xT ? Float64Array.from(opts.xT) : rng.split('x0').normals(2 * N, 0, sigmas[0]);
  for (let i = 0; i + 1 < sigmas.length; i++) x = edmHeunStep(D, x, sigmas[i], sigmas[i + 1], N);
  return x;
}

export interface EdmStochasticOptions {
  /** S_churn: the overall amount of stochasticity (γ_i = min(S_churn/n, √2 − 1)). */
  churn: number;
  /** Noise is added only for σ_i ∈ [S_tmin, S_tmax]. */
  tMin: number;
  tMax: number;
  /** S_noise: the standard deviation of the added noise ε, slightly above 1 in the paper. */
  noise: number;
}

/** γ_i of Algorithm 2 for level σ_i with n steps. */
export function edmChurnGamma(o: EdmStochasticOptions, sigma: number, n: number): number {
  return sigma >= o.tMin && sigma <= o.tMax ? Math.min(o.churn / n, Math.SQRT2 - 1) : 0;
}

/** Algorithm 2: at each level, raise the noise to σ̂_i = (1 + γ_i)σ_i, then one Heun step from σ̂_i to σ_{i+1}. */
export function edmSampleStochastic(
  D: EdmDenoiserFn,
  sigmas: Float64Array,
  N: number,
  rng: Rng,
  o: EdmStochasticOptions,
): Float64Array {
  const n = sigmas.length - 1;
  let x = rng.split('x0').normals(2 * N, 0, sigmas[0]);
  for (let i = 0; i < n; i++) {
    const s = sigmas[i];
    const gamma = edmChurnGamma(o, s, n);
    const sHat = s + gamma * s;
    if (gamma > 0) {
      const eps = rng.split(`eps${i}`).normals(2 * N, 0, o.noise);
      const c = Math.sqrt(sHat * sHat - s * s);
      const xh = new Float64Array(2 * N);
      for (let j = 0; j < 2 * N; j++) xh[j] = x[j] + c * eps[j];
      x = xh;
    }
    x = edmHeunStep(D, x, sHat, sigmas[i + 1], N);
  }
  return x;
}

/** σ_t = √((1 − ᾱ_t)/ᾱ_t) of a DDPM schedule, t = 0 … T (σ_0 = 0): the EDM noise level of each step. */
export function ddpmEdmSigmas(sched: DdpmSchedule): Float64Array {
  return Float64Array.from(sched.alphaBar, (ab) => Math.sqrt((1 - ab) / ab));
}

/** The continuous step t(σ) ∈ [1, T]: linear in log σ between integer steps, clamped outside [σ_1, σ_T]. */
export function ddpmStepOfSigma(sigmaT: Float64Array, sigma: number): number {
  const T = sigmaT.length - 1;
  if (sigma <= sigmaT[1]) return 1;
  if (sigma >= sigmaT[T]) return T;
  let t = 1;
  while (sigmaT[t + 1] < sigma) t++;
  return t + (Math.log(sigma) - Math.log(sigmaT[t])) / (Math.log(sigmaT[t + 1]) - Math.log(sigmaT[t]));
}

/**
 * A DDPM noise predictor as an EDM denoiser: D(x; σ) = x − σ·ε̂(x/√(1 + σ²), t(σ)) (prompt for a conditional model).
 * The EDM sampler is then run on σ ∈ [σ_1, σ_T] of the schedule (`ddpmEdmRange`).
 */
export function ddpmEdmDenoiser(model: EpsMlp, sched: DdpmSchedule, prompt?: number): EdmDenoiserFn {
  const sigmaT = ddpmEdmSigmas(sched);
  return (x, sigma, N) => {
    if (sigma === 0) return Float64Array.from(x.subarray(0, 2 * N));
    const a = 1 / Math.sqrt(1 + sigma * sigma);
    const xt = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) xt[i] = a * x[i];
    const eps = model.predict(xt, ddpmStepOfSigma(sigmaT, sigma), N, prompt);
    const out = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) out[i] = x[i] - sigma * eps[i];
    return out;
  };
}

/** The noise range [σ_1, σ_T] a DDPM schedule's denoiser was trained on. */
export function ddpmEdmRange(sched: DdpmSchedule): { sigmaMin: number; sigmaMax: number } {
  const s = ddpmEdmSigmas(sched);
  return { sigmaMin: s[1], sigmaMax: s[sched.T] };
}
