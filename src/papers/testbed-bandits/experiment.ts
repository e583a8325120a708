/**
 * The bandit testbed's validity gate (notebooks/testbed-bandits.ipynb): on fixed instances, UCB1 and Thompson
 * sampling must have sublinear regret (log–log slope of the mean-free, per-seed regret curve below a threshold) and
 * OFUL / LinUCB must find the optimal action of a linear bandit. Every seed draws only the reward noise and the
 * learners' randomness; the instances are the same for every seed. Task entry point: `runSeed(config, seed)`.
 *
 * Instances (fixed):
 *   bernoulli   K = 10 Bernoulli arms, means (0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2): gaps 0.1 to 0.5,
 *               the bandit protocol's `bernoulli-easy` family
 *   gaussian    K = 10 Gaussian arms, σ = 1, means 0, 0.1, …, 0.9 (the protocol's `gaussian` family, evenly spaced)
 *   linear      d = 5, 20 actions and θ* uniform on the unit sphere drawn once from Rng(20261205), σ = 0.5
 *               (the protocol's `linear` family)
 * Methods: UCB1 (c = 1) and Thompson sampling (Beta(1, 1) on Bernoulli arms, Gaussian with σ = 1 on Gaussian arms)
 * on the K-armed instances; OFUL (loops/run.ts runLinUcb, Theorem 2's β_t with λ = 1, S = ‖θ*‖ = 1, L = 1,
 * δ = 0.01) on the linear instance.
 *
 * Record keys (`method/metric@instance`): `<m>/regret` (pseudo-regret after T), `<m>/slope` (least-squares slope of
 * ln R_t on ln t over the checkpoints t ≥ T·slopeFrom), `lin-ucb/fracOptimalLast` (fraction of the last
 * `lastFraction`·T rounds on the optimal action), `ucb1/bound@bernoulli` (Auer et al.'s Theorem 1 bound at T);
 * series `<m>/regretCurve@instance` at `exact/checkpoints`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { bernoulliBandit, gaps, gaussianBandit, type KArmedBandit } from '../../testbeds/bandits/env/k-armed';
import { linearBandit, linearMeans, type LinearBandit } from '../../testbeds/bandits/env/linear';
import { ucb1, ucb1RegretBound } from '../../testbeds/bandits/methods/ucb1';
import { betaBernoulliTs, gaussianTs } from '../../testbeds/bandits/methods/thompson-sampling';
import { fitSlope, logCheckpoints, runKArmed, runLinUcb } from '../../testbeds/bandits/loops/run';

export interface Config {
  /** Horizon T of every run. */
  T: number;
  /** Log-spaced regret checkpoints in [1, T]. */
  checkpoints: number;
  /** The slope is fitted on the checkpoints t ≥ slopeFrom · T (past the first exploration rounds). */
  slopeFrom: number;
  /** Share of the final rounds in which LinUCB's fraction of optimal actions is measured. */
  lastFraction: number;
}

export const DEFAULTS: Config = { T: 20000, checkpoints: 40, slopeFrom: 0.05, lastFraction: 0.1 };

export const K_ARMED_INSTANCES = ['bernoulli', 'gaussian'] as const;
export const K_ARMED_METHODS = ['ucb1', 'thompson-sampling'] as const;

export function kArmedInstance(name: (typeof K_ARMED_INSTANCES)[number]): KArmedBandit {
  if (name === 'bernoulli') return bernoulliBandit([0.7, 0.6, 0.55, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2]);
  return gaussianBandit(
    Array.from({ length: 10 }, (_, i) => i / 10),
    1,
  );
}

/** The fixed linear instance: d = 5, 20 actions and θ* uniform on the unit sphere (Rng(20261205)), σ = 0.5. */
export function linearInstance(): LinearBandit {
  const rng = new Rng(20261205).split('testbed-bandits-linear');
  const unit = (r: Rng) => {
    const v = Array.from(r.normals(5));
    const n = Math.hypot(...v);
    return v.map((x) => x / n);
  };
  const theta = unit(rng.split('theta'));
  const ar = rng.split('actions');
  return linearBandit(
    Array.from({ length: 20 }, () => unit(ar)),
    theta,
    0.5,
  );
}

/** Slope of ln R_t on ln t over the checkpoints t ≥ from (R_t floored at 1e-9). */
export function logLogSlope(cps: number[], regret: ArrayLike<number>, from: number): number {
  const x: number[] = [],
    y: number[] = [];
  cps.forEach((c, i) => {
    if (c >= from) [x[x.length], y[y.length]] = [Math.log(c), Math.log(Math.max(regret[i], 1e-9))];
  });
  return fitSlope(x, y);
}

export function runSeed(config: Config, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const { T } = config;
  const cps = logCheckpoints(T, config.checkpoints);
  const from = config.slopeFrom * T;
  series[metricKey('exact', 'checkpoints')] = cps;
  const root = new Rng(seed).split('testbed-bandits');
  for (const inst of K_ARMED_INSTANCES) {
    const env = kArmedInstance(inst);
    const K = env.means.length;
    for (const m of K_ARMED_METHODS) {
      const policy = m === 'ucb1' ? ucb1(K) : env.kind === 'bernoulli' ? betaBernoulliTs(K) : gaussianTs(K, env.std);
      const r = runKArmed(env, policy, T, cps, root.split(inst).split(m));
      metrics[metricKey(m, `regret@${inst}`)] = r.regret[r.regret.length - 1];
      metrics[metricKey(m, `slope@${inst}`)] = logLogSlope(cps, r.regret, from);
      series[metricKey(m, `regretCurve@${inst}`)] = Array.from(r.regret);
    }
    if (inst === 'bernoulli') metrics[metricKey('ucb1', 'bound@bernoulli')] = ucb1RegretBound(gaps(env), T);
  }
  const lin = linearInstance();
  const means = linearMeans(lin);
  let best = 0;
  for (let k = 1; k < lin.K; k++) if (means[k] > means[best]) best = k;
  const r = runLinUcb(lin, { lambda: 1, S: 1, L: 1, delta: 0.01 }, T, cps, root.split('linear'), true);
  const start = Math.floor((1 - config.lastFraction) * T);
  let on = 0;
  for (let t = start; t < T; t++) if (r.arms![t] === best) on++;
  metrics[metricKey('lin-ucb', 'regret@linear')] = r.regret[r.regret.length - 1];
  metrics[metricKey('lin-ucb', 'slope@linear')] = logLogSlope(cps, r.regret, from);
  metrics[metricKey('lin-ucb', 'fracOptimalLast@linear')] = on / (T - start);
  series[metricKey('lin-ucb', 'regretCurve@linear')] = Array.from(r.regret);
  return { metrics, series };
}
