/**
 * The HERON miniature (Bukharin, Li, He, Chen & Zhao, "Deep Reinforcement Learning from Hierarchical
 * Weak Preference Feedback", arXiv:2309.02632): reward design from a ranking of reward factors against
 * reward engineering with hand-chosen linear weightings, on gridworlds with exact policy evaluation.
 * The method is `testbeds/tabular/methods/heron.ts`.
 *
 * One seed: a random 7×7 gridworld (start top-left, goal in the bottom-right 3×3 block, roadblocks =
 * hazards and mud on random cells, slip), three feedback signals of a trajectory ranked by importance:
 *   z_1 goal reached (goal entries), z_2 −hazards (roadblock entries), z_3 −energy (steps + mud entries),
 * and a hidden gold reward 10·[goal] − 1·[hazard] − 0.05·[energy] per step (consistent with the ranking).
 * Every policy is the greedy optimal policy of its method's reward (exact value iteration, the same
 * planner for every method); its gold return is evaluated exactly and normalised to
 * (J(π) − J(uniform)) / (J* − J(uniform)), J* the gold optimum.
 *
 * Methods:
 *   linear-k  reward engineering: r = a·z_1 + b·z_2 + c·z_3 per step, the k-th hand-chosen weighting (a, b, c)
 *             of `weightings`; planned exactly (no samples).
 *   heron     `rounds` rounds: `rollouts` episodes of ≤ `horizon` steps from the current policy (uniform in
 *             round 0, then ε-greedy around the greedy policy of the current reward model), `pairs` random
 *             pairs of them compared by HERON's decision tree (margins δ_k = α·σ_k over the round's batch,
 *             ties dropped), a linear reward model r_ψ = ψ·φ over the gridworld's six transition features fit
 *             by the Bradley–Terry likelihood on every label so far; α = `alpha`.
 *   heron-a<α> the same with another margin multiplier (`alphaGrid`, descriptive sensitivity).
 *   gold-pref the same loop with labels from the gold return of the two episodes (standard RLHF with a
 *             perfect scalar teacher; reference, same episodes and comparisons).
 * Robustness: every method is rerun with one signal rescaled, z_k → c·z_k for each (k, c) of `rescales`
 * (linear weightings keep their weights; HERON sees the rescaled signals in its tree).
 *
 * Record keys (`method/metric`): linear-k/final (normalised gold return, original scales),
 * linear-k/rs<j> (under rescale j), linear-k/drop (mean over j of final − rs<j>); heron/curve (series,
 * rounds + 1 points, 0 = the uniform start), heron/final, heron/rs<j>, heron/drop, heron/steps (environment
 * steps), heron/labels (non-tied comparisons), heron/agree (fraction of HERON labels that agree with the
 * gold return's order, among pairs whose gold returns differ), heron/level0..2 (fraction of pairs decided
 * at each level), heron/ties; heron-a<α>/final; gold-pref/curve, gold-pref/final, gold-pref/rs<j>.
 * Reference ref/: ref/uniform (gold return of the uniform policy), ref/optimal (J*).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import {
  CELL,
  FEATURE_NAMES,
  gridReward,
  makeGridworld,
  type FeatureGridworld,
} from '../../testbeds/tabular/env/gridworld';
import {
  epsilonMixtureBehaviour,
  randomPairs,
  sampleSegments,
  segmentFeatureSums,
  uniformBehaviour,
} from '../../testbeds/tabular/env/preferences';
import { optimalReturn, policyMatrix, policyReturn, valueIteration } from '../../testbeds/tabular/solvers/exact';
import { fitHeronRewardModel, heronLabels, heronMargins } from '../../testbeds/tabular/methods/heron';

export interface Config {
  /** Grid side (square grid). */
  size: number;
  /** Fraction of cells (other than start and goal) that are roadblocks (hazards). */
  hazardFraction: number;
  /** Fraction of cells that are mud (an extra unit of energy to enter or stay). */
  mudFraction: number;
  /** Probability that the executed action is uniformly random. */
  slip: number;
  gamma: number;
  /** Hidden gold weights (goal, hazard, energy) on the signals z_1, z_2, z_3 (z_2, z_3 are ≤ 0). */
  gold: [number, number, number];
  /** Hand-chosen linear weightings (a, b, c) of (z_1, z_2, z_3): the reward-engineering baselines. */
  weightings: [number, number, number][];
  /** Rescalings z_k → c·z_k (k 0-based) under which every method is rerun. */
  rescales: { factor: number; c: number }[];
  /** HERON rounds (data collection → comparisons → reward model → policy). */
  rounds: number;
  /** Episodes per round. */
  rollouts: number;
  /** Episode cap (steps). */
  horizon: number;
  /** Compared pairs per round (random pairs of the round's episodes). */
  pairs: number;
  /** Random-action probability of the data-collecting policy after round 0. */
  epsilon: number;
  /** HERON's margin multiplier α (δ_k = α·σ_k). */
  alpha: number;
  /** Other margin multipliers run for the sensitivity table. */
  alphaGrid: number[];
  /** L2 penalty of the Bradley–Terry fit. */
  l2: number;
}

