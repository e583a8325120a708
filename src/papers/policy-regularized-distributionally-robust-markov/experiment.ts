/**
 * The DR-RPO miniature (Gu, He, Liu & Xu, "Policy Regularized Distributionally Robust Markov Decision Processes with
 * Linear Function Approximation", arXiv:2510.14246): online learning in a d-rectangular linear MDP with unknown
 * factors, robust to total-variation perturbations of radius ρ of each factor, with a KL penalty β to a uniform
 * reference policy. The method is `testbeds/tabular/methods/robust-regularized-policy-optimization.ts`, the instance
 * `testbeds/tabular/env/risky-shortcut.ts`, the exact oracle `testbeds/tabular/solvers/regularized-robust-dp.ts`.
 *
 * One seed: the fixed risky-shortcut instance (5 states, 3 actions, d = 5); every method runs `episodes` episodes on
 * the NOMINAL kernel from no data, with its own rollout randomness (rng.split(method)). Methods (same data per
 * episode, same ridge λ, bonus c, step η):
 *   dr-rpo     robust (ρ = rhoTrain) optimistic evaluation + KL-regularised mirror descent (β)
 *   oppo       the same with ρ = 0 in the learner (non-robust optimistic policy optimisation, same β)
 *   dr-po      the same robust learner with β = 0 (no reference-policy regularisation)
 *   dr-lsvi-o  value-based: greedy policy of the same robust optimistic Q̂ (Liu & Xu 2024)
 * Record keys (`method/metric`): m/regret (cumulative regret on the regularised robust objective at (rhoTrain, β)),
 * m/robustRegret (cumulative robust regret without the KL term), m/regretExp and m/robustRegretExp (log–log slope
 * of the cumulative regrets over `fitPoints` log-spaced t in [K/8, K]), m/earlyRegret and m/lateRegret (mean
 * per-episode regularised regret over the first and last 10% of episodes), m/lateRobustRegret (same, robust regret),
 * m/optimism (mean V̂_0 − V of the played policy), m/worst@<ρ> for ρ in `rhoTest` (the final policy's worst-case
 * return over the d-rectangular TV set of radius ρ: its exact robust value, ρ = 0 the nominal return);
 * series m/cumRegret and m/cumRobustRegret at `checkpoints` evenly spaced episodes.
 * Reference `ref/`: vStarReg, vStarRobust, vStarNominal; oracleResidual (|V^{π⋆}_{ρ,β} − V⋆_{ρ,β}| for the
 * regularised optimum π⋆ evaluated as a fixed policy: 0 up to rounding); regularizationBias (V⋆_ρ minus the robust
 * value of π⋆: what the KL penalty costs on the unregularised robust objective); robustnessGap (V⋆_ρ minus the
 * robust value of the nominal optimal policy: how much robustness matters on the instance); uniformRegret
 * (regularised regret of π_ref); nominalOptWorst@<ρ> and robustOptWorst@<ρ> (worst-case returns of the two exact
 * optima).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { riskyShortcutLinearMdp } from '../../testbeds/tabular/env/risky-shortcut';
import {
  makeRegularizedRobustProblem,
  runDrRpo,
  type DrRpoRun,
} from '../../testbeds/tabular/methods/robust-regularized-policy-optimization';
import { robustRegularizedDRectangular, uniformReference } from '../../testbeds/tabular/solvers/regularized-robust-dp';

export interface Config {
  /** Horizon H of the risky-shortcut instance. */
  H: number;
  /** Probability that the shortcut reaches the goal. */
  pWin: number;
  /** Reward per step of the safe lane. */
  rSafe: number;
  /** TV radius ρ of the training objective (each factor's ball). */
  rhoTrain: number;
  /** KL penalty β to the uniform reference policy. */
  beta: number;
  /** Episodes K. */
  episodes: number;
  /** Mirror-descent step η = etaScale · √(2 log|A| / (H² K)) (OPPO's step, Cai et al. 2020). */
  etaScale: number;
  /** Bonus multiplier c of the d-rectangular bonus Σ_i φ_i √(Λ⁻¹)_{ii}. */
  bonus: number;
  /** Ridge λ. */
  lambda: number;
  /** Test radii of the worst-case return of the final policies. */
  rhoTest: number[];
  /** Points of the learning-curve series. */
  checkpoints: number;
  /** Log-spaced points of the exponent fits over [K/8, K]. */
  fitPoints: number;
}

export const DEFAULTS: Config = {
  H: 5,
  pWin: 0.4,
  rSafe: 0.3,
  rhoTrain: 0.3,
  beta: 0.05,
  episodes: 2000,
  etaScale: 1,
  bonus: 1,
  lambda: 1,
  rhoTest: [0, 0.1, 0.2, 0.3, 0.4, 0.5],
  checkpoints: 40,
  fitPoints: 12,
};

export const METHODS = ['dr-rpo', 'oppo', 'dr-po', 'dr-lsvi-o'] as const;

/** Least-squares slope of log c(t) on log t over log-spaced t in [T/8, T]; 0 when c(T/8) ≤ 0. */
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

