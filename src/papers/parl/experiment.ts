/**
 * The PARL miniature (Chakraborty et al., "PARL: A Unified Framework for Policy Alignment in
 * Reinforcement Learning from Human Feedback", ICLR 2024, arXiv:2308.02585): preference-based policy
 * alignment on a gridworld with a hidden linear reward, PEBBLE-style alternating updates against A-PARL.
 * The methods are `testbeds/tabular/methods/parl.ts` (recipes), the lower level and its implicit
 * derivative `testbeds/tabular/solvers/soft-optimal-derivative.ts`.
 *
 * One seed: a fixed 7×7 delivery-style gridworld (goal, sheep, roadblocks, coins, mud); every method
 * starts at w = 0 (the uniform policy) and runs `rounds` feedback rounds of `pairsPerRound` queries.
 * Round t's queries and labels use the rng stream `round-t` of the seed in every method (common random
 * numbers: the first round's queries are identical; later ones differ because the policies do).
 * After every round the exact discounted true return of the current soft-optimal policy π*_w is
 * normalised to (J(π) − J(uniform)) / (J* − J(uniform)), J* the optimal return of the true reward.
 *
 * Record keys (`method/metric`), per method m of `methods`:
 *   m/curve (series, rounds+1 points: 0, N, 2N, … queries), m/auc (mean of the curve after round 1..R),
 *   m/final, m/queriesTo90 (the query count from which the normalised return stays ≥ `target` to the end
 *   of the run, censored at (rounds+1)·N), m/reached (1 if so), m/firstTo90 (first query count with
 *   return ≥ target, same censoring), m/drops (times the return fell from ≥ target to below it),
 *   m/cosine (cosine of final w and the true w),
 *   m/depRatio (mean over rounds of ‖dependence term‖/‖MLE term‖ at a round's first step).
 * Reference `ref/`: ref/softOracle (normalised return of π* at temperature α for β·w_true, the reward a
 * consistent MLE converges to), ref/fdError (max |implicit − central-difference| derivative of log π* at a
 * random w, relative to the derivative's max magnitude).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { CELL, knoxRewardWeights, makeGridworld, type FeatureGridworld } from '../../testbeds/tabular/env/gridworld';
import { policyReturn, optimalReturn } from '../../testbeds/tabular/solvers/exact';
import { linearFeatureReward, softOptimalDerivative } from '../../testbeds/tabular/solvers/soft-optimal-derivative';
import { softValueIteration } from '../../testbeds/tabular/solvers/soft-value-iteration';
import { BILEVEL_RECIPES, trainPreferenceBilevel, type BilevelMethod } from '../../testbeds/tabular/methods/parl';

export interface Config {
  /** Discount γ of the gridworld. */
  gamma: number;
  /** Lower-level temperature α of the soft-optimal policy. */
  alpha: number;
  /** Oracle rationality β on true partial returns. */
  betaTrue: number;
  rounds: number;
  pairsPerRound: number;
  segmentLength: number;
  stepsPerRound: number;
  lr: number;
  l2: number;
  /** Radius of the parameter ball ‖w‖ ≤ B (projection after every step, every method). */
  radius: number;
  /** Per-method step sizes (override `lr`), chosen on the pilot seed from one grid for every method. */
  lrOf: Partial<Record<BilevelMethod, number>>;
  /** Normalised-return target of the queries-to-target metric (the plan's "90% of optimal"). */
  target: number;
  methods: BilevelMethod[];
}

export const DEFAULTS: Config = {
  gamma: 0.95,
  alpha: 0.5,
  betaTrue: 1,
  rounds: 60,
  pairsPerRound: 2,
  segmentLength: 8,
  stepsPerRound: 1,
  lr: 0.3,
  l2: 0.01,
  radius: 10,
  lrOf: { pebble: 1, 'a-parl': 10, 'a-parl-loo': 0.03 },
  target: 0.9,
  methods: ['pebble', 'a-parl', 'a-parl-loo'],
};

/** The layout: G goal, S sheep, # roadblock, c coin, ~ mud, . empty (row-major 7×7). */
export const LAYOUT = ['......G', '.#~#S..', '.c....#', '..S.~..', '#..c.#.', '.~..S..', '...#...'];

/** The hidden true reward (alive-coded, see knoxRewardWeights): goal +10, sheep −10, roadblock −3, mud −2. */
export const TRUE_REWARD = { goal: 2, sheep: -2, roadblock: -1, mud: -1 };

export function makeWorld(gamma: number): { world: FeatureGridworld; wTrue: Float64Array } {
  const glyph: Record<string, number> = {
    '.': CELL.empty,
    G: CELL.goal,
    S: CELL.sheep,
    '#': CELL.roadblock,
    c: CELL.coin,
    '~': CELL.mud,
  };
  const cells = LAYOUT.join('')
    .split('')
    .map((ch) => glyph[ch]);
  const world = makeGridworld({ height: LAYOUT.length, width: LAYOUT[0].length, cells, gamma, traps: 'continuing' });
  return { world, wTrue: knoxRewardWeights(TRUE_REWARD) };
}