export const DEFAULTS: Config = {
  size: 7,
  hazardFraction: 0.4,
  mudFraction: 0.1,
  slip: 0.1,
  gamma: 0.95,
  gold: [10, 1, 0.05],
  weightings: [
    [1, 1, 1],
    [1, 1, 0.1],
    [1, 0.1, 0.01],
    [10, 1, 1],
    [10, 1, 0.1],
  ],
  rescales: [
    { factor: 1, c: 10 },
    { factor: 1, c: 0.1 },
    { factor: 2, c: 10 },
    { factor: 2, c: 0.1 },
  ],
  rounds: 10,
  rollouts: 20,
  horizon: 30,
  pairs: 40,
  epsilon: 0.3,
  alpha: 1,
  alphaGrid: [0.5, 2],
  l2: 0.01,
};

/** Signal order by importance (z_1 goal, z_2 hazard, z_3 energy), most important first. */
export const ORDER = Int32Array.from([0, 1, 2]);
export const N_SIGNALS = 3;
const F = Object.fromEntries(FEATURE_NAMES.map((n, i) => [n, i])) as Record<(typeof FEATURE_NAMES)[number], number>;

/** A random world: start (0, 0), goal in the bottom-right 3×3 block, hazards and mud on other random cells. */
export function makeWorld(config: Config, rng: Rng): { world: FeatureGridworld; start: number } {
  const n = config.size;
  const cells = new Int8Array(n * n);
  const gr = n - 1 - rng.int(3),
    gc = n - 1 - rng.int(3);
  cells[gr * n + gc] = CELL.goal;
  const place = (kind: number, count: number) => {
    for (let k = 0; k < count; k++) {
      let c = 1 + rng.int(n * n - 1);
      while (cells[c] !== CELL.empty) c = 1 + rng.int(n * n - 1);
      cells[c] = kind;
    }
  };
  place(CELL.roadblock, Math.round(config.hazardFraction * (n * n - 2)));
  place(CELL.mud, Math.round(config.mudFraction * (n * n - 2)));
  const base = makeGridworld({ height: n, width: n, cells, gamma: config.gamma, slip: config.slip });
  const start = base.cellState[0];
  const init = new Float64Array(base.nS);
  init[start] = 1;
  return { world: { ...base, init }, start };
}

/** Feature weights w (over FEATURE_NAMES) of the per-step reward a·z_1 + b·z_2 + c·z_3, signals scaled by s. */
export function signalWeights(abc: ArrayLike<number>, scale: ArrayLike<number> = [1, 1, 1]): Float64Array {
  const w = new Float64Array(FEATURE_NAMES.length);
  w[F.goal] = abc[0] * scale[0];
  w[F.roadblock] = -abc[1] * scale[1];
  w[F.alive] = -abc[2] * scale[2];
  w[F.mud] = -abc[2] * scale[2];
  return w;
}

