/**
 * The offline testbed's standard protocol: every offline learner of the testbed learns from the same datasets, of
 * stated quality and size, on the same goal-reaching gridworlds, and is scored by the exact value of its policy
 * (reports/compare/offline.html). The paper notebooks stay the tests of their claims.
 *
 * Tasks `<world>:<quality>[:small]` (env/tasks.ts worlds, reward −1 per step and 0 on entering the goal in the
 * top-right corner, μ₀ uniform over the non-goal cells; data/dataset.ts behaviours):
 *   worlds     open-room (7 × 7, deterministic), four-rooms (11 × 11, slip 0.1: the executed action is uniformly
 *              random with that probability)
 *   qualities  optimal (uniform over optimal actions), epsilon (ε = 0.3 noisy optimal), random (uniform actions)
 *   size       `episodes` episodes of at most `horizon` steps; `:small` tasks have `smallEpisodes` episodes
 * Eight tasks: both worlds × three qualities at the full size, and four-rooms random and ε-noisy at the small size
 * (where coverage, not the learner, is the limit).
 * Score (higher is better): the normalised exact value (J(π) − J(uniform)) / (J* − J(uniform)) of the learned policy
 * (solvers/evaluation.ts; 1 = optimal, 0 = the uniformly random policy). Also recorded: the gap to the best
 * data-supported policy's normalised value (what the data allow; ≥ 0 up to a learner's luck on unsupported states).
 * Budget: one dataset per task and seed, the same for every method (split from seed → task); every method trains to
 * its exact tabular minimiser (no optimisation budget to equalise). No method is tuned on the protocol: each runs
 * with its paper's settings (IQL τ = 0.9, β = 10, the paper's AntMaze values; CQL α = 1; AWR β = 1, its default;
 * XQL β = 0.3 and f-DVL λ = 0.8, the dual-rl notebook's pilot choices for ε-noisy four-rooms data).
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { goalTask, type OfflineTask } from '../env/tasks';
import {
  behaviourPolicy,
  collectDataset,
  qualityName,
  type BehaviourQuality,
  type OfflineDataset,
} from '../data/dataset';
import { empiricalIndex, type LearnedPolicy } from '../data/empirical';
import { bestSupportedPolicy, normalisedValue, policyValue, valueScale } from '../solvers/evaluation';

export const PROTOCOL_TASKS = [
  'open-room:optimal',
  'open-room:epsilon',
  'open-room:random',
  'four-rooms:optimal',
  'four-rooms:epsilon',
  'four-rooms:random',
  'four-rooms:epsilon:small',
  'four-rooms:random:small',
] as const;
export type ProtocolTask = (typeof PROTOCOL_TASKS)[number];

export interface ProtocolConfig {
  /** Episodes per dataset, and on the `:small` tasks. */
  episodes: number;
  smallEpisodes: number;
  /** Steps per episode at most (episodes also end at the goal). */
  horizon: number;
  /** ε of the ε-noisy optimal behaviour. */
  epsilon: number;
  /** Discount of every world. */
  gamma: number;
  /** The tasks to run (default: all). */
  tasks: ProtocolTask[];
}

export const PROTOCOL_DEFAULTS: ProtocolConfig = {
  episodes: 100,
  smallEpisodes: 20,
  horizon: 50,
  epsilon: 0.3,
  gamma: 0.95,
  tasks: [...PROTOCOL_TASKS],
};

/** A method entered into the protocol: a named recipe of the testbed's method files. */
export interface ProtocolRecipe {
  /** Name on the leaderboard. */
  name: string;
  /** One line: what it is, as composed from the testbed's parts. */
  summary: string;
  /** The learned policy from one dataset. */
  learn(data: OfflineDataset): LearnedPolicy;
}

/** The world of a task (the same for every seed). */
export function protocolWorld(task: ProtocolTask, gamma: number): OfflineTask {
  if (!PROTOCOL_TASKS.includes(task))
    throw new RangeError(`offline protocol: unknown task "${task}"; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
  return task.startsWith('open-room')
    ? goalTask({ layout: 'open-room', size: 7, gamma, slip: 0 })
    : goalTask({ layout: 'four-rooms', size: 11, gamma, slip: 0.1 });
}

function qualityOf(task: ProtocolTask, epsilon: number): BehaviourQuality {
  const q = task.split(':')[1];
  return q === 'epsilon' ? { kind: 'epsilon', epsilon } : { kind: q as 'optimal' | 'random' };
}

/** The dataset of a task for a seed: the same for every method (its randomness is split from seed → task). */
export function protocolDataset(task: ProtocolTask, config: ProtocolConfig, seed: number): OfflineDataset {
  const mdp = protocolWorld(task, config.gamma);
  const q = qualityOf(task, config.epsilon);
  const episodes = task.endsWith(':small') ? config.smallEpisodes : config.episodes;
  return collectDataset(
    mdp,
    behaviourPolicy(mdp, q),
    { episodes, horizon: config.horizon, quality: qualityName(q) },
    new Rng(seed).split('offline-protocol').split(task).split('data'),
  );
}

/**
 * Run a method on every task of the config for one seed. Record keys `<name>/<metric>@<task>`: score (normalised
 * exact value), gapToSupported (the best data-supported policy's normalised value minus the score).
 */
export function runRecipe(recipe: ProtocolRecipe, config: ProtocolConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  for (const task of config.tasks) {
    const mdp = protocolWorld(task, config.gamma);
    const data = protocolDataset(task, config, seed);
    const scale = valueScale(mdp);
    const score = normalisedValue(policyValue(mdp, recipe.learn(data).policy), scale);
    const supported = normalisedValue(bestSupportedPolicy(mdp, empiricalIndex(data)).value, scale);
    metrics[metricKey(recipe.name, `score@${task}`)] = score;
    metrics[metricKey(recipe.name, `gapToSupported@${task}`)] = supported - score;
  }
  return { metrics };
}
