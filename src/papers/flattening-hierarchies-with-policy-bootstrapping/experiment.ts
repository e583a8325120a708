/**
 * The maze miniature of Zhou & Kao, "Flattening Hierarchies with Policy Bootstrapping" (NeurIPS 2025,
 * arXiv:2505.14975): a flat goal-conditioned policy trained by SAW (subgoal advantage-weighted policy bootstrapping)
 * against GCBC, flat GCIVL (AWR on the goal-conditioned value) and HIQL (two levels), from one reward-free offline
 * dataset, on goals near and far.
 *
 * World: the giant-style maze of one-cell corridors of the offline testbed (testbeds/offline/env/maze.ts; the OTA
 * miniature's fixed layout, 21×21 grid, 212 cells), deterministic moves.
 * Data: `episodes` noisy-expert episodes of `horizon` steps (data/dataset.ts collectGoalReaching: an ε-noisy
 * shortest-path policy toward random goals, a new goal on arrival; OGBench's "navigate" data), without rewards.
 * Value: ONE goal-conditioned value V(s, g) per seed, learned by GCIVL's expectile TD with OGBench's goal relabelling
 * on the rank-`rank` two-tower class (methods/gc-value.ts); every value-based method below uses this same V (the code's
 * SAW, HIQL and GCIVL all train the same GCIVL value loss), so methods differ only in how the policy is extracted.
 * Policies (each the exact tabular minimiser of its actor objective; same data, same V):
 * - `gcbc`: goal-conditioned BC with trajectory goals (methods/gcbc.ts);
 * - `gcivl`: flat AWR on the one-step advantage V(s', g) − V(s, g), α = `gcivlAlpha` (OGBench's GCIVL actor);
 * - `hiql`: HIQL's high level over the data's k-step subgoals and its low level (methods/hiql.ts);
 * - `saw`: the flat SAW policy (methods/saw.ts), its sub-policy π^sub = HIQL's low level (as in the code);
 * - ablations of SAW: `saw-noKL` (no bootstrapping term: AWR with SAW's α), `saw-noAWR` (bootstrapping term only),
 *   `saw-beta0` (waypoints from the data without the advantage importance weight, β = 0), `saw-k<k>` (waypoint steps),
 *   with `hiql-k<k>` (HIQL at the same subgoal steps) beside it;
 * - `oracle`: HIQL's low level under the oracle high level (subgoals by true distance): testbed validity (can the
 *   sub-policy that SAW bootstraps from reach far goals when its subgoals are right?).
 * Evaluation: exact probability of reaching the goal within `limitFactor` × its distance (forward propagation of the
 * state distribution, hiql.ts successWithin) from `pairsPerBin` fixed (start, goal) pairs per distance bin `bins`.
 *
 * Record keys (`method/metric`): `<m>/success@<lo>-<hi>` per distance bin; `<m>/successFar` (the last bin, the
 * long-horizon goals) and `<m>/successNear` (the first bin); `data/coverage`, `data/transitions`;
 * `identity/klOnlyVsHiql` (max |π_SAW without AWR − π_HIQL| over the evaluated goals: the derivation's special case);
 * `saw/klShare` (share of the bootstrapping term in SAW's mixture weight, mean over far start states).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { collectGoalReaching, type CollectOptions } from '../../testbeds/offline/data/dataset';
import { mazeWorld, type MazeSpec } from '../../testbeds/offline/env/maze';
import {
  HIQL_VALUE_GOALS,
  oneStepTarget,
  trainGcValue,
  trajectoriesOf,
  type GcTrajectories,
  type GcValueOptions,
  type GoalSampling,
} from '../../testbeds/offline/methods/gc-value';
import { gcbcPolicy } from '../../testbeds/offline/methods/gcbc';
import {
  actionData,
  compositePolicy,
  highLevelPolicy,
  lowLevelAction,
  oracleHighLevel,
  stateIndex,
  successWithin,
  type ActionData,
  type HierarchyOptions,
} from '../../testbeds/offline/methods/hiql';
import { samplesAt, sawPolicy, sawWeights, type SawOptions } from '../../testbeds/offline/methods/saw';
import { bfsDistances } from '../../testbeds/offline/solvers/evaluation';
import type { FeatureGridworld } from '../../testbeds/tabular/env/gridworld';

/**
 * Data (CollectOptions: episodes, steps per episode; ε of the noisy expert) and value learning (GcValueOptions; the
 * discount is the maze's γ).
 */
