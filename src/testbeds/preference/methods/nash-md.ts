/**
 * Nash-MD (Munos et al. 2023, "Nash Learning from Human Feedback", §5), tabular and exact:
 *
 *   π_t^μ(y|x) ∝ π_t(y|x)^{1−ηβ} μ(y|x)^{ηβ}                         (geometric mixture)
 *   π_{t+1}    = argmax_π η·P(π ≻ π_t^μ) − KL(π ‖ π_t^μ)
 *              ∝ π_t^μ(y|x)·exp(η·P(y ≻ π_t^μ | x))
 *              ∝ π_t^{1−ηβ} μ^{ηβ} exp(η·P(y ≻ π_t^μ | x)),
 *
 * whose last iterate converges to the β-regularised Nash equilibrium π*_β (the paper's Theorem 1:
 * KL(π*_β, π_{t+1}) ≤ (1 − η_t β)·KL(π*_β, π_t) + 2η_t²). Step-size schedules: constant η; the
 * horizon-dependent constant η = log T / (βT) of the theorem's corollary (KL = Õ(1/T)); and the
 * decreasing η_t = 2/(β(t + 2)) (KL ≤ max(KL₀, 8/β²)/(t + 1) from the same recursion).
 */
import type { PreferenceGame } from '../data/game';
import { logSoftmaxRows } from '../policies/logit-table';
import type { TabularPolicy } from '../policies/tabular-policy';
import { preferenceAgainst } from '../solvers/nash';

export type StepSchedule =
  | { kind: 'constant'; eta: number }
  /** η = log T / (β·T) for a run of T steps (Theorem 1's corollary). */
  | { kind: 'horizon'; T: number }
  /** η_t = c / (β·(t + c)) (c = 2: the 1/t rate from the theorem's recursion). */
  | { kind: 'decreasing'; c?: number };

/** Step size η_t of iteration t = 0, 1, ... (throws where η·β > 1, which Nash-MD's mixture needs). */
export function stepSize(s: StepSchedule, t: number, beta: number): number {
  let eta: number;
  switch (s.kind) {
    case 'constant':
      eta = s.eta;
      break;
    case 'horizon':
      if (!(s.T >= 2)) throw new RangeError(`stepSize: horizon T must be ≥ 2, got ${s.T}`);
      eta = Math.log(s.T) / (beta * s.T);
      break;
    case 'decreasing': {
      const c = s.c ?? 2;
      eta = c / (beta * (t + c));
      break;
    }
  }
  if (!(eta > 0)) throw new RangeError(`stepSize: η must be > 0, got ${eta}`);
  return eta;
}

/**
 * One Nash-MD step in log space: logPi (normalised log π_t) is replaced by log π_{t+1}.
 * `work` holds the mixture π_t^μ afterwards (as a policy), `pref` P(· ≻ π_t^μ).
 */
export function nashMDStepLog(
  g: PreferenceGame,
  logPi: Float64Array,
  logMu: Float64Array,
  eta: number,
  beta: number,
  work: TabularPolicy,
  pref: Float64Array,
): void {
  const w = eta * beta;
  if (!(w >= 0 && w <= 1)) throw new RangeError(`Nash-MD: the mixture weight η·β = ${w} must lie in [0, 1]`);
  const { nX, nY } = g;
  const n = nX * nY;
  for (let i = 0; i < n; i++) logPi[i] = (1 - w) * logPi[i] + w * logMu[i];
  logSoftmaxRows(logPi, g, logPi); // log π_t^μ
  for (let i = 0; i < n; i++) work.probs[i] = Math.exp(logPi[i]);
  preferenceAgainst(g, work, pref); // P(y ≻ π_t^μ)
  for (let i = 0; i < n; i++) logPi[i] += eta * pref[i];
  logSoftmaxRows(logPi, g, logPi);
}

/** One Nash-MD step on policies: π_{t+1} ∝ π_t^{1−ηβ} μ^{ηβ} exp(η·P(y ≻ π_t^μ)). */
export function nashMDStep(
  g: PreferenceGame,
  pi: TabularPolicy,
  mu: TabularPolicy,
  eta: number,
  beta: number,
): TabularPolicy {
  const n = pi.probs.length;
  const l = new Float64Array(n),
    lm = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    l[i] = Math.log(pi.probs[i]);
    lm[i] = Math.log(mu.probs[i]);
  }
  const work: TabularPolicy = { nX: pi.nX, nY: pi.nY, probs: new Float64Array(n) };
  nashMDStepLog(g, l, lm, eta, beta, work, new Float64Array(n));
  const out: TabularPolicy = { nX: pi.nX, nY: pi.nY, probs: new Float64Array(n) };
  for (let i = 0; i < n; i++) out.probs[i] = Math.exp(l[i]);
  return out;
}
