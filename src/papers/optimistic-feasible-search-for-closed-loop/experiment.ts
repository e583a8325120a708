/**
 * The miniature of Du, "Optimistic Feasible Search for Closed-Loop Fair Threshold Decision-Making" (arXiv:2512.22313,
 * 2025): one seed = every method on the synthetic closed-loop lending benchmark for T rounds.
 *
 * Environment (testbeds/bandits/env/closed-loop-threshold.ts): two groups with Gaussian scores N(0.6, 0.15²) and
 * N(0.45, 0.15²), repay probability = score (clipped to [0, 1]), loan cost c = 0.5; a batch of m = 400 applicants a
 * round; 41 thresholds on [0, 1]; DP constraint |A_0 − A_1| ≤ ε = 0.1 and service constraint A ≥ s_min = 0.5; the
 * group-1 share follows the stable contraction p_{t+1} = (1 − a) p_t + a (p̄ + κ(Â_1 − Â_0)), a = 0.05, p̄ = 0.5,
 * κ = 0.5, p_0 = 0.5. The learner sees, for its chosen threshold only, the batch reward and the two residuals.
 *
 * Methods (equal horizon T, the same per-round feedback, the same confidence radii σ·sqrt(2 ln n / n_k)):
 * - `ofs`: Optimistic Feasible Search (methods/ofs.ts);
 * - `ucb`: unconstrained UCB1 on the reward with the same radius (methods/ucb1.ts, c = σ_r);
 * - `primal-dual`: Lagrangian UCB with projected dual ascent, η = 1/√T (methods/primal-dual-ucb.ts);
 * - `oracle`: the best feasible fixed grid threshold from the known model's steady state (exact);
 * - `ofs-pessimistic`: a variant (not in the paper's abstract) that calls a threshold feasible only when the upper
 *   confidence bound of every residual is ≤ 0; descriptive, no claim.
 *
 * Sub-Gaussian scales of the per-round observations (Hoeffding for a mean of m bounded terms of range 1):
 * σ_r = σ_sr = 1/(2√m); the DP residual is a difference of two group means of ≈ m/2 terms each: σ_dp = 1/√m.
 *
 * Record keys: `<m>/regret` (T·r* − Σ_t r(τ_t, p_t), exact expected reward given the realised share),
 * `<m>/cumReward`, `<m>/cumViolation` (Σ_t [DP residual]_+ + [service residual]_+, exact given p_t),
 * `<m>/cumDpViolation`, `<m>/cumSrViolation`, `<m>/ssReward` and `<m>/ssViolation` (per-round means over the last
 * `tailFraction` of rounds), `<m>/ssGap` (r* − ssReward), `<m>/fracOracle` (rounds on the oracle's threshold),
 * `<m>/finalShare`; `ofs/fallbacks`, `primal-dual/lambdaDp`, `primal-dual/lambdaSr`; `exact/rStar`, `exact/kStar`;
 * series `<m>/regretCurve`, `<m>/violationCurve` at `exact/checkpoints`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  bestFixedThreshold,
  closedLoopTables,
  stepClosedLoop,
  thresholdGrid,
  type ClosedLoopThresholdParams,
  type ClosedLoopThresholdTables,
} from '../../testbeds/bandits/env/closed-loop-threshold';
import { ofs, type ConstrainedArmPolicy } from '../../testbeds/bandits/methods/ofs';
import { primalDualUcb } from '../../testbeds/bandits/methods/primal-dual-ucb';
import { ucb1 } from '../../testbeds/bandits/methods/ucb1';

export interface Config {
  /** The environment (score model, constraints, closed loop, batch, grid). */
  env: ClosedLoopThresholdParams;
  /** Horizon (rounds) of every method. */
  T: number;
  /** Number of evenly spaced checkpoints of the cumulative curves. */
  checkpoints: number;
  /** Fraction of final rounds over which steady-state reward and violation are averaged. */
  tailFraction: number;
  /** Upper clip of the primal–dual multipliers. */
  lambdaMax: number;
}

export const ENV_DEFAULTS: ClosedLoopThresholdParams = {
  mu: [0.6, 0.45],
  sd: 0.15,
  cost: 0.5,
  eps: 0.1,
  sMin: 0.5,
  pBar: 0.5,
  kappa: 0.5,
  alpha: 0.05,
  p0: 0.5,
  pLo: 0.05,
  pHi: 0.95,
  batch: 400,
  grid: thresholdGrid(41),
};

export const DEFAULTS: Config = { env: ENV_DEFAULTS, T: 20000, checkpoints: 50, tailFraction: 0.1, lambdaMax: 10 };

export const METHODS = ['ofs', 'ucb', 'primal-dual', 'oracle', 'ofs-pessimistic'] as const;
export type Method = (typeof METHODS)[number];

/** Sub-Gaussian scales (σ_r, [σ_dp, σ_sr]) of the per-round observations for a batch of m applicants. */
export function observationScales(m: number): { reward: number; residuals: number[] } {
  return { reward: 1 / (2 * Math.sqrt(m)), residuals: [1 / Math.sqrt(m), 1 / (2 * Math.sqrt(m))] };
}

export function tablesOf(config: Config): ClosedLoopThresholdTables {
  return closedLoopTables(config.env);
}

/** Evenly spaced checkpoints (rounds completed) ending at T. */
export function linearCheckpoints(T: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => Math.round((T * (i + 1)) / count));
}

