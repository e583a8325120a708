/**
 * The PEARL miniature (Liu, Du, Bai, Lyu & Li, "PEARL: Zero-shot Cross-task Preference Alignment and Robust
 * Reward Learning for Robotic Manipulation", arXiv:2306.03615): zero-shot transfer of preference labels from a
 * labelled source gridworld task to an unlabelled target gridworld task. The methods are
 * `testbeds/tabular/methods/gromov-wasserstein.ts` (entropic GW) and `testbeds/tabular/methods/pearl.ts`
 * (CPA label transfer, RRL Gaussian reward).
 *
 * One seed: two random size×size gridworlds (the source and the target task: different layouts of goal,
 * roadblocks = hazards and mud; slip; γ), the same hidden gold reward per transition on both
 * (−energy per step and per mud entry, +goal, −hazard). Each task has its own offline dataset of n
 * segments of ≤ horizon steps from random start states, segment i following the task's gold-optimal policy
 * with random-action probability ε_i = (i/(n − 1))^p (expert to random). The target's feature coordinates are
 * permuted by a hidden permutation (the two tasks' observations are not directly comparable).
 * Source labels: a scripted teacher on every source pair (1 / 0 / ½ by the gold partial return). Target:
 * `targetPairs` random pairs of target segments, no target labels for PEARL.
 *
 * Methods (every reward is linear in the target's transition features; every policy is the greedy optimal
 * policy of the learned (mean) reward by exact value iteration; score: the normalised target gold return
 * (J(π) − J(uniform)) / (J* − J(uniform))):
 *   pearl       CPA labels (entropic GW between the two tasks' segment-distance matrices) + RRL.
 *   cpa-bt      CPA labels + plain Bradley–Terry (L2).
 *   oracle      true target labels on the same pairs + Bradley–Terry (the paper's oracle: scripted labels).
 *   oracle-rrl  true target labels + RRL (reference).
 *   few-<k>     true target labels on the first k pairs only + Bradley–Terry (few human labels).
 *   naive-ot    labels transferred through a plain (Sinkhorn) OT coupling on the cross-task distance between
 *               raw segment features, which ignores that the target's coordinates are permuted; + BT.
 *   random      random labels + BT (no transfer).
 *   pearl-n<q>, cpa-bt-n<q>  PEARL and CPA + BT after flipping a random fraction q of the CPA labels
 *               (descriptive noise sweep).
 * Segment representation for the distances: summed transition features Φ(σ) (scaled Euclidean distance).
 *
 * Record keys: <method>/final; cpa/acc, naive-ot/acc (fraction of target pairs with different gold returns
 * whose transferred label, rounded, agrees with the gold order), cpa/soft (mean |ỹ − y| on those pairs),
 * gw/iters, gw/energy, pearl/sigma (mean learned per-step σ over the target data); ref/uniform, ref/optimal.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { CELL, gridReward, makeGridworld, type FeatureGridworld } from '../../testbeds/tabular/env/gridworld';
import {
  epsilonMixtureBehaviour,
  firstPairs,
  randomPairs,
  sampleSegments,
  segmentFeatureSums,
  type SegmentPairs,
  type SegmentSet,
} from '../../testbeds/tabular/env/preferences';
import { optimalReturn, policyMatrix, policyReturn, valueIteration } from '../../testbeds/tabular/solvers/exact';
import { fitHeronRewardModel } from '../../testbeds/tabular/methods/heron';
import { pairFeatureDifferences, softplus } from '../../testbeds/tabular/methods/reward-learning';
import { sinkhornKnopp } from '../../testbeds/tabular/methods/ot-proxy-reward';
import { entropicGromovWasserstein, scaledDistanceMatrix } from '../../testbeds/tabular/methods/gromov-wasserstein';
import { cpaTransferLabels } from '../../testbeds/tabular/methods/cross-task-preference-alignment';
import { fitRrlReward, type StepFeatures } from '../../testbeds/tabular/methods/robust-reward-learning';

export interface Config {
  /** Grid side of both tasks. */
  size: number;
  /** Fraction of cells that are roadblocks (hazards) in the source and in the target task. */
  hazardSource: number;
  hazardTarget: number;
  /** Fraction of cells that are mud. */
  mudFraction: number;
  slip: number;
  gamma: number;
  /** Gold per-transition weights over FEATURE_NAMES (alive, goal, sheep, coin, roadblock, mud). */
  gold: number[];
  /** Segments per task. */
  nSegments: number;
  /** Segment length cap. */
  horizon: number;
  /** Random-action probability of segment i: ε_i = (i/(n − 1))^epsilonPower. */
  epsilonPower: number;
  /** Random target pairs labelled (by CPA, or by the true teacher for the oracle). */
  targetPairs: number;
  /** Few-label baselines: true target labels on the first k pairs. */
  fewLabels: number[];
  /** Entropic regularisation of GW (distance matrices scaled to max 1). */
  gwEpsilon: number;
  /** Entropic regularisation of the naive cross-task Sinkhorn coupling. */
  otEpsilon: number;
  /** RRL: KL weight λ and reparameterised draws per pair. */
  klWeight: number;
  draws: number;
  /** L2 penalty on the linear reward weights (BT and RRL alike). */
  l2: number;
  /** Extra label noise (descriptive sweep): a fraction q of the CPA labels is flipped, ỹ → 1 − ỹ. */
  noise: number[];
}

