/**
 * Collaborative Reward Modeling (CRM; Zhang et al. 2025, "Two Minds Better Than One", arXiv:2505.10597) and its
 * single-model ablation (Self Review), on the MLP Bradley–Terry reward model of `bradley-terry-mlp.ts`.
 *
 * RECONSTRUCTED from the paper's abstract and third-party descriptions (the method section was not read; see the
 * notebook's deviations). CRM keeps two reward models r_A, r_B:
 * - Peer review (batch level): on every batch, each model scores the pairs by its Bradley–Terry loss
 *   ℓ_i = −log σ(r(c_i) − r(r_i)) (low loss ⇔ high reward margin, the "peer review score") and selects the
 *   ⌈keep·n⌉ pairs of lowest loss; the OTHER model takes one step on the mean loss of that selection. The keep rate
 *   comes from the noise rate η (keep = 1 − η, reached by the linear ramp of Co-teaching, Han et al. 2018).
 * - Curriculum (epoch level): at the start of an epoch the training pairs are ranked from easy to hard by the two
 *   models' mean reward margin, one ranking shared by both models (synchronising what they see). Two readings are
 *   provided: `curriculumOrder` (the epoch visits the pairs in that order, easy first) and `curriculumPool` (a pacing
 *   curriculum: the epoch draws its batches from the easiest fraction of the pairs, the fraction growing to 1).
 * Self Review: one model selects its own low-loss pairs and steps on them (the confirmation-bias ablation).
 */
import { softplus } from '../../tabular/methods/reward-learning';
import type { BtMlpReward } from './bradley-terry-mlp';

/** Reward margins r(c_i) − r(r_i) of n pairs (rows of xc, xr). */
export function crmPairMargins(model: BtMlpReward, xc: Float32Array, xr: Float32Array, n: number): Float64Array {
  const rc = model.reward(xc, n),
    rr = model.reward(xr, n);
  return Float64Array.from({ length: n }, (_, i) => rc[i] - rr[i]);
}

/** Bradley–Terry losses −log σ(m_i) = softplus(−m_i) of the margins m. */
export function crmPairLosses(margins: ArrayLike<number>): Float64Array {
  return Float64Array.from(margins, (m) => softplus(-m));
}

/** Indices of the k smallest losses (ties towards the lower index), in increasing index order. */
export function smallLossSubset(losses: ArrayLike<number>, k: number): Int32Array {
  const n = losses.length;
  if (!(Number.isInteger(k) && k >= 0 && k <= n)) throw new RangeError(`smallLossSubset: k = ${k} not in 0..${n}`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => losses[a] - losses[b] || a - b);
  return Int32Array.from(order.slice(0, k)).sort();
}

/** Keep rate after `step` steps: 1 − η·min(step / rampSteps, 1) (Co-teaching's schedule R(T)). */
export function crmKeepRate(step: number, rampSteps: number, noiseRate: number): number {
  if (!(noiseRate >= 0 && noiseRate < 1)) throw new RangeError(`crmKeepRate: noise rate ${noiseRate} not in [0, 1)`);
  return 1 - noiseRate * (rampSteps > 0 ? Math.min(step / rampSteps, 1) : 1);
}

/** Number of pairs kept out of a batch of n at keep rate `keep` (at least one). */
export function crmKeptCount(n: number, keep: number): number {
  return Math.max(1, Math.min(n, Math.ceil(keep * n - 1e-9)));
}

/** Easy-to-hard order of the pairs: decreasing score (the two models' mean margin), ties towards the lower index. */
export function curriculumOrder(score: ArrayLike<number>): Int32Array {
  return Int32Array.from(
    Array.from({ length: score.length }, (_, i) => i).sort((a, b) => score[b] - score[a] || a - b),
  );
}

/**
 * Pacing curriculum: the `fraction` (0 < fraction ≤ 1) easiest pairs by `score` (at least one), returned in the
 * easy-to-hard order.
 */
export function curriculumPool(score: ArrayLike<number>, fraction: number): Int32Array {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`curriculumPool: fraction ${fraction} not in (0, 1]`);
  const order = curriculumOrder(score);
  return order.slice(0, Math.max(1, Math.round(fraction * order.length)));
}

/** Pool fraction of epoch e (0-based) of E: all pairs in epoch 0, then 1 − η rising linearly to 1 at epoch E − 1. */
export function curriculumFraction(e: number, E: number, noiseRate: number): number {
  if (e === 0 || E <= 2) return 1;
  return 1 - noiseRate + (noiseRate * (e - 1)) / (E - 2);
}

function stepOn(model: BtMlpReward, xc: Float32Array, xr: Float32Array, sel: Int32Array, d: number): number {
  const k = sel.length;
  const pc = new Float32Array(k * d),
    pr = new Float32Array(k * d);
  for (let j = 0; j < k; j++) {
    pc.set(xc.subarray(sel[j] * d, (sel[j] + 1) * d), j * d);
    pr.set(xr.subarray(sel[j] * d, (sel[j] + 1) * d), j * d);
  }
  return model.step(pc, pr, new Float64Array(k).fill(1), k);
}

/**
 * One peer-review step on a batch of n pairs (chosen xc, rejected xr, n × d): A selects its low-loss pairs for B and
 * B selects its low-loss pairs for A (both selections at the parameters before either step); each model then takes
 * one Adam step on the mean BT loss of the selection its peer made. Returns the two selections.
 */
export function peerReviewStep(
  a: BtMlpReward,
  b: BtMlpReward,
  xc: Float32Array,
  xr: Float32Array,
  n: number,
  keep: number,
): { forB: Int32Array; forA: Int32Array } {
  const k = crmKeptCount(n, keep);
  const forB = smallLossSubset(crmPairLosses(crmPairMargins(a, xc, xr, n)), k);
  const forA = smallLossSubset(crmPairLosses(crmPairMargins(b, xc, xr, n)), k);
  stepOn(a, xc, xr, forA, a.dIn);
  stepOn(b, xc, xr, forB, b.dIn);
  return { forB, forA };
}

/** One Self Review step: the model selects its own low-loss pairs and steps on them. Returns the selection. */
export function selfReviewStep(
  model: BtMlpReward,
  xc: Float32Array,
  xr: Float32Array,
  n: number,
  keep: number,
): Int32Array {
  const sel = smallLossSubset(crmPairLosses(crmPairMargins(model, xc, xr, n)), crmKeptCount(n, keep));
  stepOn(model, xc, xr, sel, model.dIn);
  return sel;
}
