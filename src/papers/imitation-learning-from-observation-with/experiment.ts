/**
 * The tabular miniature of Liu, Dong, Hu, Wen, Yin, Zhang & Gao, "Imitation Learning from Observation with Automatic
 * Discount Scheduling" (ICLR 2024, arXiv:2310.07433; code github.com/dwjshift/IL_ADS).
 *
 * World: an "ordered waypoints" gridworld (testbeds/tabular/env/ordered-waypoints.ts): visit A, then B, then C;
 * the state holds the stage k (waypoints visited in order), the observation is (row, col, w·k/K). Two tasks share the
 * grid, the start, B and C:
 * - `ordered` (progress dependency): A lies behind the start, a detour away from B and C, so B and C only count after
 *   a behaviour (going to A) that moving toward the expert's later states does not produce;
 * - `control` (no dependency): A lies on a shortest path from the start to B, so the expert's later behaviour does not
 *   need an earlier one that differs from it.
 * Expert: `nDemos` state-only demonstrations (shortest paths in order, random ties, then `stay`), horizon `horizon`.
 *
 * Learner (all methods alike): tabular n-step Q-learning from a replay buffer, ε-greedy, on the OT proxy reward of
 * the code (testbeds/tabular/loops/ilfo-q-learning.ts). Methods differ only in the discount:
 * - `ot`: the OT baseline's fixed γ = 0.99 (the code's `suite.discount`);
 * - `ot-final`: fixed γ = α^{1/H}, the discount ADS reaches at full progress;
 * - `ot-low`: fixed γ = α^{1/p₀}, ADS's starting discount (p₀ = ⌊0.2·H⌋);
 * - `ads`: Automatic Discount Scheduling (testbeds/tabular/methods/automatic-discount-scheduling.ts).
 * Same episodes, buffer, step size, ε, updates and evaluation for every method; nothing tuned per method.
 *
 * Record keys (`method/metric@task=<task>`): `success` (the greedy policy's success averaged over the evaluations of
 * the last `tailFrac` of training), `successAuc` (over all evaluations), `stage` (final stage / K, same tail),
 * `shortcut` (same tail: the greedy trajectory enters C's cell without success), `otScore` (same tail: OT score of the
 * greedy trajectory, −Σ cost, unscaled), `gammaFinal`, `progressFinal` (ADS's p / H). Series `<m>/success@task=…`,
 * `<m>/stage@…`, `<m>/gamma@…`, `<m>/progress@…` per evaluation; `expert/evalEpisodes` the episode index of each
 * evaluation.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  distanceToSuccess,
  expertDemo,
  makeWaypointWorld,
  observe,
  type WaypointSpec,
  type WaypointWorld,
} from '../../testbeds/tabular/env/ordered-waypoints';
import { trainIlfoQ, type DiscountRule } from '../../testbeds/tabular/loops/ilfo-q-learning';
import type { ObsSeq } from '../../testbeds/tabular/methods/ot-proxy-reward';

export const METHODS = ['ot', 'ot-final', 'ot-low', 'ads'] as const;
export type Method = (typeof METHODS)[number];
export const TASKS = ['ordered', 'control'] as const;
export type Task = (typeof TASKS)[number];

export interface Config {
  /** Grid size, start, B and C (shared by both tasks). */
  height: number;
  width: number;
  start: [number, number];
  b: [number, number];
  c: [number, number];
  /** Waypoint A of each task. */
  aOrdered: [number, number];
  aControl: [number, number];
  /** Weight of the stage feature in the observation. */
  stageWeight: number;
  /** Episode horizon H and number of demonstrations. */
  horizon: number;
  nDemos: number;
  /** Tasks to run. */
  tasks: Task[];
  /** Training: episodes, seed episodes, ε, step size, n-step, buffer (episodes), updates per env step. */
  episodes: number;
  seedEpisodes: number;
  epsilon: number;
  stepSize: number;
  nStep: number;
  bufferEpisodes: number;
  updatesPerStep: number;
  /** Initial Q-values (see testbeds/tabular/loops/ilfo-q-learning.ts). */
  qInit: 'zero' | 'first-episode';
  /** Evaluate (and update ADS) every this many episodes. */
  evalEvery: number;
  /** The OT baseline's fixed discount. */
  gammaHigh: number;
  /** ADS (the code's defaults except maxProgressDelta, see the notebook). */
  alpha: number;
  threshold: number;
  progressStart: number;
  maxProgressDelta: number;
  refPercentile: number;
  agentPercentile: number;
  /** Fraction of training (the last evaluations) over which final metrics are averaged. */
  tailFrac: number;
}

