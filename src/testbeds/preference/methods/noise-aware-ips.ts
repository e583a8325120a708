/**
 * Pointwise reward models from observational feedback (CausalRM, Wang et al. 2026), as implemented in the
 * public code of that setting (github.com/yhc-666/Causal-RM, benchmark_ome_ips.py, `train`):
 *
 *  noise-aware surrogate of the logistic loss ℓ(t, y) = −[y log σ(t) + (1 − y) log σ(−t)], with
 *  ρ10 = P(ỹ = 1 | y = 0), ρ01 = P(ỹ = 0 | y = 1), D = 1 − ρ10 − ρ01:
 *    ℓ̃(t, 1) = [(1 − ρ10)·ℓ(t, 1) − ρ01·ℓ(t, 0)] / D,   ℓ̃(t, 0) = [(1 − ρ01)·ℓ(t, 0) − ρ10·ℓ(t, 1)] / D
 *  (Natarajan et al. 2013's unbiased estimator: E_ỹ[ℓ̃(t, ỹ) | y] = ℓ(t, y), the "provably equivalent to the
 *  primal loss under noise-free conditions" of the abstract);
 *  propensity reweighting (inverse propensity scoring) over the whole pool of n responses:
 *    L_CausalRM(θ) = (1/n) Σ_i o_i · ℓ̃(f_θ(x_i), ỹ_i) / max(p̂(x_i), clip)
 *  (E_o[o/p · ℓ] = ℓ: the reweighted loss on the observed responses is unbiased for the loss on the pool).
 *
 * For the logistic loss ℓ(t, 1) − ℓ(t, 0) = −t, so ℓ̃(t, ỹ) = CE(q(ỹ), σ(t)) with the corrected soft label
 * q(ỹ) = (ỹ − ρ10)/D (outside [0, 1], still convex in t with the same curvature as the plain loss): the fit is
 * a weighted logistic regression with labels q and weights o/p̂, solved here by Newton's method
 * (`fitBTOnDifferences` on rows [x, 1] — a pointwise logistic model is BT against a zero-reward reference).
 *
 * The ablations of the code's benchmark are the same function with parts switched off: naive BCE
 * (ρ = 0, weights o), IPS only (ρ = 0, weights o/p̂), noise-aware only (weights o).
 * Noise rates are estimated as in the code: from a noise-prediction model (logistic fit to the observed noisy
 * labels), ρ10 = σ(quantile_{1−q}(f)), ρ01 = 1 − σ(quantile_q(f)) over the pool (anchor points, q = 0.97).
 */
import { sigmoid } from '../../../math';
import { logSigmoid } from '../policies/logit-table';
import { fitBTOnDifferences, type FitReport } from './bradley-terry';

/** ℓ(t, y) for y ∈ {0, 1} (logistic loss on logit t). */
export function logisticLoss(t: number, y: number): number {
  return -(y * logSigmoid(t) + (1 - y) * logSigmoid(-t));
}

/** ℓ̃(t, ỹ) as written in the code (two losses and a denominator) and its derivative in t. */
export function noiseAwareLoss(t: number, yObs: number, rho10: number, rho01: number): { loss: number; dt: number } {
  const D = 1 - rho10 - rho01;
  if (!(D > 0)) throw new RangeError(`noiseAwareLoss: need ρ10 + ρ01 < 1, got ${rho10} + ${rho01}`);
  const l1 = logisticLoss(t, 1),
    l0 = logisticLoss(t, 0);
  const d1 = sigmoid(t) - 1,
    d0 = sigmoid(t);
  if (yObs === 1) return { loss: ((1 - rho10) * l1 - rho01 * l0) / D, dt: ((1 - rho10) * d1 - rho01 * d0) / D };
  return { loss: ((1 - rho01) * l0 - rho10 * l1) / D, dt: ((1 - rho01) * d0 - rho10 * d1) / D };
}

/** The corrected soft label q(ỹ) = (ỹ − ρ10)/(1 − ρ10 − ρ01); E[q | y] = y. */
export function correctedLabel(yObs: number, rho10: number, rho01: number): number {
  return (yObs - rho10) / (1 - rho10 - rho01);
}