/** Signals z (n × 3) of episodes from their summed features Φ (n × nF), each signal scaled by s. */
export function signalsOf(phi: Float64Array, nF: number, scale: ArrayLike<number> = [1, 1, 1]): Float64Array {
  const n = phi.length / nF;
  const z = new Float64Array(n * N_SIGNALS);
  for (let i = 0; i < n; i++) {
    z[i * 3] = scale[0] * phi[i * nF + F.goal];
    z[i * 3 + 1] = -scale[1] * phi[i * nF + F.roadblock];
    z[i * 3 + 2] = -scale[2] * (phi[i * nF + F.alive] + phi[i * nF + F.mud]);
  }
  return z;
}

/** Normaliser of gold returns: J(π) ↦ (J(π) − J(uniform)) / (J* − J(uniform)). */
export function goldNormaliser(world: FeatureGridworld, gold: ArrayLike<number>) {
  const r = gridReward(world, signalWeights(gold));
  const uniform = new Float64Array(world.nS * world.nA).fill(1 / world.nA);
  const j0 = policyReturn(world, r, uniform);
  const jStar = optimalReturn(world, r);
  return { norm: (pi: Int32Array | Float64Array) => (policyReturn(world, r, pi) - j0) / (jStar - j0), j0, jStar };
}

/** Greedy optimal policy of the linear feature reward w (exact value iteration). */
export function plan(world: FeatureGridworld, w: ArrayLike<number>): Int32Array {
  return valueIteration(world, gridReward(world, w), { tol: 1e-10 }).policy;
}

export interface LoopResult {
  curve: number[];
  psi: Float64Array;
  steps: number;
  labels: number;
  agree: number;
  levels: number[];
  ties: number;
}

/**
 * The preference loop shared by HERON and the gold-preference reference: `labeler` returns 1 / 0 / −1 (tie)
 * per pair from the round's summed features Φ (n × nF) and pairs, plus the deciding level (or −1).
 */
export function preferenceLoop(
  world: FeatureGridworld,
  start: number,
  config: Config,
  rng: Rng,
  norm: (pi: Int32Array) => number,
  goldOf: (phi: Float64Array) => Float64Array,
  labeler: (phi: Float64Array, pairs: { i: Int32Array; j: Int32Array }) => { label: Int8Array; level: Int32Array },
): LoopResult {
  const nF = world.nF;
  const dPhi: number[] = [],
    y: number[] = [];
  let psi = new Float64Array(nF);
  let pi = plan(world, psi); // ψ = 0: every action ties; round 0 collects with the uniform behaviour
  const curve = [norm(pi)];
  let steps = 0,
    agreeN = 0,
    agreeD = 0,
    ties = 0,
    total = 0;
  const levels = [0, 0, 0];
  for (let t = 0; t < config.rounds; t++) {
    const r = rng.split(`round-${t}`);
    const behaviour =
      t === 0
        ? uniformBehaviour(world.nA)
        : epsilonMixtureBehaviour(policyMatrix(world, pi), world.nA, () => config.epsilon);
    const segs = sampleSegments(world, r.split('episodes'), {
      n: config.rollouts,
      L: config.horizon,
      behaviour,
      starts: Int32Array.of(start),
    });
    for (let i = 0; i < segs.n; i++) steps += segs.len[i];
    const phi = segmentFeatureSums(world, segs);
    const pairs = randomPairs(r.split('pairs'), segs.n, config.pairs);
    const { label, level } = labeler(phi, pairs);
    const g = goldOf(phi);
    for (let p = 0; p < label.length; p++) {
      total++;
      if (label[p] < 0) {
        ties++;
        continue;
      }
      if (level[p] >= 0 && level[p] < 3) levels[level[p]]++;
      const i = pairs.i[p],
        j = pairs.j[p];
      if (g[i] !== g[j]) {
        agreeD++;
        if ((g[i] > g[j] ? 1 : 0) === label[p]) agreeN++;
      }
      for (let f = 0; f < nF; f++) dPhi.push(phi[i * nF + f] - phi[j * nF + f]);
      y.push(label[p]);
    }
    psi = fitHeronRewardModel(Float64Array.from(dPhi), y, nF, config.l2, psi).x;
    pi = plan(world, psi);
    curve.push(norm(pi));
  }
  return {
    curve,
    psi,
    steps,
    labels: y.length,
    agree: agreeD > 0 ? agreeN / agreeD : NaN,
    levels: levels.map((c) => (total > 0 ? c / total : 0)),
    ties: total > 0 ? ties / total : 0,
  };
}

