/**
 * Self-play dynamics on a preference game, tabular and exact (the comparisons of Munos et al. 2023,
 * §5): Nash-MD (methods/nash-md.ts), online mirror descent (methods/omd.ts) and fictitious play — the
 * (regularised) best response to the average of past iterates, π_{t+1} ∝ μ·exp(P(· ≻ π̄_t)/β) (β > 0)
 * or argmax_y P(y ≻ π̄_t) (β = 0). `runDynamics` runs any of them and records the last and the
 * average iterate.
 */
import type { PreferenceGame } from '../data/game';
import { nashMDStepLog, stepSize, type StepSchedule } from '../methods/nash-md';
import { omdStepLog } from '../methods/omd';
import { accumulateAverage, clonePolicy, type TabularPolicy } from '../policies/tabular-policy';
import { bestResponse } from '../solvers/nash';

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
