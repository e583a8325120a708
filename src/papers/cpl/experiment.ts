/**
 * The tabular miniature of Hejna et al., "Contrastive Preference Learning: Learning from Human
 * Feedback without RL" (ICLR 2024, arXiv:2310.13639): one seed = one random gridworld with slips.
 *
 * Gold: a continuing (discounted, no termination) gridworld with slips whose goal and sheep cells
 * are absorbing traps paying their reward every step — the fixed-horizon setting of the paper's
 * benchmarks, where every segment has the same length; a linear reward on the delivery-grid
 * features, γ, and temperature α; the maximum-entropy optimal policy π* and advantage A* = α log π*
 * come from soft value iteration.
 * Data (offline, as in the paper): segments of length L from start states uniform over non-terminal
 * cells, following a behaviour that mixes π* with uniformly random actions (ε ~ U(0, 1) per segment:
 * from near-optimal to random); independent segment pairs labelled by the regret model
 * P(σ_i ≻ σ_j) = logistic(Σ_t γ^t A*(σ_i) − Σ_t γ^t A*(σ_j)) (Bernoulli labels).
 * Methods, each given the first n pairs:
 * - CPL (λ = 0.5, the authors' configs) and unbiased CPL (λ = 1): tabular softmax policy, initialised
 *   at behaviour cloning on all segments (the authors' `bc_steps` pre-training), then full-batch Adam
 *   on L_CPL;
 * - two-phase RLHF: a tabular Bradley–Terry partial-return reward model r̂(s,a) (same Adam budget, from
 *   0), then soft value iteration on r̂ with the true dynamics (the RL phase done exactly — more than
 *   an offline RL baseline such as P-IQL can do);
 * - SFT: behaviour cloning on the preferred segment of every pair (the authors' `sft` = BC on `pos`);
 * - BC on all segments (the behaviour policy; CPL's initialisation), for reference.
 * Metrics: KL(π*‖π) averaged over non-terminal states, the maximum-entropy return normalised as
 * (J(π) − J(uniform)) / (J(π*) − J(uniform)), the ordinary return normalised the same way, and wall
 * time per fit. Check of the theory: CPL (λ = 1) optimised to convergence (L-BFGS) on exact labels
 * (infinite data) for a fixed set of pairs of uniformly random segments (full coverage) recovers π*.
 * Task entry point: `runSeed(config, seed)`. The CPL loss and its exact gradient:
 * `testbeds/tabular/methods/cpl.ts`.
 *
 * Record keys (`method/metric`, methods = CPL_METHODS): `<m>/kl@n`, `<m>/softReturn@n`,
 * `<m>/return@n` for n preference pairs (series `<m>/kl`, `<m>/softReturn`, `<m>/return` over
 * `all/sizes`); the infinite-data check `cpl-exact/{maxAbsDiff,gradNorm,iterations,kl,
 * unseenStateActions}`; `all/nStates`, `all/meanEpsilon`. Timings (never compared): `<m>/ms@n`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { CELL, gridReward, makeGridworld, type FeatureGridworld } from '../../testbeds/tabular/env/gridworld';
import { softPolicyReturn, softValueIteration } from '../../testbeds/tabular/solvers/soft-value-iteration';
import {
  consecutivePairs,
  epsilonMixtureBehaviour,
  uniformBehaviour,
  labelsFromLogits,
  pairLogits,
  sampleSegments,
  segmentSums,
  type SegmentPairs,
} from '../../testbeds/tabular/env/preferences';
import { fitBradleyTerryTabular } from '../../testbeds/tabular/methods/reward-learning';
import { fitCpl, segmentActionCounts } from '../../testbeds/tabular/methods/cpl';
import { countsPolicy, logitsFromPolicy, softmaxPolicy, stateKL } from '../../testbeds/tabular/policies/softmax';

export const CPL_METHODS = ['cpl', 'cpl-unbiased', 'rlhf', 'sft', 'bc'] as const;
export type CplMethod = (typeof CPL_METHODS)[number];

/** The method name of the infinite-data check (CPL, λ = 1, on exact labels, to convergence). */
export const EXACT_CHECK = 'cpl-exact';