export interface Config extends CollectOptions, Omit<GcValueOptions, 'gamma'> {
  maze: MazeSpec;
  epsilon: number;
  goals: GoalSampling;
  /** GCIVL's AWR inverse temperature (OGBench's gcivl alpha = 10). */
  gcivlAlpha: number;
  /** HIQL: subgoal steps k and AWR temperatures (OGBench: 3 and 3); its low level is SAW's sub-policy. */
  hierarchy: HierarchyOptions;
  /** SAW: α, β, k (the code's defaults 3, 3; k = the hierarchy's k). */
  saw: SawOptions;
  /** Waypoint steps of the recorded SAW k sweep (ablation). */
  kSweep: number[];
  /** Evaluation: distance bins [lo, hi) of (start, goal) pairs, pairs per bin, time limit = limitFactor × distance. */
  bins: [number, number][];
  pairsPerBin: number;
  limitFactor: number;
  /** Seed of the fixed evaluation pairs (part of the task, not of the run). */
  evalSeed: number;
}

export const DEFAULTS: Config = {
  maze: { rooms: 10, braid: 0.1, layoutSeed: 1, gamma: 0.99, slip: 0 },
  episodes: 40,
  horizon: 250,
  epsilon: 0.3,
  steps: 20000,
  batch: 256,
  lr: 0.003,
  rank: 64,
  initScale: 0.1,
  expectile: 0.7,
  polyak: 0.005,
  goals: HIQL_VALUE_GOALS,
  gcivlAlpha: 10,
  hierarchy: { subgoalSteps: 10, alphaHigh: 3, alphaLow: 3 },
  saw: { alpha: 3, beta: 3, subgoalSteps: 10, awrTerm: true, klTerm: true },
  kSweep: [1, 5, 20],
  bins: [
    [5, 15],
    [15, 30],
    [30, 45],
    [45, 1000],
  ],
  pairsPerBin: 30,
  limitFactor: 3,
  evalSeed: 20250520,
};

export interface Maze {
  world: FeatureGridworld;
  nS: number;
  /** dist[s·nS + g]: shortest-path distance from s to g. */
  dist: Int32Array;
  diameter: number;
  /** Fixed evaluation pairs [start, goal] per distance bin. */
  pairs: [number, number][][];
}

export function makeEvalMaze(c: Config): Maze {
  const world = mazeWorld(c.maze);
  const nS = world.nS;
  const dist = new Int32Array(nS * nS);
  let diameter = 0;
  for (let g = 0; g < nS; g++) {
    const d = bfsDistances(world, g);
    for (let s = 0; s < nS; s++) {
      dist[s * nS + g] = d[s];
      if (d[s] > diameter) diameter = d[s];
    }
  }
  const rng = new Rng(c.evalSeed).split('eval-pairs');
  const pairs = c.bins.map(([lo, hi], b) => {
    const cand: [number, number][] = [];
    for (let s = 0; s < nS; s++)
      for (let g = 0; g < nS; g++) {
        const d = dist[s * nS + g];
        if (d >= lo && d < hi) cand.push([s, g]);
      }
    if (cand.length < c.pairsPerBin)
      throw new RangeError(`makeEvalMaze: bin ${b} [${lo}, ${hi}) holds only ${cand.length} pairs; widen it`);
    rng.shuffle(cand);
    return cand.slice(0, c.pairsPerBin);
  });
  return { world, nS, dist, diameter, pairs };
}

export function binLabel(b: [number, number]): string {
  return `${b[0]}-${b[1]}`;
}

/** Method names of the record, in display order. */
export function methodNames(c: Config): string[] {
  return [
    'gcbc',
    'gcivl',
    'hiql',
    'saw',
    'saw-noKL',
    'saw-noAWR',
    'saw-beta0',
    ...c.kSweep.map((k) => `saw-k${k}`),
    ...c.kSweep.map((k) => `hiql-k${k}`),
    'oracle',
  ];
}