/** Inverse-propensity weights o_i / max(p_i, clip) (0 where not observed). */
export function ipsWeights(observed: Uint8Array, propensity: Float64Array, clip: number): Float64Array {
  const w = new Float64Array(observed.length);
  for (let i = 0; i < w.length; i++) w[i] = observed[i] ? 1 / Math.max(propensity[i], clip) : 0;
  return w;
}

export interface PointwiseData {
  /** n × d features. */
  X: Float64Array;
  d: number;
  /** Observed (noisy) labels ỹ (ignored where weight 0). */
  y: Uint8Array;
  /** Per-response weight: o_i (no reweighting) or o_i / p̂_i (IPS). */
  w: Float64Array;
}

/** f_θ(x) = θ_{0..d−1}·x + θ_d (linear reward model with a bias). */
export function linearLogits(theta: Float64Array, X: Float64Array, d: number): Float64Array {
  const n = X.length / d,
    f = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = theta[d];
    for (let k = 0; k < d; k++) s += theta[k] * X[i * d + k];
    f[i] = s;
  }
  return f;
}

/**
 * L(θ) = (1/n) Σ_i w_i ℓ̃(f_θ(x_i), ỹ_i) + (l2/2)‖θ‖² (ρ = 0 gives the plain weighted BCE) and its gradient:
 * the objective exactly as written in the code (mean over the pool), for finite-difference tests.
 */
export function noiseAwareIpsLoss(
  theta: Float64Array,
  data: PointwiseData,
  rho10: number,
  rho01: number,
  l2 = 0,
): { loss: number; grad: Float64Array } {
  const { X, d, y, w } = data;
  const n = y.length;
  const f = linearLogits(theta, X, d);
  const grad = new Float64Array(d + 1);
  let loss = 0;
  for (let i = 0; i < n; i++) {
    if (w[i] === 0) continue;
    const { loss: l, dt } = noiseAwareLoss(f[i], y[i], rho10, rho01);
    loss += (w[i] * l) / n;
    for (let k = 0; k < d; k++) grad[k] += (w[i] * dt * X[i * d + k]) / n;
    grad[d] += (w[i] * dt) / n;
  }
  for (let k = 0; k <= d; k++) {
    loss += 0.5 * l2 * theta[k] * theta[k];
    grad[k] += l2 * theta[k];
  }
  return { loss, grad };
}

/**
 * Minimises the self-normalised form (1/Σw) Σ_i w_i ℓ̃(f_θ(x_i), ỹ_i) + (l2/2)‖θ‖² (same minimiser as
 * `noiseAwareIpsLoss` up to the ridge's scale) by Newton's method. Returns θ (d weights, then the bias).
 */
export function fitNoiseAwareIps(
  data: PointwiseData,
  rho10: number,
  rho01: number,
  l2 = 1e-6,
): { theta: Float64Array; report: FitReport } {
  const { X, d, y, w } = data;
  const idx: number[] = [];
  for (let i = 0; i < y.length; i++) if (w[i] > 0) idx.push(i);
  if (idx.length === 0) throw new RangeError('fitNoiseAwareIps: no response has positive weight (nothing observed)');
  const m = idx.length,
    dd = d + 1;
  const R = new Float64Array(m * dd),
    q = new Float64Array(m),
    ww = new Float64Array(m);
  idx.forEach((i, j) => {
    for (let k = 0; k < d; k++) R[j * dd + k] = X[i * d + k];
    R[j * dd + d] = 1;
    q[j] = correctedLabel(y[i], rho10, rho01);
    ww[j] = w[i];
  });
  return fitBTOnDifferences(R, q, ww, dd, { l2, maxIter: 100, tol: 1e-10 });
}

/** The q-quantile (linear interpolation, as torch.quantile) of a sample. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(values).sort();
  const pos = q * (s.length - 1),
    lo = Math.floor(pos),
    hi = Math.ceil(pos);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

/** Anchor-point noise-rate estimates from a noise-prediction model's logits on the pool (the code's rule). */
export function estimateNoiseRates(logits: ArrayLike<number>, q = 0.97): { rho10: number; rho01: number } {
  return { rho10: sigmoid(quantile(logits, 1 - q)), rho01: 1 - sigmoid(quantile(logits, q)) };
}
