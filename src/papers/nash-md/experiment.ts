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
 * Task entry point: `runSeed(config, seed)` ('papers/nash-md/experiment#runSeed').
 *
 * Record keys (`method/metric`): a setting's metrics carry its tag, `single.` (1 prompt) or `multi.`
 * (several prompts): e.g. `nash-md/multi.klLast`, `omd/single.exploitAvg`. Non-method quantities:
 * `nash/…` (the exact equilibrium π*_β), `mu/…` (the reference μ), `rlhf/…` (RLHF at matched KL),
 * `rlhf-same-beta/…` (RLHF at Nash-MD's β), `all/checkpoints` (the checkpoint iterations of the series).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { populationComparisons } from '../../testbeds/preference/data/comparisons';
import { randomGame, type CyclicKind, type PreferenceGame } from '../../testbeds/preference/data/game';
import { runDynamics, type DynamicsMethod } from '../../testbeds/preference/loops/self-play';
import { fitBTTabularRidge } from '../../testbeds/preference/methods/bradley-terry';
import { nashMDStepLog, stepSize, type StepSchedule } from '../../testbeds/preference/methods/nash-md';
import { kl, randomSoftmaxPolicy, type TabularPolicy } from '../../testbeds/preference/policies/tabular-policy';
import { klMatchedBeta, klRegularisedOptimum } from '../../testbeds/preference/solvers/kl-optimum';
import { exploitability, regularisedNash, winRate } from '../../testbeds/preference/solvers/nash';

export interface Config {
  /** Responses per prompt (K). */
  nY: number;
  /** Prompt counts of the settings run per seed: [1, n] (a single prompt, then n prompts). */
  contexts: number[];
  /** Standard deviation of the Bradley–Terry reward r(x, y) of the game's transitive part. */
  btScale: number;
  /** Root-mean-square logit of the game's cyclic (intransitive) part. */
  cyclicScale: number;
  /** Form of the cyclic part: a dense divergence-free 'curl' or rock–paper–scissors blocks. */
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

function specOf(m: Method, c: Config): MethodSpec {
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

/** The full-profile configuration of the notebook. */
export const DEFAULTS: Config = {
  nY: 10,
  contexts: [1, 20],
  btScale: 1,
  cyclicScale: 2,
  cyclic: 'curl',
  beta: 0.1,
  muScale: 1,
  steps: 10000,
  constantEta: 1,
  selfPlayEta: 1,
  checkpoints: 25,
  sweepCyclicScales: [0, 0.5, 1, 2, 4, 8],
};

/** 0 and ~n log-spaced integers in [1, T] (always including 1 and T). */
export function logCheckpoints(T: number, n: number): number[] {
  const s = new Set<number>([0, 1, T]);
  for (let k = 0; k < n; k++) s.add(Math.max(1, Math.round(Math.pow(T, k / Math.max(1, n - 1)))));
  return [...s].sort((a, b) => a - b);
}

/**
 * RLHF's reward model: a BT reward fitted to every pair under μ×μ with P's probabilities as labels
 * (the population fit).
 */
export function rlhfReward(g: PreferenceGame, mu: TabularPolicy): Float64Array {
  return fitBTTabularRidge(g.nX, g.nY, populationComparisons(g, mu), 1e-9);
}

/** RLHF baseline at KL coefficient β: π ∝ μ·exp(r̂/β). */
export function rlhfPolicy(g: PreferenceGame, mu: TabularPolicy, beta: number, reward?: Float64Array): TabularPolicy {
  return klRegularisedOptimum(mu, reward ?? rlhfReward(g, mu), beta);
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

export function runSeed(config: Config, seed: number): RunResult {
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
  series[metricKey('all', 'checkpoints')] = cps;
  for (const nX of config.contexts) {
    const tag = nX === 1 ? 'single' : 'multi';
    /** `method/<tag>.metric`: the key of a metric of this setting. */
    const key = (method: string, metric: string) => metricKey(method, `${tag}.${metric}`);
    const rng = root.split(tag);
    const spec = { nX, nY: config.nY, btScale: config.btScale, cyclicScale: config.cyclicScale, cyclic: config.cyclic };
    const g = randomGame(rng.split('game'), spec);
    const mu = randomSoftmaxPolicy(rng.split('mu'), nX, config.nY, config.muScale);
    const beta = config.beta;
    const sol = regularisedNash(g, mu, beta, { tol: 1e-12 });
    const star = sol.policy;
    metrics[key('nash', 'solverResidual')] = sol.residual;
    metrics[key('nash', 'kl0')] = kl(star, mu);
    metrics[key('nash', 'unregExploit')] = exploitability(g, star);
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
          if (t === tPrev && s.regularised) metrics[key(m, 'klLastPrev')] = kl(star, last);
          if (t === tPrev) metrics[key(m, 'exploitLastPrev')] = exploitability(g, last, reg);
        },
      );
      series[key(m, 'exploitLast')] = exLast;
      series[key(m, 'exploitAvg')] = exAvg;
      metrics[key(m, 'exploitLast')] = exLast[exLast.length - 1];
      metrics[key(m, 'exploitAvg')] = exAvg[exAvg.length - 1];
      if (s.regularised) {
        series[key(m, 'klLast')] = klLast;
        series[key(m, 'klAvg')] = klAvg;
        metrics[key(m, 'klLast')] = klLast[klLast.length - 1];
        metrics[key(m, 'klAvg')] = klAvg[klAvg.length - 1];
        // change of log10 KL(π*, π_t) over the last decade of iterations (T/10 → T)
        metrics[key(m, 'decadeSlope')] = log10(metrics[key(m, 'klLast')]) - log10(metrics[key(m, 'klLastPrev')]);
      }
      if (m === 'nash-md') nashMDLast = res.last;
    }
    const th = theoremCheck(g, mu, star, beta, T);
    metrics[key('nash-md', 'theoremMaxRatio')] = th.maxRatio;
    metrics[key('nash-md', 'theoremViolations')] = th.violations;
    metrics[key('nash-md', 'theoremSteps')] = th.steps;
    const last = nashMDLast as TabularPolicy;
    const rHat = rlhfReward(g, mu);
    const rlhfSame = rlhfPolicy(g, mu, beta, rHat);
    const betaMatched = klMatchedBeta(mu, rHat, kl(last, mu));
    const rlhf = rlhfPolicy(g, mu, betaMatched, rHat);
    metrics[key('rlhf', 'matchedBeta')] = betaMatched;
    metrics[key('nash-md', 'klMu')] = kl(last, mu);
    metrics[key('rlhf', 'klMu')] = kl(rlhf, mu);
    metrics[key('rlhf-same-beta', 'klMu')] = kl(rlhfSame, mu);
    metrics[key('nash-md', 'winVsRlhf')] = winRate(g, last, rlhf);
    metrics[key('nash', 'winVsRlhf')] = winRate(g, star, rlhf);
    metrics[key('nash-md', 'winVsRlhfSameBeta')] = winRate(g, last, rlhfSame);
    metrics[key('nash-md', 'winVsMu')] = winRate(g, last, mu);
    metrics[key('rlhf', 'winVsMu')] = winRate(g, rlhf, mu);
    metrics[key('nash-md', 'unregExploit')] = exploitability(g, last);
    metrics[key('rlhf', 'unregExploit')] = exploitability(g, rlhf);
    metrics[key('rlhf-same-beta', 'unregExploit')] = exploitability(g, rlhfSame);
    metrics[key('mu', 'unregExploit')] = exploitability(g, mu);
    if (nX > 1) {
      // sweep of the cyclic strength: same BT part and reference, exact π*_β vs RLHF
      const win: number[] = [];
      for (const c of config.sweepCyclicScales) {
        const gs = randomGame(rng.split('game'), { ...spec, cyclicScale: c });
        const st = regularisedNash(gs, mu, beta, { tol: 1e-12 }).policy;
        const rs = rlhfReward(gs, mu);
        win.push(winRate(gs, st, rlhfPolicy(gs, mu, klMatchedBeta(mu, rs, kl(st, mu)), rs)));
      }
      series[key('nash', 'sweepWinVsRlhf')] = win;
    }
  }
  return { metrics, series };
}