export interface Config {
  /** Grid rows. */
  height: number;
  /** Grid columns. */
  width: number;
  /** Probability that a move slips to a uniformly random direction. */
  slip: number;
  /** Discount γ (also the within-segment discount of the regret model and of CPL). */
  gamma: number;
  /** Temperature of the gold maximum-entropy policy (and of CPL's A = α log π). */
  alpha: number;
  /** Fraction of the cells that are sheep (absorbing traps with a negative reward). */
  sheepFraction: number;
  /** Fraction of the cells that are roadblocks (a negative reward on entry). */
  roadblockFraction: number;
  /**
   * Gold rewards per step in the goal / a sheep cell (absorbing traps), of entering a roadblock,
   * and of every other step.
   */
  rewards: { goal: number; sheep: number; roadblock: number; step: number };
  /** Length L of every offline segment (steps). */
  segmentLength: number;
  /** Numbers of preference pairs (nested training sets). */
  sizes: number[];
  /** Conservative bias λ of CPL (the paper's configs: 0.5). */
  lambda: number;
  /** Full-batch Adam budget shared by CPL and the reward model. */
  adam: { lr: number; steps: number };
  /** Add-k smoothing of the behaviour-cloning policies (BC, SFT, CPL's initialisation). */
  smoothing: number;
  /** Pairs with exact labels for the infinite-data check. */
  exactPairs: number;
}

/** The full-profile configuration of the notebook (its smoke profile uses fewer sizes and Adam steps). */
export const DEFAULTS: Config = {
  height: 8,
  width: 8,
  slip: 0.1,
  gamma: 0.95,
  alpha: 1,
  sheepFraction: 0.1,
  roadblockFraction: 0.1,
  rewards: { goal: 1, sheep: -1, roadblock: -1, step: -0.1 },
  segmentLength: 8,
  sizes: [100, 300, 1000, 3000, 5000],
  lambda: 0.5,
  adam: { lr: 0.05, steps: 1000 },
  smoothing: 1,
  exactPairs: 1000,
};

/** A random open grid: one goal, then sheep and roadblocks on random empty cells; alive-coded gold weights. */
export function cplWorld(config: Config, rng: Rng): { world: FeatureGridworld; w: Float64Array } {
  const { height, width } = config;
  const n = height * width;
  const cells = new Int8Array(n);
  const place = (kind: number, count: number) => {
    for (let k = 0; k < count; k++) {
      let c = rng.int(n);
      while (cells[c] !== CELL.empty) c = rng.int(n);
      cells[c] = kind;
    }
  };
  place(CELL.goal, 1);
  place(CELL.sheep, Math.floor(config.sheepFraction * n));
  place(CELL.roadblock, Math.floor(config.roadblockFraction * n));
  const r = config.rewards;
  // Alive-coded weights: entering the goal = step + (goal − step), etc.
  const w = Float64Array.from([r.step, r.goal - r.step, r.sheep - r.step, 0, r.roadblock - r.step, 0]);
  return {
    world: makeGridworld({ height, width, cells, gamma: config.gamma, slip: config.slip, traps: 'continuing' }),
    w,
  };
}

interface Scores {
  kl: number;
  softReturn: number;
  return: number;
}

