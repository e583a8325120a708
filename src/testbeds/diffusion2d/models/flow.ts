/**
 * Rectified flow on the plane with the exact velocity of a Gaussian mixture, its Euler ODE sampler and the
 * marginal-preserving SDE that Flow-GRPO samples with (Liu et al. 2025), with per-step Gaussian log-probabilities.
 *
 * Interpolation x_t = (1 − t)·x_0 + t·ε (t = 0 data, t = 1 noise), velocity v(x, t) = E[ε − x_0 | x_t = x], so that
 * dx/dt = v transports p_0 to p_1 = N(0, I). From the exact marginal (env/gmm.ts gmmNoised with a = 1 − t, s = t):
 * E[ε | x_t] = −t·∇log p_t(x), E[x_0 | x_t] = (x + t²∇log p_t(x))/(1 − t), and ∇log p_t(x) = −(x + (1 − t)v)/t.
 *
 * SDE with the same marginals, run from t = 1 down to 0 (time-reversed form of dx = [v + (σ_t²/2)∇log p_t]dt +
 * σ_t dw): dx = [v + σ_t²/(2t)·(x + (1 − t)v)]dt + σ_t dw̄ with dt < 0; Euler–Maruyama from t to t − h:
 *   x_{t−h} = x_t − h·[v + σ_t²/(2t)·(x_t + (1 − t)v)] + σ_t√h·z,   σ_t = a·√(t/(1 − t))
 * (Flow-GRPO's noise schedule, noise level a), a Gaussian transition with variance σ_t²h per coordinate. σ_t is
 * infinite at t = 1; the first step uses σ at t = 1 − h (a deviation stated here, as Flow-GRPO's code also caps it).
 */
import type { Rng } from '../../../core/rng';
import { gmmNoised, gmmScore, type Gmm2d } from '../env/gmm';

/** A batched velocity field: v (2N) at N points x (2N) and time t ∈ (0, 1]. */
export type VelocityFn = (x: Float64Array, t: number, N: number) => Float64Array;

/** The exact rectified-flow velocity of a mixture (t = 1: v = x − E[x_0], the limit of the general formula). */
export function exactVelocity(g: Gmm2d): VelocityFn {
  let mx = 0,
    my = 0;
  for (let k = 0; k < g.w.length; k++) {
    mx += g.w[k] * g.mu[2 * k];
    my += g.w[k] * g.mu[2 * k + 1];
  }
  return (x, t, N) => {
    const v = new Float64Array(2 * N);
    if (t >= 1) {
      for (let n = 0; n < N; n++) {
        v[2 * n] = x[2 * n] - mx;
        v[2 * n + 1] = x[2 * n + 1] - my;
      }
      return v;
    }
    const sc = gmmScore(gmmNoised(g, 1 - t, t), x, N);
    for (let i = 0; i < 2 * N; i++) v[i] = -t * sc[i] - (x[i] + t * t * sc[i]) / (1 - t);
    return v;
  };
}

/** Time grid 1 = t_K > … > t_0 = 0, uniform. */
export function flowTimes(K: number): Float64Array {
  return Float64Array.from({ length: K + 1 }, (_, k) => k / K);
}

/** Euler ODE sampler: x_1 ~ N(0, I), x_{t−h} = x_t − h·v(x_t, t). */
export function flowOdeSample(v: VelocityFn, K: number, N: number, rng: Rng): Float64Array {
  let x = rng.split('x1').normals(2 * N);
  const ts = flowTimes(K);
  for (let k = K; k >= 1; k--) {
    const t = ts[k],
      h = ts[k] - ts[k - 1];
    const vt = v(x, t, N);
    const next = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) next[i] = x[i] - h * vt[i];
    x = next;
  }
  return x;
}

/** σ_t = a·√(t/(1 − t)), with t capped at 1 − h. */
export function flowSdeSigma(a: number, t: number, h: number): number {
  const tc = Math.min(t, 1 - h);
  return a * Math.sqrt(tc / (1 - tc));
}

/** Mean and standard deviation of the SDE transition from x_t to x_{t−h} (Euler–Maruyama). */
export function flowSdeTransition(
  x: ArrayLike<number>,
  vt: ArrayLike<number>,
  t: number,
  h: number,
  a: number,
  N: number,
): { mean: Float64Array; std: number } {
  const s = flowSdeSigma(a, t, h);
  const c = (s * s) / (2 * t);
  const mean = new Float64Array(2 * N);
  for (let i = 0; i < 2 * N; i++) mean[i] = x[i] - h * (vt[i] + c * (x[i] + (1 - t) * vt[i]));
  return { mean, std: s * Math.sqrt(h) };
}

/** log N(x_{t−h}; mean, std² I) for N transitions. */
export function flowSdeLogProb(
  xt: ArrayLike<number>,
  xnext: ArrayLike<number>,
  vt: ArrayLike<number>,
  t: number,
  h: number,
  a: number,
  N: number,
): Float64Array {
  const { mean, std } = flowSdeTransition(xt, vt, t, h, a, N);
  const s2 = std * std;
  const out = new Float64Array(N);
  for (let n = 0; n < N; n++) {
    const dx = xnext[2 * n] - mean[2 * n],
      dy = xnext[2 * n + 1] - mean[2 * n + 1];
    out[n] = -Math.log(2 * Math.PI * s2) - (dx * dx + dy * dy) / (2 * s2);
  }
  return out;
}

/** SDE sampler from x_1 ~ N(0, I); with `record`, traj[k] = x_{t_k} and logp[k] = log p(x_{t_{k−1}} | x_{t_k}). */
export function flowSdeSample(
  v: VelocityFn,
  K: number,
  N: number,
  rng: Rng,
  a: number,
  opts: { record?: boolean } = {},
): { x0: Float64Array; traj?: Float64Array[]; logp?: Float64Array[] } {
  let x = rng.split('x1').normals(2 * N);
  const ts = flowTimes(K);
  const traj: Float64Array[] = [],
    logp: Float64Array[] = [new Float64Array(0)];
  if (opts.record) traj[K] = x;
  for (let k = K; k >= 1; k--) {
    const t = ts[k],
      h = ts[k] - ts[k - 1];
    const vt = v(x, t, N);
    const { mean, std } = flowSdeTransition(x, vt, t, h, a, N);
    const z = rng.split(`z${k}`).normals(2 * N);
    const next = new Float64Array(2 * N);
    for (let i = 0; i < 2 * N; i++) next[i] = mean[i] + std * z[i];
    if (opts.record) {
      logp[k] = flowSdeLogProb(x, next, vt, t, h, a, N);
      traj[k - 1] = next;
    }
    x = next;
  }
  return opts.record ? { x0: x, traj, logp } : { x0: x };
}
