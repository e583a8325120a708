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
 * leaves responses without data at φ = 0). Online IPO (Azar et al. 2023 on on-policy pairs) is the
 * same solver with a = log π_ref and margin 1/(2τ).
 */
import type { PreferencePairs } from './game';
import { solveSPD } from './dno';
import { softmaxPolicy, type TabularPolicy } from './policies';

/** Weighted, soft-labelled pairs: s = 2·P(i wins) − 1 ∈ [−1, 1] (1 for a hard label "i ≻ j"). */
export interface SignedPairs {
  n: number;
  x: Int32Array;
  i: Int32Array;
  j: Int32Array;
  w: Float64Array;
  s: Float64Array;
}

export function signedFromPairs(p: PreferencePairs): SignedPairs {
  return { n: p.n, x: p.x, i: p.yw, j: p.yl, w: new Float64Array(p.n).fill(1), s: new Float64Array(p.n).fill(1) };
}

/**
 * argmin_φ Σ_k w_k·E_label[(φ_winner − φ_loser − m)²] + ridge·Σ φ², per context, where a pair (i, j)
 * has i winning with probability (1 + s)/2. Normal equations: L·φ = m·Σ w·s·(e_i − e_j), L the
 * weighted Laplacian of the comparison graph. `ridge` is relative to the largest diagonal entry.
 */
export function solvePairwiseSquare(
  nX: number,
  nY: number,
  pairs: SignedPairs,
  margin: number,
  ridge = 1e-10,
): Float64Array {
  const phi = new Float64Array(nX * nY);
  const byX: number[][] = Array.from({ length: nX }, () => []);
  for (let k = 0; k < pairs.n; k++) byX[pairs.x[k]].push(k);
  const A = new Float64Array(nY * nY);
  const b = new Float64Array(nY);
  for (let x = 0; x < nX; x++) {
    if (byX[x].length === 0) continue;
    A.fill(0);
    b.fill(0);
    for (const k of byX[x]) {
      const i = pairs.i[k],
        j = pairs.j[k],
        w = pairs.w[k];
      if (i === j) continue;
      A[i * nY + i] += w;
      A[j * nY + j] += w;
      A[i * nY + j] -= w;
      A[j * nY + i] -= w;
      const v = margin * w * pairs.s[k];
      b[i] += v;
      b[j] -= v;
    }
    let dmax = 0;
    for (let a = 0; a < nY; a++) dmax = Math.max(dmax, A[a * nY + a]);
    const lam = ridge * Math.max(dmax, 1e-300);
    for (let a = 0; a < nY; a++) A[a * nY + a] += lam;
    if (dmax === 0) continue;
    solveSPD(A, b, nY);
    for (let a = 0; a < nY; a++) phi[x * nY + a] = b[a];
  }
  return phi;
}

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
  pairs: SignedPairs,
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
  return softmaxPolicy(nX, nY, l);
}

/**
 * Online IPO (the IPO loss (log π/π_ref(y_w) − log π/π_ref(y_l) − 1/(2τ))² on pairs from the current
 * policy), solved exactly: π ∝ π_ref·exp(φ).
 */
export function onlineIpoUpdate(ref: TabularPolicy, pairs: SignedPairs, tau: number, ridge = 1e-10): TabularPolicy {
  if (!(tau > 0)) throw new RangeError(`onlineIpoUpdate: τ must be > 0, got ${tau}`);
  const { nX, nY } = ref;
  const phi = solvePairwiseSquare(nX, nY, pairs, 1 / (2 * tau), ridge);
  const l = new Float64Array(nX * nY);
  for (let i = 0; i < l.length; i++) l[i] = Math.log(ref.probs[i]) + phi[i];
  return softmaxPolicy(nX, nY, l);
}
