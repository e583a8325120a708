/**
 * Contrastive Preference Learning (Hejna, Rafailov, Sikchi, Finn, Niekum, Knox & Sadigh, ICLR 2024,
 * arXiv:2310.13639) for a tabular softmax policy, with its exact gradient.
 *
 * Under the regret preference model with the maximum-entropy optimal advantage A* = α log π*
 * (Eq. 3), the likelihood of a preference σ⁺ ≻ σ⁻ is written in the policy alone (Eq. 5):
 *   L_CPL(π) = E[ −log  exp(Σ_t γ^t α log π(a_t⁺|s_t⁺)) /
 *                       (exp(Σ_t γ^t α log π(a_t⁺|s_t⁺)) + exp(λ Σ_t γ^t α log π(a_t⁻|s_t⁻))) ],
 * with the conservative bias λ ∈ (0, 1] on the dispreferred segment (§3.2 "Practical
 * considerations"; λ = 1 is the unbiased loss of Eq. 5; the authors' configs use λ = 0.5). With
 * S(σ) = Σ_t g^t log π(a_t|s_t), the per-pair loss is softplus(−z), z = α S(σ⁺) − λ α S(σ⁻) — the
 * authors' `biased_bce_with_logits`, which also accepts soft labels y = P(σ_i ≻ σ_j):
 *   ℓ_p = y·softplus(−(αS_i − λαS_j)) + (1 − y)·softplus(−(αS_j − λαS_i)).
 * Optionally a behaviour-cloning term bcCoeff·(−mean log π over all steps) is added (the authors'
 * `bc_coeff`). Gradients flow to θ through `logProbGradient`.
 */
import { sigmoid } from '../../../math/softmax';
import { softplus } from './reward-learning';
import { adam, lbfgs, type OptimResult } from '../loops/optimize';
import type { FitOptimizer } from './reward-learning';
import { logProbGradient, logSoftmaxPolicy, softmaxPolicy } from '../policies/softmax';
import type { SegmentPairs, SegmentSet } from '../env/preferences';

export interface CplOptions {
  /** Temperature α of the maximum-entropy advantage A = α log π. */
  alpha: number;
  /** Conservative bias λ ∈ (0, 1] on the dispreferred segment (1 = unbiased). */
  lambda: number;
  /** Within-segment discount g (the paper's γ^t weights). */
  g: number;
  /** Weight of the behaviour-cloning term on all segment steps (default 0). */
  bcCoeff?: number;
}

/**
 * L_CPL(θ) averaged over pairs (plus the optional BC term); writes ∂L/∂θ into grad.
 * theta: logits, row-major nS·nA. y_p = P(first segment preferred) ∈ [0, 1].
 */
export function cplLoss(
  theta: Float64Array,
  nS: number,
  nA: number,
  segs: SegmentSet,
  pairs: SegmentPairs,
  y: ArrayLike<number>,
  o: CplOptions,
  grad: Float64Array,
): number {
  const { alpha, lambda, g } = o;
  const bc = o.bcCoeff ?? 0;
  if (!(alpha > 0)) throw new RangeError(`cplLoss: alpha must be positive, got ${alpha}`);
  if (!(lambda > 0 && lambda <= 1)) throw new RangeError(`cplLoss: lambda must lie in (0, 1], got ${lambda}`);
  const nP = pairs.i.length;
  if (y.length !== nP) throw new RangeError(`cplLoss: ${y.length} labels for ${nP} pairs`);
  const lp = logSoftmaxPolicy(nS, nA, theta);
  const S = new Float64Array(segs.n);
  for (let i = 0; i < segs.n; i++) {
    let acc = 0,
      gt = 1;
    for (let t = 0; t < segs.len[i]; t++) {
      const o2 = i * segs.L + t;
      acc += gt * lp[segs.s[o2] * nA + segs.a[o2]];
      gt *= g;
    }
    S[i] = acc;
  }
  let loss = 0;
  const dS = new Float64Array(segs.n);
  for (let p = 0; p < nP; p++) {
    const i = pairs.i[p],
      j = pairs.j[p],
      yp = y[p];
    // i preferred: z1 = α S_i − λ α S_j ; j preferred: z2 = α S_j − λ α S_i.
    const z1 = alpha * S[i] - lambda * alpha * S[j];
    const z2 = alpha * S[j] - lambda * alpha * S[i];
    loss += yp * softplus(-z1) + (1 - yp) * softplus(-z2);
    const d1 = (-yp * sigmoid(-z1)) / nP; // ∂/∂z1
    const d2 = (-(1 - yp) * sigmoid(-z2)) / nP; // ∂/∂z2
    dS[i] += alpha * d1 - lambda * alpha * d2;
    dS[j] += alpha * d2 - lambda * alpha * d1;
  }
  loss /= nP;
  const C = new Float64Array(nS * nA);
  let nSteps = 0;
  for (let i = 0; i < segs.n; i++) nSteps += segs.len[i];
  const bcW = bc > 0 && nSteps > 0 ? bc / nSteps : 0;
  for (let i = 0; i < segs.n; i++) {
    let gt = 1;
    for (let t = 0; t < segs.len[i]; t++) {
      const o2 = i * segs.L + t;
      const sa = segs.s[o2] * nA + segs.a[o2];
      C[sa] += dS[i] * gt - bcW;
      if (bcW > 0) loss -= bcW * lp[sa];
      gt *= g;
    }
  }
  logProbGradient(nS, nA, C, softmaxPolicy(nS, nA, theta), grad);
  return loss;
}

/** Minimise L_CPL from logits theta0 (e.g. the behaviour-cloning policy's log-probabilities). */
export function fitCpl(
  nS: number,
  nA: number,
  segs: SegmentSet,
  pairs: SegmentPairs,
  y: ArrayLike<number>,
  o: CplOptions,
  optimizer: FitOptimizer,
  theta0?: Float64Array,
): OptimResult {
  const f = (th: Float64Array, gr: Float64Array) => cplLoss(th, nS, nA, segs, pairs, y, o, gr);
  const x0 = theta0 ?? new Float64Array(nS * nA);
  return optimizer.kind === 'adam' ? adam(f, x0, optimizer) : lbfgs(f, x0, optimizer);
}

/** Action counts over the steps of the given segments (row-major nS·nA), e.g. for behaviour cloning. */
export function segmentActionCounts(segs: SegmentSet, nS: number, nA: number, which?: ArrayLike<number>): Float64Array {
  const counts = new Float64Array(nS * nA);
  const list = which ?? Array.from({ length: segs.n }, (_, i) => i);
  for (let q = 0; q < list.length; q++) {
    const i = list[q];
    for (let t = 0; t < segs.len[i]; t++) {
      const o = i * segs.L + t;
      counts[segs.s[o] * nA + segs.a[o]]++;
    }
  }
  return counts;
}