function learnerOf(method: Method, config: Config, tb: ClosedLoopThresholdTables, kStar: number) {
  const sc = observationScales(config.env.batch);
  if (method === 'ofs') return ofs(tb.K, { rewardScale: sc.reward, residualScales: sc.residuals });
  if (method === 'ofs-pessimistic')
    return ofs(tb.K, { rewardScale: sc.reward, residualScales: sc.residuals, feasibility: 'pessimistic' });
  if (method === 'primal-dual')
    return primalDualUcb(tb.K, {
      rewardScale: sc.reward,
      residualScales: sc.residuals,
      eta: 1 / Math.sqrt(config.T),
      lambdaMax: config.lambdaMax,
    });
  if (method === 'ucb') {
    const u = ucb1(tb.K, sc.reward);
    return { select: (t, rng) => u.select(t, rng), update: (k, r) => u.update(k, r) } as ConstrainedArmPolicy;
  }
  return { select: () => kStar, update: () => {} } as ConstrainedArmPolicy;
}

/** Runs one method for T rounds. */
export function runMethod(config: Config, method: Method, seed: number) {
  const tb = tablesOf(config);
  const best = bestFixedThreshold(tb).feasible;
  const rStar = best.reward;
  const root = new Rng(seed);
  const envRng = root.split('env'); // common random numbers: every method draws its batches from the same stream
  const polRng = root.split(method);
  const learner = learnerOf(method, config, tb, best.k);
  const state = { p: config.env.p0 };
  const cps = linearCheckpoints(config.T, config.checkpoints);
  const regretCurve = new Float64Array(cps.length),
    violationCurve = new Float64Array(cps.length);
  const tailStart = config.T - Math.round(config.tailFraction * config.T);
  const g = new Float64Array(2);
  let cumR = 0,
    cumDp = 0,
    cumSr = 0,
    tailR = 0,
    tailV = 0,
    onStar = 0,
    c = 0;
  for (let t = 0; t < config.T; t++) {
    const k = learner.select(t, polRng);
    const o = stepClosedLoop(tb, state, k, envRng);
    g[0] = o.dpResidual;
    g[1] = o.srResidual;
    learner.update(k, o.reward, g);
    cumR += o.meanReward;
    cumDp += o.dpViolation;
    cumSr += o.srViolation;
    if (t >= tailStart) {
      tailR += o.meanReward;
      tailV += o.dpViolation + o.srViolation;
    }
    if (k === best.k) onStar++;
    while (c < cps.length && cps[c] === t + 1) {
      regretCurve[c] = (t + 1) * rStar - cumR;
      violationCurve[c++] = cumDp + cumSr;
    }
  }
  const nTail = config.T - tailStart;
  const extra: Record<string, number> = {};
  if (method === 'ofs' || method === 'ofs-pessimistic') extra.fallbacks = (learner as ReturnType<typeof ofs>).fallbacks;
  if (method === 'primal-dual') {
    const l = (learner as ReturnType<typeof primalDualUcb>).lambda;
    extra.lambdaDp = l[0];
    extra.lambdaSr = l[1];
  }
  return {
    rStar,
    kStar: best.k,
    regret: config.T * rStar - cumR,
    cumReward: cumR,
    cumViolation: cumDp + cumSr,
    cumDpViolation: cumDp,
    cumSrViolation: cumSr,
    ssReward: tailR / nTail,
    ssGap: rStar - tailR / nTail,
    ssViolation: tailV / nTail,
    fracOracle: onStar / config.T,
    finalShare: state.p,
    extra,
    regretCurve: Array.from(regretCurve),
    violationCurve: Array.from(violationCurve),
    checkpoints: cps,
  };
}

export function runSeed(config: Config, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  for (const m of METHODS) {
    const r = runMethod(config, m, seed);
    for (const key of [
      'regret',
      'cumReward',
      'cumViolation',
      'cumDpViolation',
      'cumSrViolation',
      'ssReward',
      'ssGap',
      'ssViolation',
      'fracOracle',
      'finalShare',
    ] as const)
      metrics[`${m}/${key}`] = r[key];
    for (const [key, v] of Object.entries(r.extra)) metrics[`${m}/${key}`] = v;
    series[`${m}/regretCurve`] = r.regretCurve;
    series[`${m}/violationCurve`] = r.violationCurve;
    metrics['exact/rStar'] = r.rStar;
    metrics['exact/kStar'] = r.kStar;
    series['exact/checkpoints'] = r.checkpoints;
  }
  return { metrics, series };
}

/**
 * Brute-force sweep (the paper's oracle procedure, "the best feasible fixed threshold under the same sweep"): play
 * each grid threshold for `rounds` rounds in the stochastic closed loop, starting from p_0, and average the observed
 * reward and residuals over the second half (after the share has settled). Returns per-threshold estimates.
 */
export function simulatedSweep(config: Config, rounds: number, seed: number) {
  const tb = tablesOf(config);
  const rng = new Rng(seed).split('sweep');
  return Array.from({ length: tb.K }, (_, k) => {
    const state = { p: config.env.p0 };
    let r = 0,
      dp = 0,
      sr = 0,
      n = 0;
    for (let t = 0; t < rounds; t++) {
      const o = stepClosedLoop(tb, state, k, rng);
      if (t >= rounds / 2) {
        r += o.reward;
        dp += o.dpResidual;
        sr += o.srResidual;
        n++;
      }
    }
    return { k, reward: r / n, dpResidual: dp / n, srResidual: sr / n, share: state.p };
  });
}
