/**
 * Online mirror descent (OMD) self-play on preference games, tabular and exact (the baseline of
 * Munos et al. 2023, §5, and the update INPO implements, Zhang et al. 2024, whose population loss
 * minimiser it is): OMD on the β-regularised preference, playing against the current iterate itself
 * (no geometric mixture),
 *
 *   π_{t+1} = argmax_π η·⟨π, P(· ≻ π_t) − β·log(π_t/μ)⟩ − KL(π‖π_t)   (a mirror step on the gradient
 *           of the regularised payoff at π_t)  ⇔  π_{t+1} ∝ π_t^{1−ηβ} μ^{ηβ} exp(η·P(y ≻ π_t)).
 *
 * With β = 0 this is multiplicative-weights self-play on the unregularised game. The self-play loop
 * (OMD, Nash-MD, fictitious play) is loops/self-play.ts.
 */
import type { PreferenceGame } from '../data/game';
import { logSoftmaxRows } from '../policies/logit-table';
import type { TabularPolicy } from '../policies/tabular-policy';
import { preferenceAgainst } from '../solvers/nash';

/** One OMD step in log space (in place): log π_{t+1} = (1−ηβ)·log π_t + ηβ·log μ + η·P(· ≻ π_t) − log Z. */
export function omdStepLog(
  g: PreferenceGame,
  logPi: Float64Array,
  logMu: Float64Array | null,
  eta: number,
  beta: number,
  pi: TabularPolicy,
  pref: Float64Array,
): void {
  const w = eta * beta;
  if (!(w >= 0 && w <= 1)) throw new RangeError(`OMD: η·β = ${w} must lie in [0, 1]`);
  if (beta > 0 && !logMu) throw new RangeError('OMD: beta > 0 needs the reference μ');
  const { nX, nY } = g;
  const n = nX * nY;
  for (let i = 0; i < n; i++) pi.probs[i] = Math.exp(logPi[i]);
  preferenceAgainst(g, pi, pref); // P(y ≻ π_t)
  for (let i = 0; i < n; i++) logPi[i] = (1 - w) * logPi[i] + (w > 0 && logMu ? w * logMu[i] : 0) + eta * pref[i];
  logSoftmaxRows(logPi, g, logPi);
}

/** One OMD step on policies: π_{t+1} ∝ π_t^{1−ηβ} μ^{ηβ} exp(η·P(y ≻ π_t)) (β = 0: MWU self-play, mu ignored). */
export function omdStep(
  g: PreferenceGame,
  pi: TabularPolicy,
  mu: TabularPolicy | null,
  eta: number,
  beta: number,
): TabularPolicy {
  const n = pi.probs.length;
  const l = new Float64Array(n);
  for (let i = 0; i < n; i++) l[i] = Math.log(pi.probs[i]);
  let lm: Float64Array | null = null;
  if (mu) {
    lm = new Float64Array(n);
    for (let i = 0; i < n; i++) lm[i] = Math.log(mu.probs[i]);
  }
  const work: TabularPolicy = { nX: pi.nX, nY: pi.nY, probs: new Float64Array(n) };
  omdStepLog(g, l, lm, eta, beta, work, new Float64Array(n));
  const out: TabularPolicy = { nX: pi.nX, nY: pi.nY, probs: new Float64Array(n) };
  for (let i = 0; i < n; i++) out.probs[i] = Math.exp(l[i]);
  return out;
}
