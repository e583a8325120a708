/**
 * The Nash-MD miniature (Munos et al. 2023, tabular convergence claim), one seed = one random
 * preference game per setting (a single prompt, then several prompts).
 *
 * Game: K responses, logit P(y ≻ y'|x) = r(x,y) − r(x,y') + C_x(y,y') (Bradley–Terry part + a
 * divergence-free cyclic part), reference μ = softmax of N(0, 1) logits, π_0 = μ. Ground truth:
 * the β-regularised Nash equilibrium π*_β (mirror-prox to a fixed-point residual < 1e-12).
 *
 * Methods, all exact (full-information) self-play from π_0 for T steps:
 *   nash-md            Nash-MD with η_t = 2/(β(t+2))            (main schedule)
 *   nash-md-horizon    Nash-MD with η = log T/(βT)              (Theorem 1's corollary)
 *   nash-md-constant   Nash-MD with a constant η
 *   omd, omd-horizon, omd-constant   OMD on the regularised game (self-play against π_t, no mixture)
 *   fictitious-play    regularised best response to the average of past iterates
 *   self-play          multiplicative weights on the unregularised preference (β = 0)
 *   rlhf               Bradley–Terry reward fitted on all pairs under μ×μ (population fit) and the
 *                      KL-regularised optimum π ∝ μ·exp(r̂/β)
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { randomGame, type CyclicKind, type PreferenceGame } from './game';
import { exploitability, regularisedNash, winRate } from './nash';
import { nashMDStepLog, stepSize, type StepSchedule } from './nash-md';
import { runDynamics, type DynamicsMethod } from './online-md';
import { kl, klRegularisedOptimum, randomSoftmaxPolicy, type TabularPolicy } from './policies';
import { fitBradleyTerryMinimal, populationComparisons } from './dno';

export interface NashMDConfig {
  /** Responses per prompt (K). */
  nY: number;
  /** Prompt counts of the settings run per seed, e.g. [1, 20]. */
  contexts: number[];
  btScale: number;
  cyclicScale: number;
  cyclic: CyclicKind;
  /** KL coefficient β of the regularised game (the paper's τ). */
  beta: number;
  /** Std of μ's logits. */
  muScale: number;
  /** Self-play steps T. */
  steps: number;
  /** Step size of the constant-step variants. */
  constantEta: number;
  /** Step size of unregularised multiplicative-weights self-play. */
  selfPlayEta: number;
  /** Number of log-spaced checkpoints in 1..T (plus t = 0). */
  checkpoints: number;
  /** Cyclic strengths of the RLHF-vs-Nash sweep (multi-prompt setting, exact π*_β vs RLHF). */
  sweepCyclicScales: number[];
}

export const METHODS = [
  'nash-md',
  'nash-md-horizon',
  'nash-md-constant',
  'omd',
  'omd-horizon',
  'omd-constant',
  'fictitious-play',
  'self-play',
] as const;
export type Method = (typeof METHODS)[number];

interface MethodSpec {
  dyn: DynamicsMethod;
  schedule: StepSchedule;
  regularised: boolean;
}

function specOf(m: Method, c: NashMDConfig): MethodSpec {
  const dec: StepSchedule = { kind: 'decreasing', c: 2 };
  const hor: StepSchedule = { kind: 'horizon', T: c.steps };
  const con: StepSchedule = { kind: 'constant', eta: c.constantEta };
  switch (m) {
    case 'nash-md':
      return { dyn: 'nash-md', schedule: dec, regularised: true };
    case 'nash-md-horizon':
      return { dyn: 'nash-md', schedule: hor, regularised: true };
    case 'nash-md-constant':
      return { dyn: 'nash-md', schedule: con, regularised: true };
    case 'omd':
      return { dyn: 'omd', schedule: dec, regularised: true };
    case 'omd-horizon':
      return { dyn: 'omd', schedule: hor, regularised: true };
    case 'omd-constant':
      return { dyn: 'omd', schedule: con, regularised: true };
    case 'fictitious-play':
      return { dyn: 'fictitious-play', schedule: dec, regularised: true };
    case 'self-play':
      return { dyn: 'omd', schedule: { kind: 'constant', eta: c.selfPlayEta }, regularised: false };
  }
}

/** 0 and ~n log-spaced integers in [1, T] (always including 1 and T). */
export function logCheckpoints(T: number, n: number): number[] {
  const s = new Set<number>([0, 1, T]);
  for (let k = 0; k < n; k++) s.add(Math.max(1, Math.round(Math.pow(T, k / Math.max(1, n - 1)))));
  return [...s].sort((a, b) => a - b);
}

