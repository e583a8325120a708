/**
 * RRL — robust reward learning, the second component of PEARL (Liu, Du, Bai, Lyu & Li 2023,
 * arXiv:2306.03615), for linear rewards on transition features. Only the paper's abstract and the opening
 * of its introduction were readable; the loss is reconstructed from the abstract ("modeling rewards as
 * Gaussian distributions", "considers both reward mean and uncertainty"; see the notebook's deviations).
 *
 * Per transition r ~ N(μ, σ²), μ = ψ·φ, σ = softplus(ω·φ + b); a segment's return is then
 * R(τ) ~ N(ψ·Φ(τ), Σ_t σ_t²) (independent steps). The preference likelihood uses reparameterised samples
 * R = M + √V·ε, and a KL term to the standard normal keeps the distribution from collapsing (the
 * variational form of a Gaussian reward model):
 *
 *   L(ψ, ω, b) = mean_p mean_k BCE(ỹ_p, σ(ΔM_p + √(V_a + V_b)·ε_pk)) + λ · mean_t KL(N(μ_t, σ_t²) ‖ N(0, 1))
 *                + (l2/2)‖ψ‖²,   KL = ½(μ² + σ² − 1 − ln σ²).
 *
 * The draws ε_pk are fixed per fit (common random numbers), so the loss is deterministic and is minimised
 * by L-BFGS. The policy plans on the mean reward ψ·φ.
 */
import type { Rng } from '../../../core/rng';
import { sigmoid } from '../../../math/softmax';
import { lbfgs, type OptimResult } from '../loops/optimize';
import type { SegmentPairs } from '../env/preferences';
import { softplus } from './reward-learning';

/** Per-step features of segments, flat n × L × nF, and their lengths (steps beyond len are ignored). */
export interface StepFeatures {
  n: number;
  L: number;
  nF: number;
  phi: Float64Array;
  len: Int32Array;
}

export interface RrlOptions {
  /** KL weight λ. */
  klWeight: number;
  /** L2 penalty on the mean weights ψ (as in the plain Bradley–Terry fit). */
  l2: number;
  /** Reparameterised draws per pair. */
  draws: number;
}

/** Parameters θ = [ψ (nF), ω (nF), b]. */
export function rrlLoss(
  theta: Float64Array,
  steps: StepFeatures,
  pairs: SegmentPairs,
  y: ArrayLike<number>,
  eps: Float64Array,
  o: RrlOptions,
  grad: Float64Array,
): number {
  const { n, L, nF, phi, len } = steps;
  const K = o.draws;
  const P = pairs.i.length;
  grad.fill(0);
  // Per segment: M = ψ·Φ, V = Σ σ_t², dV/dω, dV/db, and the KL sum with its gradient.
  const M = new Float64Array(n),
    V = new Float64Array(n),
    dVw = new Float64Array(n * nF),
    dVb = new Float64Array(n),
    dM = new Float64Array(n * nF);
  let kl = 0,
    nSteps = 0;
  const gkl = new Float64Array(2 * nF + 1);
  for (let s = 0; s < n; s++)
    for (let t = 0; t < len[s]; t++) {
      const o0 = (s * L + t) * nF;
      let mu = 0,
        u = theta[2 * nF];
      for (let f = 0; f < nF; f++) {
        mu += theta[f] * phi[o0 + f];
        u += theta[nF + f] * phi[o0 + f];
      }
      const sd = softplus(u) + 1e-6,
        ds = sigmoid(u);
      M[s] += mu;
      V[s] += sd * sd;
      for (let f = 0; f < nF; f++) {
        dM[s * nF + f] += phi[o0 + f];
        dVw[s * nF + f] += 2 * sd * ds * phi[o0 + f];
      }
      dVb[s] += 2 * sd * ds;
      kl += 0.5 * (mu * mu + sd * sd - 1 - 2 * Math.log(sd));
      // ∂KL/∂μ = μ, ∂KL/∂sd = sd − 1/sd.
      const gs = (sd - 1 / sd) * ds;
      for (let f = 0; f < nF; f++) {
        gkl[f] += mu * phi[o0 + f];
        gkl[nF + f] += gs * phi[o0 + f];
      }
      gkl[2 * nF] += gs;
      nSteps++;
    }
  let loss = 0;
  for (let p = 0; p < P; p++) {
    const a = pairs.i[p],
      b = pairs.j[p];
    const S = V[a] + V[b],
      rs = Math.sqrt(S);
    const dm = M[a] - M[b];
    let gz = 0,
      gr = 0; // Σ_k ∂BCE/∂z and Σ_k ∂BCE/∂z · ε_k
    for (let k = 0; k < K; k++) {
      const e = eps[p * K + k];
      const z = dm + rs * e;
      // BCE(y, σ(z)) = softplus(z) − y z, derivative σ(z) − y.
      loss += softplus(z) - y[p] * z;
      const g = sigmoid(z) - y[p];
      gz += g;
      gr += g * e;
    }
    const c = 1 / (P * K);
    const cr = rs > 0 ? (c * gr) / (2 * rs) : 0;
    for (let f = 0; f < nF; f++) {
      grad[f] += c * gz * (dM[a * nF + f] - dM[b * nF + f]);
      grad[nF + f] += cr * (dVw[a * nF + f] + dVw[b * nF + f]);
    }
    grad[2 * nF] += cr * (dVb[a] + dVb[b]);
  }
  loss /= P * K;
  if (nSteps > 0) {
    loss += (o.klWeight * kl) / nSteps;
    for (let i = 0; i < gkl.length; i++) grad[i] += (o.klWeight * gkl[i]) / nSteps;
  }
  for (let f = 0; f < nF; f++) {
    loss += 0.5 * o.l2 * theta[f] * theta[f];
    grad[f] += o.l2 * theta[f];
  }
  return loss;
}

/** Fit RRL by L-BFGS with draws ε ~ N(0, 1) fixed from rng; σ starts at softplus(b0) with ω = 0. */
export function fitRrlReward(
  steps: StepFeatures,
  pairs: SegmentPairs,
  y: ArrayLike<number>,
  o: RrlOptions,
  rng: Rng,
): OptimResult & { psi: Float64Array; omega: Float64Array; bias: number } {
  const nF = steps.nF;
  const eps = rng.normals(pairs.i.length * o.draws);
  const theta0 = new Float64Array(2 * nF + 1);
  theta0[2 * nF] = -2; // σ ≈ 0.13 per step at the start
  const r = lbfgs((th, g) => rrlLoss(th, steps, pairs, y, eps, o, g), theta0, { maxIterations: 300, gtol: 1e-8 });
  return { ...r, psi: r.x.slice(0, nF), omega: r.x.slice(nF, 2 * nF), bias: r.x[2 * nF] };
}
