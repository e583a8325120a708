/**
 * Closed-form tilts of a Gaussian mixture p by exp(r/β), for the rewards whose exponential is Gaussian-shaped:
 * the tilted target p·exp(r/β)/Z is then again a mixture (the optimum of E_q[r] − β·KL(q ‖ p), an independent
 * check of the grid computation in env/grid.ts).
 * - quadratic r(x) = −|x − c|²/(2s²): exp(r/β) ∝ N(x; c, τI) with τ = βs², and
 *   N(x; μ_k, Σ_k)·N(x; c, τI) = N(μ_k; c, Σ_k + τI)·N(x; m_k, S_k), S_k = (Σ_k⁻¹ + I/τ)⁻¹,
 *   m_k = S_k(Σ_k⁻¹μ_k + c/τ), so w'_k ∝ w_k·N(μ_k; c, Σ_k + τI);
 * - linear r(x) = u·x: with a = u/β, N(x; μ_k, Σ_k)·exp(a·x) = exp(a·μ_k + ½aᵀΣ_k a)·N(x; μ_k + Σ_k a, Σ_k).
 */
import type { Gmm2d } from '../env/gmm';

function inv2(a: number, b: number, c: number): [number, number, number] {
  const d = a * c - b * b;
  return [c / d, -b / d, a / d];
}

function normalise(logw: Float64Array): Float64Array {
  let m = -Infinity;
  for (const v of logw) if (v > m) m = v;
  let s = 0;
  const w = logw.map((v) => Math.exp(v - m));
  for (const v of w) s += v;
  return w.map((v) => v / s);
}

/** p·exp(r/β)/Z for r(x) = −|x − c|²/(2s²) (exact mixture). */
export function tiltGmmQuadratic(g: Gmm2d, center: readonly [number, number], scale: number, beta: number): Gmm2d {
  const K = g.w.length,
    tau = beta * scale * scale;
  const out: Gmm2d = { w: new Float64Array(K), mu: new Float64Array(2 * K), cov: new Float64Array(3 * K) };
  const logw = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const [sxx, sxy, syy] = [g.cov[3 * k], g.cov[3 * k + 1], g.cov[3 * k + 2]];
    const [pxx, pxy, pyy] = inv2(sxx, sxy, syy);
    const [cxx, cxy, cyy] = inv2(pxx + 1 / tau, pxy, pyy + 1 / tau);
    const mx = g.mu[2 * k],
      my = g.mu[2 * k + 1];
    const bx = pxx * mx + pxy * my + center[0] / tau,
      by = pxy * mx + pyy * my + center[1] / tau;
    out.mu[2 * k] = cxx * bx + cxy * by;
    out.mu[2 * k + 1] = cxy * bx + cyy * by;
    out.cov.set([cxx, cxy, cyy], 3 * k);
    // log N(μ_k; c, Σ_k + τI)
    const [axx, axy, ayy] = [sxx + tau, sxy, syy + tau];
    const det = axx * ayy - axy * axy;
    const [qxx, qxy, qyy] = inv2(axx, axy, ayy);
    const dx = mx - center[0],
      dy = my - center[1];
    logw[k] = Math.log(g.w[k]) - 0.5 * Math.log(det) - 0.5 * (qxx * dx * dx + 2 * qxy * dx * dy + qyy * dy * dy);
  }
  out.w = normalise(logw);
  return out;
}

/** p·exp(r/β)/Z for r(x) = u·x (exact mixture). */
export function tiltGmmLinear(g: Gmm2d, u: readonly [number, number], beta: number): Gmm2d {
  const K = g.w.length,
    ax = u[0] / beta,
    ay = u[1] / beta;
  const out: Gmm2d = { w: new Float64Array(K), mu: new Float64Array(2 * K), cov: Float64Array.from(g.cov) };
  const logw = new Float64Array(K);
  for (let k = 0; k < K; k++) {
    const [sxx, sxy, syy] = [g.cov[3 * k], g.cov[3 * k + 1], g.cov[3 * k + 2]];
    const sax = sxx * ax + sxy * ay,
      say = sxy * ax + syy * ay;
    out.mu[2 * k] = g.mu[2 * k] + sax;
    out.mu[2 * k + 1] = g.mu[2 * k + 1] + say;
    logw[k] = Math.log(g.w[k]) + ax * g.mu[2 * k] + ay * g.mu[2 * k + 1] + 0.5 * (ax * sax + ay * say);
  }
  out.w = normalise(logw);
  return out;
}