/** The sub-policy SAW bootstraps from: HIQL's low level π^ℓ(· | s, w) on V (the code's low_actor). */
function subPolicy(ad: ActionData, V: Float64Array, nS: number, nA: number, h: HierarchyOptions) {
  return (s: number, w: number, out: Float64Array) => lowLevelAction(ad, V, nS, nA, s, w, h, out);
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const mz = makeEvalMaze(c);
  const { nS, world, dist } = mz;
  const nA = world.nA;
  const rng = new Rng(seed).split('saw');
  const data = collectGoalReaching(
    world,
    { episodes: c.episodes, horizon: c.horizon, epsilon: c.epsilon },
    rng.split('data'),
  );
  const traj: GcTrajectories = trajectoriesOf(data);
  const metrics: Record<string, number> = {};
  const seen = new Uint8Array(nS);
  for (const s of traj.obs) seen[s] = 1;
  metrics['data/coverage'] = seen.reduce((a, b) => a + b, 0) / nS;
  metrics['data/transitions'] = traj.valid.length;

  const V = trainGcValue(
    traj,
    oneStepTarget(c.goals, c.maze.gamma),
    {
      steps: c.steps,
      batch: c.batch,
      lr: c.lr,
      rank: c.rank,
      initScale: c.initScale,
      expectile: c.expectile,
      polyak: c.polyak,
      gamma: c.maze.gamma,
    },
    rng.split('value'),
  ).V;
  const si = stateIndex(traj);
  const ad = actionData(traj);
  const h = c.hierarchy;
  const sub = subPolicy(ad, V, nS, nA, h);
  const flatAwr = (alpha: number) => (g: number) => {
    const pi = new Float64Array(nS * nA);
    const o = { ...h, alphaLow: alpha };
    for (let s = 0; s < nS; s++) lowLevelAction(ad, V, nS, nA, s, g, o, pi.subarray(s * nA, (s + 1) * nA));
    return pi;
  };
  const saw = (o: SawOptions) => (g: number) => sawPolicy(traj, si, V, g, sub, o);
  const policies: [string, (g: number) => Float64Array][] = [
    ['gcbc', (g) => gcbcPolicy(traj, g)],
    ['gcivl', flatAwr(c.gcivlAlpha)],
    ['hiql', (g) => compositePolicy(highLevelPolicy(traj, si, V, g, h), ad, V, nS, nA, h)],
    ['saw', saw(c.saw)],
    ['saw-noKL', saw({ ...c.saw, klTerm: false })],
    ['saw-noAWR', saw({ ...c.saw, awrTerm: false })],
    ['saw-beta0', saw({ ...c.saw, beta: 0 })],
    ...c.kSweep.map((k): [string, (g: number) => Float64Array] => [`saw-k${k}`, saw({ ...c.saw, subgoalSteps: k })]),
    ...c.kSweep.map((k): [string, (g: number) => Float64Array] => {
      const hk = { ...h, subgoalSteps: k };
      return [`hiql-k${k}`, (g) => compositePolicy(highLevelPolicy(traj, si, V, g, hk), ad, V, nS, nA, hk)];
    }),
    [
      'oracle',
      (g) => {
        const col = new Int32Array(nS);
        for (let s = 0; s < nS; s++) col[s] = dist[s * nS + g];
        return compositePolicy(oracleHighLevel(traj, si, col, g, h.subgoalSteps), ad, V, nS, nA, h);
      },
    ],
  ];
  for (const [m, make] of policies) {
    const cache = new Map<number, Float64Array>();
    const binMeans: number[] = [];
    mz.pairs.forEach((pairs, b) => {
      let sum = 0;
      for (const [s0, g] of pairs) {
        let pi = cache.get(g);
        if (!pi) {
          pi = make(g);
          cache.set(g, pi);
        }
        sum += successWithin(world, pi, s0, g, c.limitFactor * dist[s0 * nS + g]);
      }
      const mean = sum / pairs.length;
      metrics[`${m}/success@${binLabel(c.bins[b])}`] = mean;
      binMeans.push(mean);
    });
    metrics[`${m}/successNear`] = binMeans[0];
    metrics[`${m}/successFar`] = binMeans[binMeans.length - 1];
  }

  // The derivation's special case: SAW without its AWR term is HIQL's composite policy (same k, β = α_h, π^sub = π^ℓ).
  let maxDiff = 0;
  const goals = new Set<number>();
  for (const pairs of mz.pairs) for (const [, g] of pairs) goals.add(g);
  const klOnly: SawOptions = { ...c.saw, awrTerm: false, beta: h.alphaHigh, subgoalSteps: h.subgoalSteps };
  for (const g of goals) {
    const a = sawPolicy(traj, si, V, g, sub, klOnly);
    const b = compositePolicy(highLevelPolicy(traj, si, V, g, h), ad, V, nS, nA, h);
    for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
  }
  metrics['identity/klOnlyVsHiql'] = maxDiff;

  // Share of the bootstrapping term in SAW's mixture weight Z_kl / (Z_awr + Z_kl) at the far pairs' start states.
  const far = mz.pairs[mz.pairs.length - 1];
  let share = 0;
  for (const [s0, g] of far) {
    let za = 0,
      zk = 0;
    for (const x of samplesAt(traj, si, s0, g, c.saw.subgoalSteps)) {
      const w = sawWeights(V, nS, s0, g, x, c.saw);
      za += w.awr;
      zk += w.kl;
    }
    share += za + zk > 0 ? zk / (za + zk) : 0;
  }
  metrics['saw/klShare'] = share / far.length;
  return { metrics, series: {} };
}
