/**
 * The maze miniature of Ahn, Choi, Han & Moon, "Option-aware Temporally Abstracted Value for Offline
 * Goal-Conditioned Reinforcement Learning" (NeurIPS 2025, arXiv:2505.12737): HIQL versus HIQL with the OTA
 * high-level value, on one long-horizon maze, from one reward-free offline dataset.
 *
 * World: a giant-style maze of one-cell corridors (testbeds/offline/env/maze.ts; fixed layout), deterministic moves.
 * Data: `episodes` noisy-expert episodes of `horizon` steps (testbeds/offline/data/dataset.ts collectGoalReaching:
 * toward a random goal cell by an ε-noisy shortest-path policy, a new goal on arrival; OGBench's "navigate" data),
 * used without rewards: goals are relabelled by the value learners' samplers.
 * Values (testbeds/offline/methods/gc-value.ts, ota.ts), equal budgets (same data, steps, batch, step size,
 * expectile, target rate, goal sampling):
 * - `hiql`: the one-step GCIVL value V (HIQL's value), used by both levels;
 * - `ota-n<n>`: the option-aware value V^h_OTA of abstraction factor n for the high level, the same V for the low
 *   level (n = `n` is the paper's method; the others are a sweep, n = 1 being a one-step control);
 * - `oracle`: the true shortest-path distances for the high level, the same learned low level (the paper's
 *   bottleneck analysis: is the high level what fails?).
 * Policies (testbeds/offline/methods/hiql.ts): HIQL's AWR high level over the data's k-step subgoals and AWR low level,
 * queried every step; success = exact probability of reaching the goal within `limitFactor` × its distance, from
 * each of `evalPairs` fixed (start, goal) pairs at least `farDist` apart.
 * Diagnostic (the paper's): the share of wrong-sign high-level advantages V(s_{t+k}, g) − V(s_t, g) against the true
 * sign from BFS distances, over `signSamples` data indices × every goal, by distance d(s_t, g).
 *
 * Record keys (`method/metric`): `<m>/success`, `<m>/successTask<j>` (j < 5, the five farthest evaluation pairs);
 * `<m>/wrong@<a>-<b>` per distance bin, `<m>/wrongFar` (d ≥ farDist), `<m>/wrongNear` (d < nearDist);
 * `data/coverage` (share of cells visited), `data/transitions`; `<m>/valueRmseNear` (against the exact value of the
 * method's target on shortest paths, d < nearDist).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { collectGoalReaching, type CollectOptions } from '../../testbeds/offline/data/dataset';
import { mazeWorld, type MazeSpec } from '../../testbeds/offline/env/maze';
import {
  HIQL_VALUE_GOALS,
  oneStepTarget,
  optimalOneStepValue,
  trainGcValue,
  trajectoriesOf,
  type GcTrajectories,
  type GcValueOptions,
  type GoalSampling,
} from '../../testbeds/offline/methods/gc-value';
import {
  actionData,
  advantageSignErrors,
  compositePolicy,
  highLevelPolicy,
  oracleHighLevel,
  stateIndex,
  successWithin,
  type HierarchyOptions,
} from '../../testbeds/offline/methods/hiql';
import { optimalOptionValue, optionAwareTarget } from '../../testbeds/offline/methods/ota';
import { bfsDistances } from '../../testbeds/offline/solvers/evaluation';
import type { FeatureGridworld } from '../../testbeds/tabular/env/gridworld';

/**
 * Data (CollectOptions: episodes, steps per episode; ε of the noisy expert) and value learning of both methods
 * (GcValueOptions; the discount is the maze's γ for HIQL, per option for OTA).
 */
