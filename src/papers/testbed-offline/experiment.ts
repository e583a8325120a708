/**
 * The offline testbed's validity gate (notebooks/testbed-offline.ipynb). On fixed goal-reaching gridworlds every
 * policy's value is exact (a linear solve), so learners are scored without rollout noise. Each seed draws the
 * datasets (and the Monte Carlo rollouts); the worlds are the same for every seed. Task entry point:
 * `runSeed(config, seed)`.
 *
 * Worlds (env/tasks.ts, reward −1 per step and 0 on entering the goal, goal in the top-right corner, μ₀ uniform over
 * the non-goal cells): `open-room` (openRoomSize², deterministic) and `four-rooms` (fourRoomsSize², slip
 * fourRoomsSlip: with that probability the executed action is uniformly random).
 * Datasets per world (data/dataset.ts): `episodes` episodes of at most `horizon` steps from μ₀ under the optimal,
 * ε-noisy optimal (ε = epsilon) and uniformly random behaviour.
 * Learners (methods/): BC, fitted Q iteration, IQL (τ, β), CQL (α), AWR (β); and the best data-supported policy
 * (solvers/evaluation.ts) as the reference.
 *
 * Record keys (`method/metric@quality@world`): `<m>/normValue@q@w` for m in bc, fqi, iql, cql, awr, reference
 * (normalised exact value: 0 uniform policy, 1 optimal); `data/coverage@q@w` (share of non-terminal state-actions
 * with data), `data/size@q@w`; `exact/optimal@w`, `exact/uniform@w` (J* and J(uniform)); the Monte Carlo cross-check
 * on the random-data policies of every learner: `exact/mcMaxAbsErr@w` (max over learners of |J_MC − J| / (J* −
 * J(uniform))), `exact/mcMaxZ@w` (max |J_MC − J| / SE), `exact/mcMaxSe@w` (max SE / (J* − J(uniform))).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { goalTask, type OfflineTask, type OfflineWorldSpec } from '../../testbeds/offline/env/tasks';
import {
  behaviourPolicy,
  collectDataset,
  qualityName,
  type BehaviourQuality,
} from '../../testbeds/offline/data/dataset';
import { coverage, empiricalIndex, type LearnedPolicy } from '../../testbeds/offline/data/empirical';
import {
  bestSupportedPolicy,
  monteCarloValue,
  normalisedValue,
  policyValue,
  valueScale,
} from '../../testbeds/offline/solvers/evaluation';
import { behaviourCloning } from '../../testbeds/offline/methods/bc';
import { fittedQIteration } from '../../testbeds/offline/methods/fqi';
import { iql } from '../../testbeds/offline/methods/iql';
import { cql } from '../../testbeds/offline/methods/cql';
import { awr } from '../../testbeds/offline/methods/awr';

export interface Config {
  /** Side of the open room. */
  openRoomSize: number;
  /** Side of the four-rooms grid (odd, ≥ 5). */
  fourRoomsSize: number;
  /** Slip probability of the four-rooms world (the open room is deterministic). */
  fourRoomsSlip: number;
  /** Discount γ of both worlds. */
  gamma: number;
  /** Episodes per dataset. */
  episodes: number;
  /** Steps per episode at most (episodes also end at the goal). */
  horizon: number;
  /** ε of the ε-noisy optimal behaviour. */
  epsilon: number;
  /** IQL expectile τ and inverse temperature β (the paper's AntMaze settings, App. B: τ = 0.9, β = 10). */
  iqlTau: number;
  iqlBeta: number;
  /** CQL regulariser weight α (per sample, reward units; one step's cost). */
  cqlAlpha: number;
  /** AWR temperature β (the paper's default, 1.0, in reward units). */
  awrBeta: number;
  /** Monte Carlo rollouts per policy and their horizon for the exact-vs-MC check. */
  mcRollouts: number;
  mcHorizon: number;
}

