/**
 * DDPM's reverse process with a noise predictor ε̂(x_t, t) (Ho et al. 2020, Algorithm 2 and eq. 11):
 *   p_θ(x_{t−1} | x_t) = N(μ_θ(x_t, t), σ_t² I),  μ_θ = (x_t − β_t/√(1 − ᾱ_t)·ε̂)/√α_t,
 * its per-step Gaussian log-probabilities log p_θ(x_{t−1} | x_t) (what DDPO and Flow-GRPO-style methods use as
 * the policy's log-likelihood of an action) and their gradient with respect to ε̂ (to backpropagate a per-step
 * policy gradient into the denoiser), and the exact noise predictor of a Gaussian mixture
 * ε*(x_t, t) = −√(1 − ᾱ_t)·∇log p_t(x_t) (the score of the exactly noised mixture).
 * Points are 2N flat arrays; log-probabilities are in nats over both coordinates.
 */
import type { Rng } from '../../../core/rng';
import { gmmNoised, gmmScore, type Gmm2d } from '../env/gmm';
import { ddpmNoiseLevel, type DdpmSchedule } from './schedule';

/** A batched noise predictor: ε̂ (2N) for N points x_t (2N) at step t (1…T). */
export type EpsFn = (x: Float64Array, t: number, N: number) => Float64Array;

/** μ_θ(x_t, t) for N points (Ho et al. eq. 11). */
export function ddpmMean(sched: DdpmSchedule, t: number, xt: ArrayLike<number>, eps: ArrayLike<number>, N: number) {
  const c = sched.beta[t] / Math.sqrt(1 - sched.alphaBar[t]),
    k = 1 / Math.sqrt(sched.alpha[t]);
  const mu = new Float64Array(2 * N);
  for (let i = 0; i < 2 * N; i++) mu[i] = k * (xt[i] - c * eps[i]);
  return mu;
}

/** log N(x_{t−1}; μ_θ(x_t, t), σ_t² I) for N transitions. */
export function ddpmLogProb(
  sched: DdpmSchedule,
  t: number,
  xt: ArrayLike<number>,
  xprev: ArrayLike<number>,
  eps: ArrayLike<number>,
  N: number,
): Float64Array {
  const mu = ddpmMean(sched, t, xt, eps, N);
  const s2 = sched.sigma2[t];
  const lognorm = -Math.log(2 * Math.PI * s2);
  const out = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const dx = xprev[2 * n] - mu[2 * n],
      dy = xprev[2 * n + 1] - mu[2 * n + 1];
    out[n] = lognorm - (dx * dx + dy * dy) / (2 * s2);
  }
  return out;
}

/**
 * ∂ log p_θ(x_{t−1} | x_t)/∂ε̂ = (x_{t−1} − μ)/σ_t² · ∂μ/∂ε̂, with ∂μ/∂ε̂ = −β_t/(√α_t √(1 − ᾱ_t)) (2N).
 */
export function ddpmLogProbGradEps(
  sched: DdpmSchedule,
  t: number,
  xt: ArrayLike<number>,
  xprev: ArrayLike<number>,
  eps: ArrayLike<number>,
  N: number,
): Float64Array {
  const mu = ddpmMean(sched, t, xt, eps, N);
  const dmu = -sched.beta[t] / (Math.sqrt(sched.alpha[t]) * Math.sqrt(1 - sched.alphaBar[t]));
  const k = dmu / sched.sigma2[t];
  const g = new Float64Array(2 * N);
  for (let i = 0; i < 2 * N; i++) g[i] = k * (xprev[i] - mu[i]);
  return g;
}

/** x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε (2N), with one step t per point. */
export function ddpmForward(
  sched: DdpmSchedule,
  x0: ArrayLike<number>,
  t: Int32Array,
  eps: ArrayLike<number>,
): Float64Array {
  const N = t.length,
    xt = new Float64Array(2 * N);
  for (let n = 0; n < N; n++) {
    const a = Math.sqrt(sched.alphaBar[t[n]]),
      s = Math.sqrt(1 - sched.alphaBar[t[n]]);
    xt[2 * n] = a * x0[2 * n] + s * eps[2 * n];
    xt[2 * n + 1] = a * x0[2 * n + 1] + s * eps[2 * n + 1];
  }
  return xt;
}

/** The exact noise predictor of a mixture: ε*(x_t, t) = −√(1 − ᾱ_t) ∇log p_t(x_t), p_t the noised mixture. */
export function exactEps(sched: DdpmSchedule, g: Gmm2d): EpsFn {
  const noised = Array.from({ length: sched.T + 1 }, (_, t) => {
    if (t === 0) return g;
    const { a, s } = ddpmNoiseLevel(sched, t);
    return gmmNoised(g, a, s);
  });
  return (x, t, N) => {
    const sc = gmmScore(noised[t], x, N);
    const s = Math.sqrt(1 - sched.alphaBar[t]);
    for (let i = 0; i < sc.length; i++) sc[i] *= -s;
    return sc;
  };
}

export interface DdpmTrajectory {
  /** The samples x_0 (2N). */
  x0: Float64Array;
  /** traj[t] = x_t (2N) for t = 0…T, when recorded. */
  traj?: Float64Array[];
  /** logp[t] = log p_θ(x_{t−1} | x_t) (N) for t = 1…T (index 0 empty), when recorded. */
  logp?: Float64Array[];
}

/**
 * Ancestral sampling (Ho et al. Algorithm 2): x_T ~ N(0, I), then x_{t−1} = μ_θ(x_t, t) + σ_t z for t = T…1
 * (noise at every step, including t = 1, so every transition has a Gaussian log-probability).
 */
export function ddpmSample(
  sched: DdpmSchedule,
  eps: EpsFn,
  N: number,
  rng: Rng,
  opts: { record?: boolean; xT?: Float64Array } = {},
): DdpmTrajectory {
  const T = sched.T;
  let x = opts.xT ? Float64Array.from(opts.xT) : rng.split('xT').normals(2 * N);
  const traj: Float64Array[] = [];
  const logp: Float64Array[] = [new Float64Array(0)];
  if (opts.record) traj[T] = x;
  for (let t = T; t >= 1; t--) {
    const e = eps(x, t, N);
    const mu = ddpmMean(sched, t, x, e, N);
    const sd = Math.sqrt(sched.sigma2[t]);
    const z = rng.split(`z${t}`).normals(2 * N);
    const next = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) next[i] = mu[i] + sd * z[i];
    if (opts.record) {
      // log N(next; mu, σ²I) = −log(2πσ²) − |z|²/2, computed from the definition for the check in the tests
      logp[t] = ddpmLogProb(sched, t, x, next, e, N);
      traj[t - 1] = next;
    }
    x = next;
  }
  return opts.record ? { x0: x, traj, logp } : { x0: x };
}
