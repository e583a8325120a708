/**
 * The PR-LSVI miniature (Wu & Sun, "Making RL with Preference-based Feedback Efficient via Randomization",
 * ICLR 2024, arXiv:2310.14554): online RL from trajectory-pair Bradley–Terry preferences on a small random linear MDP
 * with a hidden reward vector θ*, known transitions, exact regret. The method is
 * `testbeds/tabular/methods/pr-lsvi.ts`; the trajectory features `testbeds/tabular/env/trajectory-features.ts`.
 *
 * One seed: a fresh random d-rectangular linear MDP (`randomLinearMdp`, θ* its first step's U(0, 1)^d weights, shared
 * by every step); every method runs `episodes` episodes from no data. Methods:
 *   pr-lsvi      σ_r = `sigma`, query every pair (ε = 0)
 *   greedy       σ_r = 0 (the MLE plan, no randomisation), query every pair
 *   active-<k>   σ_r = `sigma`, query iff ‖x_t‖_{Σ_t^{−1}} > epsilons[k]
 *   random-<k>   σ_r = `sigma`, query each pair with probability (queries of active-<k> on this seed) / episodes:
 *                the same expected label budget, no selection
 * Record keys (`method/metric`): m/regret (cumulative regret after all episodes), m/queries (labels used),
 * m/regretExp and m/queryExp (least-squares slope of log cumulative regret / log cumulative queries against log t
 * over `fitPoints` log-spaced t in [episodes/8, episodes]; 0 where the cumulative count is still 0 at episodes/8),
 * m/earlyRegret and m/lateRegret (mean per-episode regret over the first and last 10% of episodes),
 * m/cosine (cosine of the final ŵ and θ*, both centred: θ and θ + c·1 are indistinguishable),
 * m/logDetRatio (log det Σ_T − d log λ, the elliptical-potential budget of the query rule);
 * series m/cumRegret and m/cumQueries at `checkpoints` evenly spaced episodes.
 * Reference `ref/`: ref/knownRegret (regret of the greedy plan of the true θ*: 0 when planning is exact),
 * ref/uniformRegret (V* − V of the uniform policy), ref/vStar, ref/minGap (smallest positive gap V* − V^π among the
 * greedy plans of 200 random reward vectors: the instance's scale of distinguishable policies).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { randomLinearMdp, type RandomLinearMdpOptions } from '../../testbeds/tabular/env/linear-mdp';
import {
  greedyLinearPolicy,
  makePreferenceLinearProblem,
  runPrLsvi,
  trueValue,
  uniformTimePolicy,
  type PrLsviRun,
  type QueryRule,
} from '../../testbeds/tabular/methods/pr-lsvi';

/** The random linear MDP (RandomLinearMdpOptions; rewards are drawn dense) and PR-LSVI's run. */
export interface Config extends Omit<RandomLinearMdpOptions, 'denseRewards'> {
  /** Bradley–Terry scale β on the true return gap θ*ᵀ(ψ¹ − ψ⁰). */
  beta: number;
  /** Episodes T (one pair of trajectories, at most one label, each). */
  episodes: number;
  /** Perturbation scale σ_r of PR-LSVI. */
  sigma: number;
  /** Ridge λ of the MLE and of Σ_t. */
  lambda: number;
  /** Query thresholds ε of the active variants (on ‖x‖_{Σ^{−1}}). */
  epsilons: number[];
  /** Points of the learning-curve series. */
  checkpoints: number;
  /** Log-spaced points of the exponent fits over [T/8, T]. */
  fitPoints: number;
}

export const DEFAULTS: Config = {
  nS: 10,
  nA: 3,
  d: 8,
  H: 5,
  featureConcentration: 0.3,
  factorConcentration: 0.5,
  beta: 2,
  episodes: 1600,
  sigma: 2,
  lambda: 1,
  epsilons: [0.1, 0.25, 0.5, 1],
  checkpoints: 40,
  fitPoints: 12,
};

/** Least-squares slope of log c(t) on log t over log-spaced t in [T/8, T]; 0 when c(T/8) = 0. */
export function logLogSlope(cum: Float64Array, points: number): number {
  const T = cum.length;
  const t0 = Math.max(1, Math.floor(T / 8));
  if (!(cum[t0 - 1] > 0)) return 0;
  const xs: number[] = [],
    ys: number[] = [];
  for (let k = 0; k < points; k++) {
    const t = Math.round(t0 * Math.pow(T / t0, k / (points - 1)));
    xs.push(Math.log(t));
    ys.push(Math.log(cum[t - 1]));
  }
  const mx = xs.reduce((s, v) => s + v, 0) / points,
    my = ys.reduce((s, v) => s + v, 0) / points;
  let num = 0,
    den = 0;
  for (let k = 0; k < points; k++) {
    num += (xs[k] - mx) * (ys[k] - my);
    den += (xs[k] - mx) ** 2;
  }
  return num / den;
}

