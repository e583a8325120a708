/**
 * Gaussian mixtures in the plane: exact density, exact score and exact sampling, and the closed form of a mixture
 * noised by a diffusion or flow forward process. A forward process at time t maps x_0 to x_t = a·x_0 + s·ε with
 * ε ~ N(0, I) (DDPM: a = √ᾱ_t, s = √(1 − ᾱ_t); rectified flow: a = 1 − t, s = t). The marginal of x_t under a
 * mixture Σ_k w_k N(μ_k, Σ_k) is again a mixture, Σ_k w_k N(a·μ_k, a²Σ_k + s²I), so p_t, ∇log p_t and the
 * posterior mean E[x_0 | x_t] = (x_t + s²∇log p_t(x_t))/a (Tweedie) are exact at every time.
 *
 * Points are batches of N planar points stored as one flat array [x_0, y_0, x_1, y_1, …] (length 2N).
 */
import type { Rng } from '../../../core/rng';

/** A planar Gaussian mixture: K weights (sum 1), K means, K symmetric covariances stored as (σ_xx, σ_xy, σ_yy). */
export interface Gmm2d {
  /** Mixture weights, length K, positive, summing to 1. */
  w: Float64Array;
  /** Means, length 2K: (μ_x, μ_y) per component. */
  mu: Float64Array;
  /** Covariances, length 3K: (σ_xx, σ_xy, σ_yy) per component, positive definite. */
  cov: Float64Array;
}

export interface Gmm2dComponent {
  weight: number;
  mean: readonly [number, number];
  /** Isotropic standard deviation, or the covariance (σ_xx, σ_xy, σ_yy). */
  std?: number;
  cov?: readonly [number, number, number];
}

/** Builds a mixture from components (weights renormalised; components of weight 0 dropped). */
export function makeGmm2d(components: readonly Gmm2dComponent[]): Gmm2d {
  const kept = components.filter((c) => c.weight > 0);
  if (kept.length === 0) throw new RangeError('diffusion2d.makeGmm2d: need at least one component of weight > 0');
  const total = kept.reduce((s, c) => s + c.weight, 0);
  const K = kept.length;
  const g: Gmm2d = { w: new Float64Array(K), mu: new Float64Array(2 * K), cov: new Float64Array(3 * K) };
  kept.forEach((c, k) => {
    g.w[k] = c.weight / total;
    g.mu[2 * k] = c.mean[0];
    g.mu[2 * k + 1] = c.mean[1];
    const cv = c.cov ?? [(c.std ?? 1) ** 2, 0, (c.std ?? 1) ** 2];
    if (!(cv[0] > 0 && cv[2] > 0 && cv[0] * cv[2] - cv[1] * cv[1] > 0))
      throw new RangeError(`diffusion2d.makeGmm2d: component ${k} has a covariance that is not positive definite`);
    g.cov.set(cv, 3 * k);
  });
  return g;
}

/** Number of components. */
export function gmmSize(g: Gmm2d): number {
  return g.w.length;
}

/** The marginal of x_t = a·x_0 + s·ε for x_0 ~ g: Σ_k w_k N(a μ_k, a²Σ_k + s²I) (exact). */
export function gmmNoised(g: Gmm2d, a: number, s: number): Gmm2d {
  if (!(a > 0) || !(s >= 0))
    throw new RangeError(`diffusion2d.gmmNoised: need a > 0 and s ≥ 0, got a = ${a}, s = ${s}`);
  const K = g.w.length;
  const out: Gmm2d = { w: Float64Array.from(g.w), mu: new Float64Array(2 * K), cov: new Float64Array(3 * K) };
  const a2 = a * a,
    s2 = s * s;
  for (let k = 0; k < K; k++) {
    out.mu[2 * k] = a * g.mu[2 * k];
    out.mu[2 * k + 1] = a * g.mu[2 * k + 1];
    out.cov[3 * k] = a2 * g.cov[3 * k] + s2;
    out.cov[3 * k + 1] = a2 * g.cov[3 * k + 1];
    out.cov[3 * k + 2] = a2 * g.cov[3 * k + 2] + s2;
  }
  return out;
}