export const DEFAULTS: Config = {
  size: 7,
  hazardSource: 0.3,
  hazardTarget: 0.3,
  mudFraction: 0.1,
  slip: 0.1,
  gamma: 0.95,
  gold: [-0.05, 10, 0, 0, -1, -0.05],
  nSegments: 100,
  horizon: 20,
  epsilonPower: 2,
  targetPairs: 200,
  fewLabels: [5, 10, 30],
  gwEpsilon: 0.01,
  otEpsilon: 0.01,
  klWeight: 0.1,
  draws: 10,
  l2: 0.01,
  noise: [0.2, 0.4],
};

/** A random task: goal in the bottom-right 3×3 block, hazards and mud elsewhere (cell 0 kept empty). */
export function makeTask(config: Config, hazard: number, rng: Rng): FeatureGridworld {
  const n = config.size;
  const cells = new Int8Array(n * n);
  cells[(n - 1 - rng.int(3)) * n + (n - 1 - rng.int(3))] = CELL.goal;
  const place = (kind: number, count: number) => {
    for (let k = 0; k < count; k++) {
      let c = 1 + rng.int(n * n - 1);
      while (cells[c] !== CELL.empty) c = 1 + rng.int(n * n - 1);
      cells[c] = kind;
    }
  };
  place(CELL.roadblock, Math.round(hazard * (n * n - 2)));
  place(CELL.mud, Math.round(config.mudFraction * (n * n - 2)));
  return makeGridworld({ height: n, width: n, cells, gamma: config.gamma, slip: config.slip });
}

/** Greedy optimal policy of the linear feature reward w (exact value iteration). */
export function planLinear(world: FeatureGridworld, w: ArrayLike<number>): Int32Array {
  return valueIteration(world, gridReward(world, w), { tol: 1e-10 }).policy;
}

/** Normaliser of gold returns (init: the world's start distribution). */
export function goldScore(world: FeatureGridworld, gold: ArrayLike<number>) {
  const r = gridReward(world, gold);
  const uniform = new Float64Array(world.nS * world.nA).fill(1 / world.nA);
  const j0 = policyReturn(world, r, uniform);
  const jStar = optimalReturn(world, r);
  return { norm: (pi: Int32Array) => (policyReturn(world, r, pi) - j0) / (jStar - j0), j0, jStar };
}

/** The offline dataset of a task: segment i follows the gold-optimal policy with ε_i = i/(n − 1). */
export function taskSegments(world: FeatureGridworld, config: Config, rng: Rng): SegmentSet {
  const pi = policyMatrix(world, planLinear(world, config.gold));
  const n = config.nSegments;
  return sampleSegments(world, rng, {
    n,
    L: config.horizon,
    behaviour: epsilonMixtureBehaviour(pi, world.nA, (i) => (n > 1 ? (i / (n - 1)) ** config.epsilonPower : 1)),
  });
}

