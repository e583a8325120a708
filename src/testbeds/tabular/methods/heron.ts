/**
 * HERON — hierarchical reward modelling from an importance ranking of feedback signals
 * (Bukharin, Li, He, Chen & Zhao, "Deep Reinforcement Learning from Hierarchical Weak Preference
 * Feedback", arXiv:2309.02632; official code github.com/abukharin3/HERON, ClassicControl/cleanrl/
 * rm_mountain.py, `RewardModel.get_loss` and `train_rm`).
 *
 * Given n feedback signals (reward factors) z_1 … z_n of a trajectory, ranked by importance, two
 * trajectories τ_i, τ_j are compared by a decision tree (the paper's "hierarchical decision tree
 * induced by the ranking"): at level k (most important first), τ_i ≻ τ_j if z_k(τ_i) > z_k(τ_j) + δ_k,
 * τ_j ≻ τ_i if z_k(τ_j) > z_k(τ_i) + δ_k, otherwise go to level k + 1; a pair tied at every level is
 * dropped. The margins are δ_k = α·σ_k, σ_k the standard deviation of z_k over the batch of
 * trajectories the pairs come from (the code's `sigmas = reward_buffer.std(0) * sigma_mult`). Signals
 * are oriented so that larger is better (the code's `sign`). The labels train a reward model r_ψ by
 * the Bradley–Terry likelihood of the preferred trajectory, L(ψ) = −E log σ(R_ψ(τ_w) − R_ψ(τ_l)) with
 * R_ψ(τ) = Σ_t r_ψ(s_t, a_t) (the code's `-log(sigmoid(reward_i - reward_j))`), and the policy is
 * trained on r_ψ.
 *
 * Because each δ_k scales with σ_k, the labels are invariant to rescaling any signal by a positive
 * constant (tests/testbeds/tabular/methods/heron.test.ts).
 */
import { lbfgs, type OptimResult } from '../loops/optimize';
import type { SegmentPairs } from '../env/preferences';
import { bceFromLogits } from './reward-learning';

/** Per-signal margins δ_k = α·σ_k, σ_k the (population) standard deviation of z_k over the batch (z: n × nZ). */
export function heronMargins(z: Float64Array, nZ: number, alpha: number): Float64Array {
  const n = z.length / nZ;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`heronMargins: z has length ${z.length}, not n·${nZ}`);
  if (!(alpha >= 0)) throw new RangeError(`heronMargins: alpha must be ≥ 0, got ${alpha}`);
  const d = new Float64Array(nZ);
  for (let k = 0; k < nZ; k++) {
    let m = 0;
    for (let i = 0; i < n; i++) m += z[i * nZ + k];
    m /= n;
    let v = 0;
    for (let i = 0; i < n; i++) v += (z[i * nZ + k] - m) ** 2;
    d[k] = alpha * Math.sqrt(v / n);
  }
  return d;
}

/**
 * The decision tree on one pair: 1 if τ_i ≻ τ_j, 0 if τ_j ≻ τ_i, −1 if tied at every level.
 * `order` lists signal indices by importance (most important first); zi, zj are the pair's signal rows.
 * Also returns the level (0-based position in `order`) that decided, or `order.length` on a tie.
 */
export function heronCompare(
  zi: ArrayLike<number>,
  zj: ArrayLike<number>,
  margins: ArrayLike<number>,
  order: ArrayLike<number>,
): { label: number; level: number } {
  for (let l = 0; l < order.length; l++) {
    const k = order[l];
    if (zi[k] > zj[k] + margins[k]) return { label: 1, level: l };
    if (zj[k] > zi[k] + margins[k]) return { label: 0, level: l };
  }
  return { label: -1, level: order.length };
}

/** Labels of pairs of a batch (z: n × nZ): label[p] ∈ {1, 0, −1 (tie, to drop)}, level[p] as in heronCompare. */
export function heronLabels(
  z: Float64Array,
  nZ: number,
  pairs: SegmentPairs,
  margins: ArrayLike<number>,
  order: ArrayLike<number>,
): { label: Int8Array; level: Int32Array } {
  const nP = pairs.i.length;
  const label = new Int8Array(nP),
    level = new Int32Array(nP);
  for (let p = 0; p < nP; p++) {
    const i = pairs.i[p],
      j = pairs.j[p];
    const c = heronCompare(z.subarray(i * nZ, (i + 1) * nZ), z.subarray(j * nZ, (j + 1) * nZ), margins, order);
    label[p] = c.label;
    level[p] = c.level;
  }
  return { label, level };
}

/**
 * Bradley–Terry loss of a linear reward model r_ψ = ψ·φ on labelled trajectory pairs, plus an L2 penalty:
 * mean_p [−y_p log σ(ψ·ΔΦ_p) − (1 − y_p) log σ(−ψ·ΔΦ_p)] + (l2/2)‖ψ‖², ΔΦ_p = Φ(τ_i) − Φ(τ_j) the difference
 * of the pair's summed features (the partial returns R_ψ(τ) = ψ·Φ(τ)). Writes the gradient into grad.
 */
export function heronBradleyTerryLoss(
  psi: Float64Array,
  dPhi: Float64Array,
  y: ArrayLike<number>,
  l2: number,
  grad: Float64Array,
): number {
  const nF = psi.length,
    n = y.length;
  const z = new Float64Array(n),
    dz = new Float64Array(n);
  for (let p = 0; p < n; p++) {
    let acc = 0;
    for (let f = 0; f < nF; f++) acc += psi[f] * dPhi[p * nF + f];
    z[p] = acc;
  }
  let loss = n > 0 ? bceFromLogits(z, y, dz) : 0;
  for (let f = 0; f < nF; f++) {
    let g = l2 * psi[f];
    for (let p = 0; p < n; p++) g += dz[p] * dPhi[p * nF + f];
    grad[f] = g;
    loss += 0.5 * l2 * psi[f] * psi[f];
  }
  return loss;
}

/** Fit ψ by L-BFGS on heronBradleyTerryLoss (strictly convex for l2 > 0). */
export function fitHeronRewardModel(
  dPhi: Float64Array,
  y: ArrayLike<number>,
  nF: number,
  l2: number,
  psi0?: Float64Array,
): OptimResult {
  if (dPhi.length !== y.length * nF)
    throw new RangeError(`fitHeronRewardModel: dPhi has length ${dPhi.length}, expected ${y.length}·${nF}`);
  if (!(l2 > 0)) throw new RangeError(`fitHeronRewardModel: l2 must be > 0 (separable labels), got ${l2}`);
  return lbfgs((w, g) => heronBradleyTerryLoss(w, dPhi, y, l2, g), psi0 ?? new Float64Array(nF), {
    maxIterations: 200,
    gtol: 1e-9,
  });
}