export const DEFAULTS: Config = {
  openRoomSize: 7,
  fourRoomsSize: 11,
  fourRoomsSlip: 0.1,
  gamma: 0.95,
  episodes: 100,
  horizon: 50,
  epsilon: 0.3,
  iqlTau: 0.9,
  iqlBeta: 10,
  cqlAlpha: 1,
  awrBeta: 1,
  mcRollouts: 2000,
  mcHorizon: 400,
};

export const WORLDS = ['open-room', 'four-rooms'] as const;
export const QUALITIES = ['optimal', 'epsilon', 'random'] as const;
export const METHODS = ['bc', 'fqi', 'iql', 'cql', 'awr'] as const;

/** The fixed task of a world name under `config`. */
export function worldTask(config: Config, world: (typeof WORLDS)[number]): OfflineTask {
  const spec: OfflineWorldSpec =
    world === 'open-room'
      ? { layout: 'open-room', size: config.openRoomSize, gamma: config.gamma, slip: 0 }
      : { layout: 'four-rooms', size: config.fourRoomsSize, gamma: config.gamma, slip: config.fourRoomsSlip };
  return goalTask(spec);
}

function quality(config: Config, q: (typeof QUALITIES)[number]): BehaviourQuality {
  return q === 'epsilon' ? { kind: 'epsilon', epsilon: config.epsilon } : { kind: q };
}

/** Train every learner of the gate on a dataset. */
export function learnAll(config: Config, data: Parameters<typeof behaviourCloning>[0]): Record<string, LearnedPolicy> {
  return {
    bc: behaviourCloning(data),
    fqi: fittedQIteration(data),
    iql: iql(data, { tau: config.iqlTau, beta: config.iqlBeta }),
    cql: cql(data, { alpha: config.cqlAlpha }),
    awr: awr(data, { beta: config.awrBeta }),
  };
}

export function runSeed(config: Config, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  const root = new Rng(seed).split('testbed-offline');
  for (const world of WORLDS) {
    const task = worldTask(config, world);
    const scale = valueScale(task);
    metrics[metricKey('exact', `optimal@${world}`)] = scale.optimal;
    metrics[metricKey('exact', `uniform@${world}`)] = scale.uniform;
    const gap = scale.optimal - scale.uniform;
    const nonTerminal: number[] = [];
    for (let s = 0; s < task.env.nS; s++) if (!task.terminal[s]) nonTerminal.push(s);
    for (const qn of QUALITIES) {
      const q = quality(config, qn);
      const data = collectDataset(
        task,
        behaviourPolicy(task, q),
        { episodes: config.episodes, horizon: config.horizon, quality: qualityName(q) },
        root.split(world).split(qn).split('data'),
      );
      const idx = empiricalIndex(data);
      const at = `${qn}@${world}`;
      metrics[metricKey('data', `coverage@${at}`)] = coverage(idx, nonTerminal);
      metrics[metricKey('data', `size@${at}`)] = data.size;
      const ref = bestSupportedPolicy(task, idx);
      metrics[metricKey('reference', `normValue@${at}`)] = normalisedValue(ref.value, scale);
      const learned = learnAll(config, data);
      let maxAbs = 0,
        maxZ = 0,
        maxSe = 0;
      for (const m of METHODS) {
        const J = policyValue(task, learned[m].policy);
        metrics[metricKey(m, `normValue@${at}`)] = normalisedValue(J, scale);
        if (qn !== 'random') continue;
        const mc = monteCarloValue(
          task,
          learned[m].policy,
          { rollouts: config.mcRollouts, horizon: config.mcHorizon },
          root.split(world).split('mc').split(m),
        );
        maxAbs = Math.max(maxAbs, Math.abs(mc.mean - J) / gap);
        maxZ = Math.max(maxZ, Math.abs(mc.mean - J) / mc.se);
        maxSe = Math.max(maxSe, mc.se / gap);
      }
      if (qn === 'random') {
        metrics[metricKey('exact', `mcMaxAbsErr@${world}`)] = maxAbs;
        metrics[metricKey('exact', `mcMaxZ@${world}`)] = maxZ;
        metrics[metricKey('exact', `mcMaxSe@${world}`)] = maxSe;
      }
    }
  }
  return { metrics };
}
