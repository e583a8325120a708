/**
 * Iterative Nash Policy Optimization (Zhang et al. 2024), tabular.
 *
 * INPO runs online mirror descent on the τ-KL-regularised preference game by self-play,
 *
 *   π_{t+1}(y|x) ∝ π_t(y|x)^{1−ητ} π_ref(y|x)^{ητ} exp(η·P(y ≻ π_t | x)),
 *
 * without estimating P(y ≻ π_t): π_{t+1} is the minimiser of the loss over preference pairs
 * (y_w ≻ y_l) with y, y' ~ π_t(·|x),
 *
 *   L_t(π) = E[(h_t(π, y_w, y_l) − η/2)²],
 *   h_t(π, y, y') = log π(y)/π(y') − ητ·log π_ref(y)/π_ref(y') − (1 − ητ)·log π_t(y)/π_t(y').
 *
 * For tabular logits h_t is linear, so L_t is a quadratic: with φ = θ − a, a = ητ·log π_ref +
 * (1 − ητ)·log π_t, the loss is Σ (φ_w − φ_l − η/2)², solved exactly per context (normal equations
 * of the comparison graph's Laplacian, with a vanishing ridge that fixes the additive constant and
 * leaves responses without data at φ = 0: solvers/pairwise-square.ts). Online IPO (Azar et al. 2023
 * on on-policy pairs, methods/ipo.ts) is the same solver with a = log π_ref and margin 1/(2τ).
 * The population version of the update is online mirror descent (methods/omd.ts).
 */
import type { Comparisons } from '../data/comparisons';
import type { PreferencePairs } from '../data/game';
import { tabularPolicyFromLogits, type TabularPolicy } from '../policies/tabular-policy';
import { solvePairwiseSquare } from '../solvers/pairwise-square';

/** Mean of the INPO loss (h_t(π, y_w, y_l) − η/2)² over hard-labelled pairs (for tests and diagnostics). */
export function inpoLoss(
  logPi: Float64Array,
  logPiT: Float64Array,
  logRef: Float64Array,
  nY: number,
  pairs: PreferencePairs,
  eta: number,
  tau: number,
): number {
  let s = 0;
  for (let k = 0; k < pairs.n; k++) {
    const w = pairs.x[k] * nY + pairs.yw[k],
      l = pairs.x[k] * nY + pairs.yl[k];
    const h = logPi[w] - logPi[l] - eta * tau * (logRef[w] - logRef[l]) - (1 - eta * tau) * (logPiT[w] - logPiT[l]);
    s += (h - eta / 2) ** 2;
  }
  return pairs.n > 0 ? s / pairs.n : 0;
}

/**
 * The INPO update: the exact minimiser of L_t over the pairs (hard or soft). Requires 0 ≤ ητ ≤ 1
 * (τ = 0 is the ablation without KL regularisation).
 */
export function inpoUpdate(
  piT: TabularPolicy,
  ref: TabularPolicy,
  pairs: Comparisons,
  eta: number,
  tau: number,
  ridge = 1e-10,
): TabularPolicy {
  const w = eta * tau;
  if (!(eta > 0) || !(w >= 0 && w <= 1))
    throw new RangeError(`inpoUpdate: need η > 0 and 0 ≤ ητ ≤ 1, got η = ${eta}, τ = ${tau}`);
  const { nX, nY } = piT;
  const phi = solvePairwiseSquare(nX, nY, pairs, eta / 2, ridge);
  const l = new Float64Array(nX * nY);
  for (let i = 0; i < l.length; i++)
    l[i] = (w > 0 ? w * Math.log(ref.probs[i]) : 0) + (1 - w) * Math.log(piT.probs[i]) + phi[i];
  return tabularPolicyFromLogits(nX, nY, l);
}