export interface Config extends CollectOptions, Omit<GcValueOptions, 'gamma'> {
  maze: MazeSpec;
  epsilon: number;
  goals: GoalSampling;
  /** HIQL: subgoal steps k, AWR temperatures. */
  hierarchy: HierarchyOptions;
  /** OTA's abstraction factor (the method compared), and the sweep of factors recorded. */
  n: number;
  nSweep: number[];
  /** Diagnostic: data indices sampled for the sign analysis, distance-bin edges, far and near thresholds. */
  signSamples: number;
  edges: number[];
  farDist: number;
  nearDist: number;
  /** Evaluation: (start, goal) pairs at least farDist apart, time limit = limitFactor × distance. */
  evalPairs: number;
  limitFactor: number;
  /** Seed of the fixed evaluation pairs (part of the task, not of the run). */
  evalSeed: number;
}

export const DEFAULTS: Config = {
  maze: { rooms: 10, braid: 0.1, layoutSeed: 1, gamma: 0.95, slip: 0 },
  episodes: 40,
  horizon: 250,
  epsilon: 0.3,
  steps: 20000,
  batch: 256,
  lr: 0.003,
  rank: 16,
  initScale: 0.1,
  expectile: 0.7,
  polyak: 0.005,
  goals: HIQL_VALUE_GOALS,
  hierarchy: { subgoalSteps: 10, alphaHigh: 3, alphaLow: 3 },
  n: 5,
  nSweep: [1, 2, 5, 10],
  signSamples: 1000,
  edges: [1, 10, 20, 30, 40, 50, 60],
  farDist: 40,
  nearDist: 20,
  evalPairs: 60,
  limitFactor: 3,
  evalSeed: 20250518,
};

export interface Maze {
  world: FeatureGridworld;
  nS: number;
  /** dist[s·nS + g]: shortest-path distance from s to g. */
  dist: Int32Array;
  diameter: number;
  /** Fixed evaluation pairs [start, goal], far first (the first five are the farthest: the "tasks"). */
  pairs: [number, number][];
}

export function makeMaze(c: Config): Maze {
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
  const far: [number, number][] = [];
  for (let s = 0; s < nS; s++) for (let g = 0; g < nS; g++) if (dist[s * nS + g] >= c.farDist) far.push([s, g]);
  if (far.length < c.evalPairs)
    throw new RangeError(`makeMaze: only ${far.length} pairs are ≥ farDist = ${c.farDist} apart; lower farDist`);
  const rng = new Rng(c.evalSeed).split('eval-pairs');
  rng.shuffle(far);
  const pairs = far.slice(0, c.evalPairs);
  pairs.sort((x, y) => dist[y[0] * nS + y[1]] - dist[x[0] * nS + x[1]]);
  return { world, nS, dist, diameter, pairs };
}

/** Method names of the record (hiql, ota-n<n> for each n of the sweep, oracle). */
export function methodNames(c: Config): string[] {
  return ['hiql', ...c.nSweep.map((n) => `ota-n${n}`), 'oracle'];
}

export function binLabel(a: number, b: number): string {
  return `${a}-${b}`;
}