export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('cpl');
  const { world, w } = cplWorld(config, root.split('world'));
  const { nS, nA, gamma } = world;
  const alpha = config.alpha;
  const rbar = gridReward(world, w);
  const gold = softValueIteration(world, rbar, { alpha, tol: 1e-12, terminal: world.terminal });
  const uniform = new Float64Array(nS * nA).fill(1 / nA);
  const jSoftStar = softPolicyReturn(world, rbar, gold.policy, alpha, world.terminal);
  const jSoftUnif = softPolicyReturn(world, rbar, uniform, alpha, world.terminal);
  const jStar = softPolicyReturn(world, rbar, gold.policy, 0, world.terminal);
  const jUnif = softPolicyReturn(world, rbar, uniform, 0, world.terminal);
  const starts = world.startStates;
  const score = (pi: Float64Array): Scores => {
    const kl = stateKL(nS, nA, gold.policy, pi);
    let m = 0;
    for (const s of starts) m += kl[s];
    const js = softPolicyReturn(world, rbar, pi, alpha, world.terminal);
    const j = softPolicyReturn(world, rbar, pi, 0, world.terminal);
    return {
      kl: m / starts.length,
      softReturn: (js - jSoftUnif) / (jSoftStar - jSoftUnif),
      return: (j - jUnif) / (jStar - jUnif),
    };
  };

  // Offline data: 2·nMax segments, pair p = (2p, 2p+1).
  const nMax = Math.max(...config.sizes);
  const L = config.segmentLength;
  const epsRng = root.split('epsilon');
  const eps = Float64Array.from({ length: 2 * nMax }, () => epsRng.uniform());
  const behaviour = epsilonMixtureBehaviour(gold.policy, nA, (i) => eps[i]);
  const segs = sampleSegments(world, root.split('segments'), { n: 2 * nMax, L, behaviour });
  const allPairs = consecutivePairs(nMax);
  const G = segmentSums(segs, gold.A, nA, gamma);
  const y = labelsFromLogits(pairLogits(G, allPairs), 'stochastic', root.split('labels'));
  const adamOpt = { kind: 'adam' as const, lr: config.adam.lr, steps: config.adam.steps, keepBest: false };

  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  // Wall-clock fit times are not reproducible: kept apart from metrics/series (never compared).
  const timings: Record<string, number> = {};
  for (const m of CPL_METHODS) for (const k of ['kl', 'softReturn', 'return']) series[metricKey(m, k)] = [];
  for (const n of config.sizes) {
    const pairs: SegmentPairs = { i: allPairs.i.subarray(0, n), j: allPairs.j.subarray(0, n) };
    const yn = y.subarray(0, n);
    const used = Int32Array.from({ length: 2 * n }, (_, i) => i);
    const results: Record<CplMethod, { pi: Float64Array; ms: number }> = {} as Record<
      CplMethod,
      { pi: Float64Array; ms: number }
    >;
    const time = (f: () => Float64Array): { pi: Float64Array; ms: number } => {
      const t0 = performance.now();
      const pi = f();
      return { pi, ms: performance.now() - t0 };
    };
    results.bc = time(() => countsPolicy(nS, nA, segmentActionCounts(segs, nS, nA, used), config.smoothing));
    const cplRun = (lambda: number) => {
      const bc = countsPolicy(nS, nA, segmentActionCounts(segs, nS, nA, used), config.smoothing);
      const init = logitsFromPolicy(nS, nA, bc);
      const fit = fitCpl(nS, nA, segs, pairs, yn, { alpha, lambda, g: gamma }, adamOpt, init);
      return softmaxPolicy(nS, nA, fit.x);
    };
    results.cpl = time(() => cplRun(config.lambda));
    results['cpl-unbiased'] = time(() => cplRun(1));
    results.rlhf = time(() => {
      const rm = fitBradleyTerryTabular(nS, nA, segs, pairs, yn, { g: gamma, optimizer: adamOpt });
      return softValueIteration(world, rm.x, { alpha, tol: 1e-10, terminal: world.terminal }).policy;
    });
    results.sft = time(() => {
      const preferred = Int32Array.from({ length: n }, (_, p) => (yn[p] >= 0.5 ? pairs.i[p] : pairs.j[p]));
      return countsPolicy(nS, nA, segmentActionCounts(segs, nS, nA, preferred), config.smoothing);
    });
    for (const m of CPL_METHODS) {
      const sc = score(results[m].pi);
      series[metricKey(m, 'kl')].push(sc.kl);
      series[metricKey(m, 'softReturn')].push(sc.softReturn);
      series[metricKey(m, 'return')].push(sc.return);
      metrics[metricKey(m, `kl@${n}`)] = sc.kl;
      metrics[metricKey(m, `softReturn@${n}`)] = sc.softReturn;
      metrics[metricKey(m, `return@${n}`)] = sc.return;
      timings[metricKey(m, `ms@${n}`)] = results[m].ms;
    }
  }
  series[metricKey('all', 'sizes')] = [...config.sizes];

  // Infinite data: exact labels on a fixed set of pairs, CPL (λ = 1) to convergence.
  const nE = config.exactPairs;
  // Uniformly random actions: every (s, a) is covered, as the theory requires.
  const eSegs = sampleSegments(world, root.split('exact-segments'), { n: 2 * nE, L, behaviour: uniformBehaviour(nA) });
  const ePairs = consecutivePairs(nE);
  const yE = labelsFromLogits(pairLogits(segmentSums(eSegs, gold.A, nA, gamma), ePairs), 'exact');
  const exact = fitCpl(
    nS,
    nA,
    eSegs,
    ePairs,
    yE,
    { alpha, lambda: 1, g: gamma },
    { kind: 'lbfgs', gtol: 1e-11, maxIterations: 5000 },
  );
  const piE = softmaxPolicy(nS, nA, exact.x);
  let maxDiff = 0;
  for (const s of starts)
    for (let a = 0; a < nA; a++) maxDiff = Math.max(maxDiff, Math.abs(piE[s * nA + a] - gold.policy[s * nA + a]));
  metrics[metricKey(EXACT_CHECK, 'maxAbsDiff')] = maxDiff;
  metrics[metricKey(EXACT_CHECK, 'gradNorm')] = exact.gradNorm;
  metrics[metricKey(EXACT_CHECK, 'iterations')] = exact.steps;
  metrics[metricKey(EXACT_CHECK, 'kl')] = score(piE).kl;
  // Coverage of the exact-data check: non-terminal (s, a) never seen would leave π unidentified.
  const seen = segmentActionCounts(eSegs, nS, nA);
  let unseen = 0;
  for (const s of starts) for (let a = 0; a < nA; a++) if (seen[s * nA + a] === 0) unseen++;
  metrics[metricKey(EXACT_CHECK, 'unseenStateActions')] = unseen;
  metrics[metricKey('all', 'nStates')] = nS;
  metrics[metricKey('all', 'meanEpsilon')] = eps.reduce((s, v) => s + v, 0) / eps.length;
  return { metrics, series, timings };
}