/** Normaliser of true returns: J(π) ↦ (J(π) − J(uniform)) / (J* − J(uniform)). */
export function returnNormaliser(world: FeatureGridworld, wTrue: Float64Array): (policy: Float64Array) => number {
  const r = linearFeatureReward(world, wTrue);
  const uniform = new Float64Array(world.nS * world.nA).fill(1 / world.nA);
  const j0 = policyReturn(world, r, uniform);
  const jStar = optimalReturn(world, r);
  return (policy) => (policyReturn(world, r, policy) - j0) / (jStar - j0);
}

/** Max |implicit − central-difference| of ∂ log π*_w/∂w at w, relative to max |∂ log π*_w/∂w|. */
export function finiteDifferenceError(world: FeatureGridworld, w: Float64Array, alpha: number, h = 1e-5): number {
  const { nS, nA, nF } = world;
  const d = softOptimalDerivative(world, w, alpha).dLogPi;
  let err = 0,
    scale = 0;
  for (let f = 0; f < nF; f++) {
    const wp = Float64Array.from(w),
      wm = Float64Array.from(w);
    wp[f] += h;
    wm[f] -= h;
    const pp = softValueIteration(world, linearFeatureReward(world, wp), {
      alpha,
      tol: 1e-11,
      terminal: world.terminal,
    });
    const pm = softValueIteration(world, linearFeatureReward(world, wm), {
      alpha,
      tol: 1e-11,
      terminal: world.terminal,
    });
    for (let r = 0; r < nS * nA; r++) {
      const fd = (pp.A[r] - pm.A[r]) / alpha / (2 * h); // log π = A/α
      err = Math.max(err, Math.abs(fd - d[r * nF + f]));
      scale = Math.max(scale, Math.abs(d[r * nF + f]));
    }
  }
  return err / scale;
}

/** Worker task: one seed (see the module comment). */
export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('parl');
  const { world, wTrue } = makeWorld(config.gamma);
  const norm = returnNormaliser(world, wTrue);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const N = config.pairsPerRound;
  for (const m of config.methods) {
    const recipe = BILEVEL_RECIPES[m];
    if (!recipe) throw new RangeError(`parl runSeed: unknown method '${m}' (use ${Object.keys(BILEVEL_RECIPES)})`);
    const curve: number[] = [];
    const ratios: number[] = [];
    const out = trainPreferenceBilevel(world, {
      wTrue,
      betaTrue: config.betaTrue,
      alpha: config.alpha,
      rounds: config.rounds,
      pairsPerRound: N,
      segmentLength: config.segmentLength,
      stepsPerRound: config.stepsPerRound,
      lr: config.lrOf[m] ?? config.lr,
      l2: config.l2,
      radius: config.radius,
      recipe,
      rngOfRound: (t) => root.split(`round-${t}`),
      onRound: (t, _w, pi, info) => {
        curve.push(norm(pi));
        if (t > 0 && info.mleNorm > 0) ratios.push(info.depNorm / info.mleNorm);
      },
    });
    series[metricKey(m, 'curve')] = curve;
    const after = curve.slice(1);
    metrics[metricKey(m, 'auc')] = after.reduce((s, x) => s + x, 0) / after.length;
    metrics[metricKey(m, 'final')] = curve[curve.length - 1];
    // Sustained: the first round from which the normalised return stays ≥ target to the end.
    let k = curve.length;
    while (k > 0 && curve[k - 1] >= config.target) k--;
    const sustained = k < curve.length;
    metrics[metricKey(m, 'reached')] = sustained ? 1 : 0;
    metrics[metricKey(m, 'queriesTo90')] = (sustained ? k : config.rounds + 1) * N;
    const first = curve.findIndex((x) => x >= config.target);
    metrics[metricKey(m, 'firstTo90')] = (first >= 0 ? first : config.rounds + 1) * N;
    let drops = 0;
    for (let i = 1; i < curve.length; i++) if (curve[i - 1] >= config.target && curve[i] < config.target) drops++;
    metrics[metricKey(m, 'drops')] = drops;
    let dot = 0,
      n1 = 0,
      n2 = 0;
    for (let f = 0; f < world.nF; f++) {
      dot += out.w[f] * wTrue[f];
      n1 += out.w[f] ** 2;
      n2 += wTrue[f] ** 2;
    }
    metrics[metricKey(m, 'cosine')] = n1 > 0 ? dot / Math.sqrt(n1 * n2) : 0;
    metrics[metricKey(m, 'depRatio')] = ratios.length ? ratios.reduce((s, x) => s + x, 0) / ratios.length : 0;
  }
  const oracleW = wTrue.map((x) => x * config.betaTrue);
  const oraclePi = softValueIteration(world, linearFeatureReward(world, oracleW), {
    alpha: config.alpha,
    tol: 1e-12,
    terminal: world.terminal,
  }).policy;
  metrics[metricKey('ref', 'softOracle')] = norm(oraclePi);
  const wr = new Float64Array(world.nF);
  const rr = root.split('fd');
  for (let f = 0; f < world.nF; f++) wr[f] = rr.normal(0, 1);
  metrics[metricKey('ref', 'fdError')] = finiteDifferenceError(world, wr, config.alpha);
  return { metrics, series };
}