/** Per-step features (n × L × nF) of a segment set, for RRL. */
export function stepFeaturesOf(world: FeatureGridworld, segs: SegmentSet): StepFeatures {
  const nF = world.nF;
  const phi = new Float64Array(segs.n * segs.L * nF);
  for (let i = 0; i < segs.n; i++)
    for (let t = 0; t < segs.len[i]; t++) {
      const k = segs.k[i * segs.L + t];
      for (let f = 0; f < nF; f++) phi[(i * segs.L + t) * nF + f] = world.phiEntry[k * nF + f];
    }
  return { n: segs.n, L: segs.L, nF, phi, len: Int32Array.from(segs.len) };
}

function dot(phi: Float64Array, nF: number, w: ArrayLike<number>): Float64Array {
  const n = phi.length / nF;
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let f = 0; f < nF; f++) g[i] += w[f] * phi[i * nF + f];
  return g;
}

/** Accuracy of rounded labels against the gold order (pairs with different gold returns and ỹ ≠ ½). */
export function labelAccuracy(y: ArrayLike<number>, g: Float64Array, pairs: SegmentPairs) {
  let n = 0,
    ok = 0,
    soft = 0;
  for (let p = 0; p < y.length; p++) {
    const a = g[pairs.i[p]],
      b = g[pairs.j[p]];
    if (a === b || Number.isNaN(y[p])) continue;
    const t = a > b ? 1 : 0;
    n++;
    soft += Math.abs(y[p] - t);
    if (y[p] !== 0.5 && (y[p] > 0.5 ? 1 : 0) === t) ok++;
  }
  return { acc: n > 0 ? ok / n : NaN, soft: n > 0 ? soft / n : NaN };
}

