/**
 * Self-play baselines for preference games, tabular and exact (the comparisons of Munos et al.
 * 2023, §5, and the update INPO implements, Zhang et al. 2024):
 *
 * - Online mirror descent (OMD) on the β-regularised preference, playing against the current
 *   iterate itself (no geometric mixture):
 *       π_{t+1} = argmax_π η·⟨π, P(· ≻ π_t) − β·log(π_t/μ)⟩ − KL(π‖π_t)   (a mirror step on the gradient
 *               of the regularised payoff at π_t)  ⇔  π_{t+1} ∝ π_t^{1−ηβ} μ^{ηβ} exp(η·P(y ≻ π_t)).
 *   With β = 0 this is multiplicative weights self-play on the unregularised game.
 * - Fictitious play: the (regularised) best response to the average of past iterates,
 *   π_{t+1} ∝ μ·exp(P(· ≻ π̄_t)/β) (β > 0) or argmax_y P(y ≻ π̄_t) (β = 0).
 *
 * `runDynamics` runs any of these (and Nash-MD) and records the last and the average iterate.
 */
import type { PreferenceGame } from './game';
import { bestResponse, preferenceAgainst } from './nash';
import { nashMDStepLog, normaliseLogRows, stepSize, type StepSchedule } from './nash-md';
import { accumulateAverage, clonePolicy, type TabularPolicy } from './policies';

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
  normaliseLogRows(logPi, nX, nY);
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

export type DynamicsMethod = 'nash-md' | 'omd' | 'fictitious-play';

export interface DynamicsConfig {
  method: DynamicsMethod;
  /** KL coefficient β of the regularised game the method plays (0: unregularised; not for Nash-MD). */
  beta: number;
  /** Step sizes (ignored by fictitious play). */
  schedule: StepSchedule;
  steps: number;
  /** Iterations (0 … steps) at which `observe` is called. */
  checkpoints: number[];
}

/**
 * Run a self-play dynamic from π_0 for `steps` iterations; at each checkpoint t, `observe(t, last,
 * average)` receives the last iterate π_t and the average (1/(t+1))·Σ_{s≤t} π_s (fictitious play:
 * the average is the iterate the method plays against, the last is the best response to it).
 */
export function runDynamics(
  g: PreferenceGame,
  pi0: TabularPolicy,
  mu: TabularPolicy | null,
  cfg: DynamicsConfig,
  observe: (t: number, last: TabularPolicy, average: TabularPolicy) => void,
): { last: TabularPolicy; average: TabularPolicy } {
  const { nX, nY } = g;
  const n = nX * nY;
  const beta = cfg.beta;
  if (cfg.method === 'nash-md' && !(beta > 0)) throw new RangeError('runDynamics: Nash-MD needs beta > 0');
  if (beta > 0 && !mu) throw new RangeError(`runDynamics: beta = ${beta} > 0 needs the reference μ`);
  const want = new Set(cfg.checkpoints);
  const logPi = new Float64Array(n);
  for (let i = 0; i < n; i++) logPi[i] = Math.log(pi0.probs[i]);
  let logMu: Float64Array | null = null;
  if (mu) {
    logMu = new Float64Array(n);
    for (let i = 0; i < n; i++) logMu[i] = Math.log(mu.probs[i]);
  }
  const last: TabularPolicy = clonePolicy(pi0);
  const avg: TabularPolicy = clonePolicy(pi0);
  const work: TabularPolicy = { nX, nY, probs: new Float64Array(n) };
  const pref = new Float64Array(n);
  if (want.has(0)) observe(0, last, avg);
  for (let t = 0; t < cfg.steps; t++) {
    if (cfg.method === 'fictitious-play') {
      const br = bestResponse(g, avg, beta > 0 && mu ? { mu, beta } : { beta: 0 });
      last.probs.set(br.probs);
    } else {
      const eta = stepSize(cfg.schedule, t, beta > 0 ? beta : 1);
      if (cfg.method === 'nash-md') nashMDStepLog(g, logPi, logMu as Float64Array, eta, beta, work, pref);
      else omdStepLog(g, logPi, logMu, eta, beta, work, pref);
      for (let i = 0; i < n; i++) last.probs[i] = Math.exp(logPi[i]);
    }
    accumulateAverage(avg, last, t + 1);
    if (want.has(t + 1)) observe(t + 1, last, avg);
  }
  return { last, average: avg };
}