/** The mirror-descent step used by every policy-optimisation method. */
export function stepSize(config: Config, nA = 3): number {
  return config.etaScale * Math.sqrt((2 * Math.log(nA)) / (config.H * config.H * config.episodes));
}

export function runSeed(config: Config, seed: number): RunResult {
  const rng = new Rng(seed);
  const m = riskyShortcutLinearMdp({ H: config.H, pWin: config.pWin, rSafe: config.rSafe });
  const piRef = uniformReference(m.nS, m.nA);
  const problem = makeRegularizedRobustProblem(m, config.rhoTrain, config.beta, piRef);
  const K = config.episodes;
  const eta = stepSize(config, m.nA);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const every = Math.max(1, Math.floor(K / config.checkpoints));
  const worst = (pi: Float64Array, rho: number) => robustRegularizedDRectangular(m, rho, 0, piRef, pi).value;
  const record = (name: string, run: DrRpoRun) => {
    const cr = cumulative(run.regret);
    const crr = cumulative(run.robustRegret);
    const tenth = Math.max(1, Math.floor(K / 10));
    let early = 0,
      late = 0,
      lateRob = 0;
    for (let t = 0; t < tenth; t++) {
      early += run.regret[t] / tenth;
      late += run.regret[K - 1 - t] / tenth;
      lateRob += run.robustRegret[K - 1 - t] / tenth;
    }
    metrics[metricKey(name, 'regret')] = cr[K - 1];
    metrics[metricKey(name, 'robustRegret')] = crr[K - 1];
    metrics[metricKey(name, 'regretExp')] = logLogSlope(cr, config.fitPoints);
    metrics[metricKey(name, 'robustRegretExp')] = logLogSlope(crr, config.fitPoints);
    metrics[metricKey(name, 'earlyRegret')] = early;
    metrics[metricKey(name, 'lateRegret')] = late;
    metrics[metricKey(name, 'lateRobustRegret')] = lateRob;
    metrics[metricKey(name, 'optimism')] = run.meanOptimism;
    for (const rho of config.rhoTest) metrics[metricKey(name, `worst@${rho}`)] = worst(run.finalPolicy, rho);
    const xs: number[] = [],
      ys: number[] = [];
    for (let t = every; t <= K; t += every) {
      xs.push(cr[t - 1]);
      ys.push(crr[t - 1]);
    }
    series[metricKey(name, 'cumRegret')] = xs;
    series[metricKey(name, 'cumRobustRegret')] = ys;
  };
  const base = { episodes: K, eta, bonus: config.bonus, lambda: config.lambda };
  const specs: Record<(typeof METHODS)[number], { rho: number; beta: number; greedy: boolean }> = {
    'dr-rpo': { rho: config.rhoTrain, beta: config.beta, greedy: false },
    oppo: { rho: 0, beta: config.beta, greedy: false },
    'dr-po': { rho: config.rhoTrain, beta: 0, greedy: false },
    'dr-lsvi-o': { rho: config.rhoTrain, beta: 0, greedy: true },
  };
  for (const name of METHODS) record(name, runDrRpo(problem, { ...base, ...specs[name] }, rng.split(name)));
  // References from the exact oracle.
  const nominal = robustRegularizedDRectangular(m, 0, 0, piRef);
  const robustOpt = robustRegularizedDRectangular(m, config.rhoTrain, 0, piRef);
  metrics[metricKey('ref', 'vStarReg')] = problem.vStarReg;
  metrics[metricKey('ref', 'vStarRobust')] = problem.vStarRobust;
  metrics[metricKey('ref', 'vStarNominal')] = nominal.value;
  // Oracle identity: the regularised optimum π⋆ evaluated as a fixed policy returns V⋆_{ρ,β}.
  const regOpt = robustRegularizedDRectangular(m, config.rhoTrain, config.beta, piRef);
  metrics[metricKey('ref', 'oracleResidual')] = Math.abs(
    robustRegularizedDRectangular(m, config.rhoTrain, config.beta, piRef, regOpt.policy).value - regOpt.value,
  );
  // The robust cost of regularisation: V⋆_ρ minus the robust value of the regularised optimum π⋆_β.
  metrics[metricKey('ref', 'regularizationBias')] = problem.vStarRobust - worst(regOpt.policy, config.rhoTrain);
  metrics[metricKey('ref', 'robustnessGap')] = problem.vStarRobust - worst(nominal.policy, config.rhoTrain);
  const uniform = new Float64Array(m.H * m.nS * m.nA).fill(1 / m.nA);
  metrics[metricKey('ref', 'uniformRegret')] =
    problem.vStarReg - robustRegularizedDRectangular(m, config.rhoTrain, config.beta, piRef, uniform).value;
  for (const rho of config.rhoTest) {
    metrics[metricKey('ref', `nominalOptWorst@${rho}`)] = worst(nominal.policy, rho);
    metrics[metricKey('ref', `robustOptWorst@${rho}`)] = worst(robustOpt.policy, rho);
  }
  return { metrics, series };
}