/** RLHF's reward model: a BT reward fitted to every pair under μ×μ with P's probabilities as labels (the population fit). */
export function rlhfReward(g: PreferenceGame, mu: TabularPolicy): Float64Array {
  return fitBradleyTerryMinimal(g.nX, g.nY, populationComparisons(g, mu), 1e-9);
}

/** RLHF baseline at KL coefficient β: π ∝ μ·exp(r̂/β). */
export function rlhfPolicy(g: PreferenceGame, mu: TabularPolicy, beta: number, reward?: Float64Array): TabularPolicy {
  return klRegularisedOptimum(mu, reward ?? rlhfReward(g, mu), beta);
}

/**
 * The KL coefficient at which the RLHF policy μ·exp(r̂/β) has E_x KL(π‖μ) = targetKl (bisection on
 * log β; KL decreases monotonically in β). One β for all prompts, as in a single RLHF run.
 */
export function klMatchedBeta(mu: TabularPolicy, reward: Float64Array, targetKl: number): number {
  let lo = Math.log(1e-6),
    hi = Math.log(1e6);
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    const k = kl(klRegularisedOptimum(mu, reward, Math.exp(mid)), mu);
    if (k > targetKl) lo = mid;
    else hi = mid;
  }
  return Math.exp(0.5 * (lo + hi));
}

/**
 * Nash-MD with the main schedule, checking Theorem 1's per-step inequality
 * KL(π*, π_{t+1}) ≤ (1 − η_t β)·KL(π*, π_t) + 2η_t² at every step.
 * Returns the largest (KL_{t+1} − (1 − η_t β)·KL_t)/η_t² seen and the number of violations.
 */
export function theoremCheck(
  g: PreferenceGame,
  mu: TabularPolicy,
  star: TabularPolicy,
  beta: number,
  steps: number,
): { maxRatio: number; violations: number; steps: number } {
  const n = g.nX * g.nY;
  const logPi = new Float64Array(n),
    logMu = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    logPi[i] = Math.log(mu.probs[i]);
    logMu[i] = logPi[i];
  }
  const cur: TabularPolicy = { nX: g.nX, nY: g.nY, probs: Float64Array.from(mu.probs) };
  const work: TabularPolicy = { nX: g.nX, nY: g.nY, probs: new Float64Array(n) };
  const pref = new Float64Array(n);
  let klPrev = kl(star, cur);
  let maxRatio = -Infinity,
    violations = 0;
  for (let t = 0; t < steps; t++) {
    const eta = stepSize({ kind: 'decreasing', c: 2 }, t, beta);
    nashMDStepLog(g, logPi, logMu, eta, beta, work, pref);
    for (let i = 0; i < n; i++) cur.probs[i] = Math.exp(logPi[i]);
    const k = kl(star, cur);
    const slack = k - (1 - eta * beta) * klPrev;
    maxRatio = Math.max(maxRatio, slack / (eta * eta));
    if (slack > 2 * eta * eta + 1e-12) violations++;
    klPrev = k;
  }
  return { maxRatio, violations, steps };
}

/** log10 with KL values below machine precision (1e-16) clamped there. */
const log10 = (v: number) => Math.log10(Math.max(v, 1e-16));