/** Worker task: one seed (see the module comment). */
export function runSeed(config: Config, seed: number): RunResult {
  const root = new Rng(seed).split('heron');
  const { world, start } = makeWorld(config, root.split('world'));
  const { norm, j0, jStar } = goldNormaliser(world, config.gold);
  const nF = world.nF;
  const wGold = signalWeights(config.gold);
  const goldOf = (phi: Float64Array) => {
    const n = phi.length / nF;
    const g = new Float64Array(n);
    for (let i = 0; i < n; i++) for (let f = 0; f < nF; f++) g[i] += wGold[f] * phi[i * nF + f];
    return g;
  };
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const scales: number[][] = [[1, 1, 1]];
  for (const { factor, c } of config.rescales) {
    if (!(factor >= 0 && factor < N_SIGNALS && c > 0))
      throw new RangeError(`heron runSeed: bad rescale {factor: ${factor}, c: ${c}} (factor 0..2, c > 0)`);
    const s = [1, 1, 1];
    s[factor] = c;
    scales.push(s);
  }
  const record = (m: string, finals: number[]) => {
    metrics[metricKey(m, 'final')] = finals[0];
    for (let j = 1; j < finals.length; j++) metrics[metricKey(m, `rs${j - 1}`)] = finals[j];
    if (finals.length > 1) {
      let d = 0;
      for (let j = 1; j < finals.length; j++) d += finals[0] - finals[j];
      metrics[metricKey(m, 'drop')] = d / (finals.length - 1);
    }
  };
  // Reward engineering: each weighting, planned exactly, at every scale.
  config.weightings.forEach((abc, k) =>
    record(
      `linear-${k}`,
      scales.map((s) => norm(plan(world, signalWeights(abc, s)))),
    ),
  );
  // HERON at every scale (same rng streams: common random numbers).
  const heronAt = (alpha: number, s: number[]) =>
    preferenceLoop(world, start, config, root.split('loop'), norm, goldOf, (phi, pairs) => {
      const z = signalsOf(phi, nF, s);
      return heronLabels(z, N_SIGNALS, pairs, heronMargins(z, N_SIGNALS, alpha), ORDER);
    });
  const runs = scales.map((s) => heronAt(config.alpha, s));
  record(
    'heron',
    runs.map((r) => r.curve[r.curve.length - 1]),
  );
  const h = runs[0];
  series[metricKey('heron', 'curve')] = h.curve;
  metrics[metricKey('heron', 'steps')] = h.steps;
  metrics[metricKey('heron', 'labels')] = h.labels;
  metrics[metricKey('heron', 'agree')] = h.agree;
  metrics[metricKey('heron', 'ties')] = h.ties;
  h.levels.forEach((v, l) => (metrics[metricKey('heron', `level${l}`)] = v));
  for (const a of config.alphaGrid) {
    const r = heronAt(a, [1, 1, 1]);
    metrics[metricKey(`heron-a${a}`, 'final')] = r.curve[r.curve.length - 1];
  }
  // Gold-preference reference: the same loop, labels from the gold return (rescaling does not apply to it).
  const gp = preferenceLoop(world, start, config, root.split('loop'), norm, goldOf, (phi, pairs) => {
    const g = goldOf(phi);
    const label = new Int8Array(pairs.i.length),
      level = new Int32Array(pairs.i.length).fill(-1);
    for (let p = 0; p < label.length; p++) {
      const a = g[pairs.i[p]],
        b = g[pairs.j[p]];
      label[p] = a > b ? 1 : a < b ? 0 : -1;
    }
    return { label, level };
  });
  series[metricKey('gold-pref', 'curve')] = gp.curve;
  metrics[metricKey('gold-pref', 'final')] = gp.curve[gp.curve.length - 1];
  metrics[metricKey('gold-pref', 'steps')] = gp.steps;
  metrics[metricKey('gold-pref', 'labels')] = gp.labels;
  metrics[metricKey('ref', 'uniform')] = j0;
  metrics[metricKey('ref', 'optimal')] = jStar;
  return { metrics, series };
}