/** Worker task: one seed (see the module comment). */
export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('pearl');
  const src = makeTask(config, config.hazardSource, root.split('source-world'));
  const tgt = makeTask(config, config.hazardTarget, root.split('target-world'));
  const nF = src.nF;
  const { norm, j0, jStar } = goldScore(tgt, config.gold);
  const sSegs = taskSegments(src, config, root.split('source-data'));
  const tSegs = taskSegments(tgt, config, root.split('target-data'));
  const PhiS = segmentFeatureSums(src, sSegs);
  const PhiT = segmentFeatureSums(tgt, tSegs);
  const gS = dot(PhiS, nF, config.gold),
    gT = dot(PhiT, nF, config.gold);
  // The target's observed features: coordinates permuted by a hidden permutation.
  const perm = Int32Array.from({ length: nF }, (_, f) => f);
  const pr = root.split('permutation');
  for (let f = nF - 1; f > 0; f--) {
    const k = pr.int(f + 1);
    [perm[f], perm[k]] = [perm[k], perm[f]];
  }
  const n = sSegs.n,
    m = tSegs.n;
  const PhiTobs = new Float64Array(m * nF);
  for (let i = 0; i < m; i++) for (let f = 0; f < nF; f++) PhiTobs[i * nF + perm[f]] = PhiT[i * nF + f];
  // Source labels: scripted teacher on every pair.
  const Ys = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) Ys[i * n + j] = i === j ? NaN : gS[i] > gS[j] ? 1 : gS[i] < gS[j] ? 0 : 0.5;
  const pairs = randomPairs(root.split('pairs'), m, config.targetPairs);
  const yTrue = Float64Array.from(pairs.i, (a, p) => {
    const b = pairs.j[p];
    return gT[a] > gT[b] ? 1 : gT[a] < gT[b] ? 0 : 0.5;
  });
  // CPA: entropic GW between the tasks' intra-task distance matrices (the target's observed coordinates).
  const C1 = scaledDistanceMatrix(PhiS, n, nF),
    C2 = scaledDistanceMatrix(PhiTobs, m, nF);
  const gw = entropicGromovWasserstein(C1, C2, n, m, { epsilon: config.gwEpsilon });
  const yCpa = cpaTransferLabels(gw.T, n, m, Ys, pairs);
  // Naive OT: cross-task Euclidean cost between raw feature vectors (wrong correspondence of coordinates).
  const Cx = new Float64Array(n * m);
  let cmax = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let f = 0; f < nF; f++) s += (PhiS[i * nF + f] - PhiTobs[j * nF + f]) ** 2;
      Cx[i * m + j] = Math.sqrt(s);
      cmax = Math.max(cmax, Cx[i * m + j]);
    }
  for (let i = 0; i < Cx.length; i++) Cx[i] /= cmax || 1;
  const Tot = sinkhornKnopp(Cx, n, m, { reg: config.otEpsilon, maxIter: 500, stopThr: 1e-12 });
  const yOt = cpaTransferLabels(Tot, n, m, Ys, pairs);
  const yRand = Float64Array.from(pairs.i, () => 0);
  const rr = root.split('random-labels');
  for (let p = 0; p < yRand.length; p++) yRand[p] = rr.int(2);

  const metrics: Record<string, number> = {};
  const steps = stepFeaturesOf(tgt, tSegs);
  const keep = (y: Float64Array) => {
    const idx: number[] = [];
    for (let p = 0; p < y.length; p++) if (!Number.isNaN(y[p])) idx.push(p);
    return {
      pairs: { i: Int32Array.from(idx, (p) => pairs.i[p]), j: Int32Array.from(idx, (p) => pairs.j[p]) },
      y: Float64Array.from(idx, (p) => y[p]),
    };
  };
  const bt = (y: Float64Array, pp: SegmentPairs = pairs) => {
    const d = keep(y);
    const q = pp === pairs ? d.pairs : pp;
    const yy = pp === pairs ? d.y : y;
    const psi = fitHeronRewardModel(pairFeatureDifferences(PhiT, nF, q), yy, nF, config.l2).x;
    return norm(planLinear(tgt, psi));
  };
  const rrlOpts = { klWeight: config.klWeight, l2: config.l2, draws: config.draws };
  const rrl = (y: Float64Array, label: string) => {
    const d = keep(y);
    const fit = fitRrlReward(steps, d.pairs, d.y, rrlOpts, root.split(label));
    return { score: norm(planLinear(tgt, fit.psi)), fit };
  };
  const pearl = rrl(yCpa, 'rrl-cpa');
  metrics[metricKey('pearl', 'final')] = pearl.score;
  let sig = 0,
    cnt = 0;
  for (let i = 0; i < steps.n; i++)
    for (let t = 0; t < steps.len[i]; t++) {
      let u = pearl.fit.bias;
      for (let f = 0; f < nF; f++) u += pearl.fit.omega[f] * steps.phi[(i * steps.L + t) * nF + f];
      sig += softplus(u);
      cnt++;
    }
  metrics[metricKey('pearl', 'sigma')] = cnt > 0 ? sig / cnt : NaN;
  metrics[metricKey('cpa-bt', 'final')] = bt(yCpa);
  metrics[metricKey('oracle', 'final')] = bt(yTrue);
  metrics[metricKey('oracle-rrl', 'final')] = rrl(yTrue, 'rrl-oracle').score;
  for (const k of config.fewLabels)
    metrics[metricKey(`few-${k}`, 'final')] = bt(yTrue.slice(0, k), firstPairs(pairs, k));
  metrics[metricKey('naive-ot', 'final')] = bt(yOt);
  for (const q of config.noise) {
    const nr = root.split(`noise-${q}`);
    const yq = Float64Array.from(yCpa, (v) => (nr.uniform() < q ? 1 - v : v));
    metrics[metricKey(`pearl-n${q}`, 'final')] = rrl(yq, `rrl-noise-${q}`).score;
    metrics[metricKey(`cpa-bt-n${q}`, 'final')] = bt(yq);
  }
  metrics[metricKey('random', 'final')] = bt(yRand);
  const a = labelAccuracy(yCpa, gT, pairs),
    b = labelAccuracy(yOt, gT, pairs);
  metrics[metricKey('cpa', 'acc')] = a.acc;
  metrics[metricKey('cpa', 'soft')] = a.soft;
  metrics[metricKey('naive-ot', 'acc')] = b.acc;
  metrics[metricKey('gw', 'iters')] = gw.iterations;
  metrics[metricKey('gw', 'energy')] = gw.energy;
  metrics[metricKey('ref', 'uniform')] = j0;
  metrics[metricKey('ref', 'optimal')] = jStar;
  return { metrics };
}