/** Per component: the precision (P_xx, P_xy, P_yy) and log w_k − log(2π) − ½ log det Σ_k. */
function precisions(g: Gmm2d): { P: Float64Array; c: Float64Array } {
  const K = g.w.length;
  const P = new Float64Array(3 * K),
    c = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const sxx = g.cov[3 * k],
      sxy = g.cov[3 * k + 1],
      syy = g.cov[3 * k + 2];
    const det = sxx * syy - sxy * sxy;
    P[3 * k] = syy / det;
    P[3 * k + 1] = -sxy / det;
    P[3 * k + 2] = sxx / det;
    c[k] = Math.log(g.w[k]) - Math.log(2 * Math.PI) - 0.5 * Math.log(det);
  }
  return { P, c };
}

/**
 * log p(x), the responsibilities and the score ∇log p(x) = Σ_k r_k(x)·(−Σ_k⁻¹(x − μ_k)) for N points (exact,
 * log-sum-exp). `score` (2N) and `resp` (N·K) are filled only when given.
 */
export function gmmEval(
  g: Gmm2d,
  x: ArrayLike<number>,
  N: number,
  out: { logp?: Float64Array; score?: Float64Array; resp?: Float64Array } = {},
): Float64Array {
  const K = g.w.length;
  const { P, c } = precisions(g);
  const logp = out.logp ?? new Float64Array(N);
  const lk = new Float64Array(K);
  for (let n = 0; n < N; n++) {
    const px = x[2 * n],
      py = x[2 * n + 1];
    let m = -Infinity;
    for (let k = 0; k < K; k++) {
      const dx = px - g.mu[2 * k],
        dy = py - g.mu[2 * k + 1];
      const q = P[3 * k] * dx * dx + 2 * P[3 * k + 1] * dx * dy + P[3 * k + 2] * dy * dy;
      lk[k] = c[k] - 0.5 * q;
      if (lk[k] > m) m = lk[k];
    }
    let s = 0;
    for (let k = 0; k < K; k++) s += Math.exp(lk[k] - m);
    const lse = m + Math.log(s);
    logp[n] = lse;
    if (out.score || out.resp) {
      let gx = 0,
        gy = 0;
      for (let k = 0; k < K; k++) {
        const r = Math.exp(lk[k] - lse);
        if (out.resp) out.resp[n * K + k] = r;
        const dx = px - g.mu[2 * k],
          dy = py - g.mu[2 * k + 1];
        gx -= r * (P[3 * k] * dx + P[3 * k + 1] * dy);
        gy -= r * (P[3 * k + 1] * dx + P[3 * k + 2] * dy);
      }
      if (out.score) {
        out.score[2 * n] = gx;
        out.score[2 * n + 1] = gy;
      }
    }
  }
  return logp;
}

/** log p(x) for N points. */
export function gmmLogDensity(g: Gmm2d, x: ArrayLike<number>, N: number): Float64Array {
  return gmmEval(g, x, N);
}

/** ∇_x log p(x) for N points (2N). */
export function gmmScore(g: Gmm2d, x: ArrayLike<number>, N: number): Float64Array {
  const score = new Float64Array(2 * N);
  gmmEval(g, x, N, { score });
  return score;
}

/** Exact samples: a component by its weight, then μ_k + L_k z with L_k the Cholesky factor of Σ_k. */
export function gmmSample(g: Gmm2d, N: number, rng: Rng): { x: Float64Array; component: Int32Array } {
  const x = new Float64Array(2 * N),
    component = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    const k = rng.categorical(g.w);
    const sxx = g.cov[3 * k],
      sxy = g.cov[3 * k + 1],
      syy = g.cov[3 * k + 2];
    const l11 = Math.sqrt(sxx),
      l21 = sxy / l11,
      l22 = Math.sqrt(syy - l21 * l21);
    const z1 = rng.normal(),
      z2 = rng.normal();
    x[2 * n] = g.mu[2 * k] + l11 * z1;
    x[2 * n + 1] = g.mu[2 * k + 1] + l21 * z1 + l22 * z2;
    component[n] = k;
  }
  return { x, component };
}

/** Index of the component with the largest responsibility at each of N points (the "mode" a point belongs to). */
export function gmmAssign(g: Gmm2d, x: ArrayLike<number>, N: number): Int32Array {
  const K = g.w.length;
  const resp = new Float64Array(N * K);
  gmmEval(g, x, N, { resp });
  const out = new Int32Array(N);
  for (let n = 0; n < N; n++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (resp[n * K + k] > resp[n * K + best]) best = k;
    out[n] = best;
  }
  return out;
}