export const DEFAULTS: Config = {
  height: 5,
  width: 9,
  start: [2, 2],
  b: [4, 5],
  c: [0, 8],
  aOrdered: [2, 0],
  aControl: [3, 3],
  stageWeight: 0.25,
  horizon: 20,
  nDemos: 5,
  tasks: ['ordered', 'control'],
  episodes: 1500,
  seedEpisodes: 10,
  epsilon: 0.1,
  stepSize: 0.1,
  nStep: 3,
  bufferEpisodes: 200,
  updatesPerStep: 4,
  qInit: 'zero',
  evalEvery: 10,
  gammaHigh: 0.99,
  alpha: 0.2,
  threshold: 0.9,
  progressStart: 0.2,
  maxProgressDelta: 1,
  refPercentile: 50,
  agentPercentile: 90,
  tailFrac: 0.2,
};

export function taskSpec(c: Config, task: Task): WaypointSpec {
  return {
    height: c.height,
    width: c.width,
    start: c.start,
    waypoints: [task === 'ordered' ? c.aOrdered : c.aControl, c.b, c.c],
    stageWeight: c.stageWeight,
  };
}

export interface TaskWorld {
  world: WaypointWorld;
  /** Expert demonstrations: state sequences and observations. */
  demoStates: Int32Array[];
  demos: ObsSeq[];
  /** Shortest number of steps to success from the start. */
  expertSteps: number;
}

export function makeTask(c: Config, task: Task, rng: Rng): TaskWorld {
  const world = makeWaypointWorld(taskSpec(c, task));
  const dist = distanceToSuccess(world);
  const demoStates = Array.from({ length: c.nDemos }, (_, i) => expertDemo(world, c.horizon, rng.split(i), dist));
  return {
    world,
    demoStates,
    demos: demoStates.map((s) => observe(world, s)),
    expertSteps: dist[world.startState],
  };
}

export function discountRule(c: Config, m: Method): DiscountRule {
  const p0 = Math.floor(c.progressStart * c.horizon);
  switch (m) {
    case 'ot':
      return { kind: 'fixed', gamma: c.gammaHigh };
    case 'ot-final':
      return { kind: 'fixed', gamma: Math.pow(c.alpha, 1 / c.horizon) };
    case 'ot-low':
      return { kind: 'fixed', gamma: Math.pow(c.alpha, 1 / p0) };
    case 'ads':
      return {
        kind: 'ads',
        ads: {
          alpha: c.alpha,
          threshold: c.threshold,
          progressStart: c.progressStart,
          maxProgressDelta: c.maxProgressDelta,
          refPercentile: c.refPercentile,
          agentPercentile: c.agentPercentile,
        },
      };
  }
}

const tailMean = (x: number[], frac: number): number => {
  const k = Math.max(1, Math.round(frac * x.length));
  let s = 0;
  for (let i = x.length - k; i < x.length; i++) s += x[i];
  return s / k;
};
const mean = (x: number[]): number => x.reduce((a, b) => a + b, 0) / x.length;

export function runSeed(config: Config, seed: number): RunResult {
  const rng = new Rng(seed);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  for (const task of config.tasks) {
    const at = `@task=${task}`;
    const tw = makeTask(config, task, rng.split(`demos-${task}`));
    metrics[`expert/steps${at}`] = tw.expertSteps;
    for (const m of METHODS) {
      const r = trainIlfoQ(tw.world, {
        episodes: config.episodes,
        horizon: config.horizon,
        // Same stream for every method of a seed: the same seed episodes, paired comparisons.
        rng: rng.split(`train-${task}`),
        demos: tw.demos,
        discount: discountRule(config, m),
        epsilon: config.epsilon,
        seedEpisodes: config.seedEpisodes,
        stepSize: config.stepSize,
        nStep: config.nStep,
        bufferEpisodes: config.bufferEpisodes,
        updatesPerStep: config.updatesPerStep,
        evalEvery: config.evalEvery,
        qInit: config.qInit,
      });
      const shortcut = r.evalReachedLast.map((x, i) => (x === 1 && r.evalSuccess[i] === 0 ? 1 : 0));
      metrics[`${m}/success${at}`] = tailMean(r.evalSuccess, config.tailFrac);
      metrics[`${m}/successAuc${at}`] = mean(r.evalSuccess);
      metrics[`${m}/stage${at}`] = tailMean(r.evalStage, config.tailFrac);
      metrics[`${m}/shortcut${at}`] = tailMean(shortcut, config.tailFrac);
      metrics[`${m}/otScore${at}`] = tailMean(r.evalOtScore, config.tailFrac);
      metrics[`${m}/gammaFinal${at}`] = r.gamma[r.gamma.length - 1];
      metrics[`${m}/progressFinal${at}`] = r.progress[r.progress.length - 1] / config.horizon;
      series[`${m}/success${at}`] = r.evalSuccess;
      series[`${m}/stage${at}`] = r.evalStage;
      series[`${m}/gamma${at}`] = r.gamma;
      series[`${m}/progress${at}`] = r.progress.map((p) => p / config.horizon);
      if (!series['expert/evalEpisodes']) series['expert/evalEpisodes'] = r.evalEpisode;
    }
  }
  return { metrics, series };
}