export function runSeed(config: NashMDConfig, seed: number): RunResult {
  const root = new Rng(seed).split('nash-md');
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const T = config.steps;
  const tPrev = Math.max(1, Math.round(T / 10)); // the decade slope compares t = T/10 with t = T
  const cps = logCheckpoints(T, config.checkpoints);
  if (!cps.includes(tPrev)) {
    cps.push(tPrev);
    cps.sort((a, b) => a - b);
  }
  series.checkpoints = cps;
  for (const nX of config.contexts) {
    const tag = nX === 1 ? 'single' : 'multi';
    const rng = root.split(tag);
    const spec = { nX, nY: config.nY, btScale: config.btScale, cyclicScale: config.cyclicScale, cyclic: config.cyclic };
    const g = randomGame(rng.split('game'), spec);
    const mu = randomSoftmaxPolicy(rng.split('mu'), nX, config.nY, config.muScale);
    const beta = config.beta;
    const sol = regularisedNash(g, mu, beta, { tol: 1e-12 });
    const star = sol.policy;
    metrics[`${tag}_solverResidual`] = sol.residual;
    metrics[`${tag}_kl0`] = kl(star, mu);
    metrics[`${tag}_nashUnregExploitability`] = exploitability(g, star);
    let nashMDLast: TabularPolicy | null = null;
    for (const m of METHODS) {
      const s = specOf(m, config);
      const klLast: number[] = [],
        klAvg: number[] = [],
        exLast: number[] = [],
        exAvg: number[] = [];
      const reg = s.regularised ? { mu, beta } : { beta: 0 };
      const res = runDynamics(
        g,
        mu,
        s.regularised ? mu : null,
        { method: s.dyn, beta: s.regularised ? beta : 0, schedule: s.schedule, steps: T, checkpoints: cps },
        (t, last, avg) => {
          if (s.regularised) {
            klLast.push(kl(star, last));
            klAvg.push(kl(star, avg));
          }
          exLast.push(exploitability(g, last, reg));
          exAvg.push(exploitability(g, avg, reg));
          if (t === tPrev && s.regularised) metrics[`${tag}_${m}_klLastPrev`] = kl(star, last);
          if (t === tPrev) metrics[`${tag}_${m}_exploitLastPrev`] = exploitability(g, last, reg);
        },
      );
      series[`${tag}_${m}_exploitLast`] = exLast;
      series[`${tag}_${m}_exploitAvg`] = exAvg;
      metrics[`${tag}_${m}_exploitLast`] = exLast[exLast.length - 1];
      metrics[`${tag}_${m}_exploitAvg`] = exAvg[exAvg.length - 1];
      if (s.regularised) {
        series[`${tag}_${m}_klLast`] = klLast;
        series[`${tag}_${m}_klAvg`] = klAvg;
        metrics[`${tag}_${m}_klLast`] = klLast[klLast.length - 1];
        metrics[`${tag}_${m}_klAvg`] = klAvg[klAvg.length - 1];
        // change of log10 KL(π*, π_t) over the last decade of iterations (T/10 → T)
        metrics[`${tag}_${m}_decadeSlope`] =
          log10(metrics[`${tag}_${m}_klLast`]) - log10(metrics[`${tag}_${m}_klLastPrev`]);
      }
      if (m === 'nash-md') nashMDLast = res.last;
    }
    const th = theoremCheck(g, mu, star, beta, T);
    metrics[`${tag}_theoremMaxRatio`] = th.maxRatio;
    metrics[`${tag}_theoremViolations`] = th.violations;
    metrics[`${tag}_theoremSteps`] = th.steps;
    const last = nashMDLast as TabularPolicy;
    const rHat = rlhfReward(g, mu);
    const rlhfSame = rlhfPolicy(g, mu, beta, rHat);
    const betaMatched = klMatchedBeta(mu, rHat, kl(last, mu));
    const rlhf = rlhfPolicy(g, mu, betaMatched, rHat);
    metrics[`${tag}_rlhfMatchedBeta`] = betaMatched;
    metrics[`${tag}_klNashMDvsMu`] = kl(last, mu);
    metrics[`${tag}_klRLHFvsMu`] = kl(rlhf, mu);
    metrics[`${tag}_klRLHFSameBetaVsMu`] = kl(rlhfSame, mu);
    metrics[`${tag}_winNashMDvsRLHF`] = winRate(g, last, rlhf);
    metrics[`${tag}_winNashVsRLHF`] = winRate(g, star, rlhf);
    metrics[`${tag}_winNashMDvsRLHFSameBeta`] = winRate(g, last, rlhfSame);
    metrics[`${tag}_winNashMDvsMu`] = winRate(g, last, mu);
    metrics[`${tag}_winRLHFvsMu`] = winRate(g, rlhf, mu);
    metrics[`${tag}_nashMDUnregExploitability`] = exploitability(g, last);
    metrics[`${tag}_rlhfUnregExploitability`] = exploitability(g, rlhf);
    metrics[`${tag}_rlhfSameBetaUnregExploitability`] = exploitability(g, rlhfSame);
    metrics[`${tag}_muUnregExploitability`] = exploitability(g, mu);
    if (nX > 1) {
      // sweep of the cyclic strength: same BT part and reference, exact π*_β vs RLHF
      const win: number[] = [];
      for (const c of config.sweepCyclicScales) {
        const gs = randomGame(rng.split('game'), { ...spec, cyclicScale: c });
        const st = regularisedNash(gs, mu, beta, { tol: 1e-12 }).policy;
        const rs = rlhfReward(gs, mu);
        win.push(winRate(gs, st, rlhfPolicy(gs, mu, klMatchedBeta(mu, rs, kl(st, mu)), rs)));
      }
      series[`${tag}_sweepWinNashVsRLHF`] = win;
    }
  }
  return { metrics, series };
}