/** Mean success over the evaluation pairs (and per task for the first five) of a high-level value. */
function evaluate(
  mz: Maze,
  traj: GcTrajectories,
  V: Float64Array,
  high: (g: number) => ReturnType<typeof highLevelPolicy>,
  c: Config,
): { success: number; tasks: number[] } {
  const { nS, world } = mz;
  const ad = actionData(traj);
  const byGoal = new Map<number, Float64Array>();
  let sum = 0;
  const tasks: number[] = [];
  mz.pairs.forEach(([s0, g], j) => {
    let pi = byGoal.get(g);
    if (!pi) {
      const hi = high(g);
      pi = compositePolicy(hi, ad, V, nS, world.nA, c.hierarchy);
      byGoal.set(g, pi);
    }
    const p = successWithin(world, pi, s0, g, c.limitFactor * mz.dist[s0 * nS + g]);
    sum += p;
    if (j < 5) tasks.push(p);
  });
  return { success: sum / mz.pairs.length, tasks };
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const mz = makeMaze(c);
  const { nS, world, dist } = mz;
  const rng = new Rng(seed).split('ota');
  const data = collectGoalReaching(
    world,
    { episodes: c.episodes, horizon: c.horizon, epsilon: c.epsilon },
    rng.split('data'),
  );
  const traj = trajectoriesOf(data);
  const metrics: Record<string, number> = {};
  const seen = new Uint8Array(nS);
  for (const s of traj.obs) seen[s] = 1;
  metrics['data/coverage'] = seen.reduce((a, b) => a + b, 0) / nS;
  metrics['data/transitions'] = traj.valid.length;

  const vo = {
    steps: c.steps,
    batch: c.batch,
    lr: c.lr,
    rank: c.rank,
    initScale: c.initScale,
    expectile: c.expectile,
    polyak: c.polyak,
    gamma: c.maze.gamma,
  };
  const V = trainGcValue(traj, oneStepTarget(c.goals, c.maze.gamma), vo, rng.split('value')).V;
  const highValues: [string, Float64Array, (d: number) => number][] = [
    ['hiql', V, (d) => optimalOneStepValue(d, c.maze.gamma)],
  ];
  for (const n of c.nSweep) {
    const Vh = trainGcValue(traj, optionAwareTarget(c.goals, c.maze.gamma, n), vo, rng.split(`ota-n${n}`)).V;
    highValues.push([`ota-n${n}`, Vh, (d) => optimalOptionValue(d, c.maze.gamma, n)]);
  }

  // The sign diagnostic on a fixed sample of data indices (the same for every method of the seed).
  const sr = rng.split('sign-sample');
  const idx = Int32Array.from({ length: c.signSamples }, () => traj.valid[sr.int(traj.valid.length)]);
  const edges = c.edges;
  const farEdges = [c.farDist, 1 << 30];
  const nearEdges = [1, c.nearDist];
  const si = stateIndex(traj);
  for (const [m, Vh, vstar] of highValues) {
    const bins = advantageSignErrors(traj, Vh, dist, c.hierarchy.subgoalSteps, idx, edges);
    for (let b = 0; b + 1 < edges.length; b++)
      if (bins.total[b] > 0) metrics[`${m}/wrong@${binLabel(edges[b], edges[b + 1])}`] = bins.wrong[b] / bins.total[b];
    const f = advantageSignErrors(traj, Vh, dist, c.hierarchy.subgoalSteps, idx, farEdges);
    metrics[`${m}/wrongFar`] = f.wrong[0] / f.total[0];
    const nr = advantageSignErrors(traj, Vh, dist, c.hierarchy.subgoalSteps, idx, nearEdges);
    metrics[`${m}/wrongNear`] = nr.wrong[0] / nr.total[0];
    let se = 0,
      cnt = 0;
    for (let s = 0; s < nS; s++)
      for (let g = 0; g < nS; g++) {
        const d = dist[s * nS + g];
        if (d < 0 || d >= c.nearDist) continue;
        se += (Vh[s * nS + g] - vstar(d)) ** 2;
        cnt++;
      }
    metrics[`${m}/valueRmseNear`] = Math.sqrt(se / cnt);
    // The high level from this method's value, the low level always from the one-step value V.
    const ev = evaluate(mz, traj, V, (g) => highLevelPolicy(traj, si, Vh, g, c.hierarchy), c);
    metrics[`${m}/success`] = ev.success;
    ev.tasks.forEach((p, j) => (metrics[`${m}/successTask${j}`] = p));
  }
  const or = evaluate(
    mz,
    traj,
    V,
    (g) => oracleHighLevel(traj, si, column(dist, nS, g), g, c.hierarchy.subgoalSteps),
    c,
  );
  metrics['oracle/success'] = or.success;
  or.tasks.forEach((p, j) => (metrics[`oracle/successTask${j}`] = p));
  return { metrics, series: {} };
}

/** Distances to goal g of every state. */
export function column(dist: Int32Array, nS: number, g: number): Int32Array {
  const out = new Int32Array(nS);
  for (let s = 0; s < nS; s++) out[s] = dist[s * nS + g];
  return out;
}