function cumulative(a: ArrayLike<number>): Float64Array {
  const c = new Float64Array(a.length);
  let s = 0;
  for (let i = 0; i < a.length; i++) c[i] = s += a[i];
  return c;
}

function centredCosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const d = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < d; i++) {
    ma += a[i] / d;
    mb += b[i] / d;
  }
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < d; i++) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}

export function methodNames(config: Config): string[] {
  const out = ['pr-lsvi', 'greedy'];
  config.epsilons.forEach((_, k) => out.push(`active-${k}`, `random-${k}`));
  return out;
}

export function runSeed(config: Config, seed: number): RunResult {
  const rng = new Rng(seed);
  const m = randomLinearMdp(rng.split('instance'), {
    nS: config.nS,
    nA: config.nA,
    d: config.d,
    H: config.H,
    featureConcentration: config.featureConcentration,
    factorConcentration: config.factorConcentration,
    denseRewards: true,
  });
  const thetaStar = Float64Array.from(m.theta.subarray(0, config.d));
  const problem = makePreferenceLinearProblem(m, thetaStar, config.beta);
  const T = config.episodes;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const every = Math.max(1, Math.floor(T / config.checkpoints));
  const record = (name: string, run: PrLsviRun) => {
    const cr = cumulative(run.regret);
    const cq = cumulative(run.queried);
    const tenth = Math.max(1, Math.floor(T / 10));
    let early = 0,
      late = 0;
    for (let t = 0; t < tenth; t++) {
      early += run.regret[t] / tenth;
      late += run.regret[T - 1 - t] / tenth;
    }
    metrics[metricKey(name, 'regret')] = cr[T - 1];
    metrics[metricKey(name, 'queries')] = cq[T - 1];
    metrics[metricKey(name, 'regretExp')] = logLogSlope(cr, config.fitPoints);
    metrics[metricKey(name, 'queryExp')] = logLogSlope(cq, config.fitPoints);
    metrics[metricKey(name, 'earlyRegret')] = early;
    metrics[metricKey(name, 'lateRegret')] = late;
    metrics[metricKey(name, 'cosine')] = centredCosine(run.wHat, thetaStar);
    metrics[metricKey(name, 'logDetRatio')] = run.logDetRatio;
    const xs: number[] = [],
      qs: number[] = [];
    for (let t = every; t <= T; t += every) {
      xs.push(cr[t - 1]);
      qs.push(cq[t - 1]);
    }
    series[metricKey(name, 'cumRegret')] = xs;
    series[metricKey(name, 'cumQueries')] = qs;
  };
  const run = (name: string, sigma: number, query: QueryRule) => {
    const r = runPrLsvi(problem, { episodes: T, sigma, lambda: config.lambda, query }, rng.split(name));
    record(name, r);
    return r;
  };
  run('pr-lsvi', config.sigma, { kind: 'uncertainty', epsilon: 0 });
  run('greedy', 0, { kind: 'uncertainty', epsilon: 0 });
  config.epsilons.forEach((epsilon, k) => {
    const a = run(`active-${k}`, config.sigma, { kind: 'uncertainty', epsilon });
    const budget = a.queried.reduce((s, v) => s + v, 0);
    run(`random-${k}`, config.sigma, { kind: 'random', prob: budget / T });
  });
  // References.
  metrics[metricKey('ref', 'vStar')] = problem.vStar;
  metrics[metricKey('ref', 'knownRegret')] =
    problem.vStar - trueValue(problem, greedyLinearPolicy(problem.m, thetaStar));
  metrics[metricKey('ref', 'uniformRegret')] = problem.vStar - trueValue(problem, uniformTimePolicy(problem.m));
  const rGap = rng.split('gap');
  let minGap = Infinity;
  for (let k = 0; k < 200; k++) {
    const w = rGap.normals(config.d);
    const g = problem.vStar - trueValue(problem, greedyLinearPolicy(problem.m, w));
    if (g > 1e-9 && g < minGap) minGap = g;
  }
  metrics[metricKey('ref', 'minGap')] = Number.isFinite(minGap) ? minGap : 0;
  return { metrics, series };
}
