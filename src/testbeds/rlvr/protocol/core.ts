/**
 * The RLVR testbed's standard protocol: every outcome-reward policy-gradient method of the testbed's papers trains
 * the same shared-parameter log-linear answer policy (policies/log-linear.ts) on the same stream of fresh problems
 * from a strategy world (env/strategy-world.ts: problems share solution strategies, so an update on some problems
 * moves the likelihood of others), with the same budget and seeds, and is scored exactly on held-out problems from
 * the same distribution (reports/compare/rlvr.html). The paper notebooks stay the tests of their claims; this is the
 * cheapest policy class of the testbed, so the protocol runs in seconds per method where a GRU or transformer cell
 * costs 15–22 minutes on this CPU.
 *
 * Tasks (strategy worlds; the policy starts at θ = 0, i.e. at the world's base logits):
 *   boundary  the reasoning-boundary notebook's world: six strategies of decreasing popularity, four problem types,
 *             16 problem-specific random features
 *   sparse    the same strategies with poor execution (executionMean −1.5): a low base pass@1, so most groups are
 *             all-wrong and carry no signal for group-normalised methods
 *   aliased   problem-specific features dominate (64 random features at scale 6): updates on the training problems
 *             move unrelated held-out problems (interference), so held-out gains test generalisation
 * Budget: `updates` updates, each on `batchProblems` fresh problems × `groupSize` sampled answers (the same
 * updates · B · G reward queries for every method), plain SGD θ ← θ + η·d on the surrogate's gradient
 * d = (1/(B·G)) Σ_i A_i ∇log π(o_i | q_i) (loops/log-linear-grpo.ts `batchDirection`), η = `lr` for every method
 * (the reasoning-boundary notebook's value; none is tuned on the protocol). Problems and sampled answers use the
 * same random stream for every method (common random numbers): methods differ only in how they weight the samples.
 * Score (higher is better): the normalised held-out pass@1 gain (P₁(θ_T) − P₁(0))/(1 − P₁(0)), P₁ the exact mean
 * success probability Σ_{a correct} π(a | q) over `heldOut` problems: 1 = every held-out problem solved, 0 = no
 * better than the base policy, < 0 = worse. Also recorded: the pass@16 change (P₁₆ = mean 1 − (1 − p_q)^16, exact;
 * a method that only sharpens the base distribution can lose pass@k while gaining pass@1), the area under the
 * normalised held-out pass@1 curve over `evals` evaluations (sample efficiency), the fraction of evaluation
 * intervals over which held-out pass@1 fell (stability), and the fraction of sampled groups whose advantages were
 * all zero (samples that moved nothing).
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import {
  REASONING_BOUNDARY_WORLD,
  strategyDim,
  strategyProblems,
  type StrategyWorldConfig,
} from '../env/strategy-world';
import { batchDirection, type LogLinearBatch } from '../loops/log-linear-grpo';
import { meanPassAtKExact } from '../passk';
import { greedyAnswer, policyProbs, successFromProbs, type ProblemSet } from '../policies/log-linear';

export const PROTOCOL_TASKS = ['boundary', 'sparse', 'aliased'] as const;
export type ProtocolTask = (typeof PROTOCOL_TASKS)[number];

/** The strategy world of a task. */
export function protocolWorld(task: ProtocolTask): StrategyWorldConfig {
  if (task === 'boundary') return REASONING_BOUNDARY_WORLD;
  if (task === 'sparse') return { ...REASONING_BOUNDARY_WORLD, executionMean: -1.5 };
  if (task === 'aliased') return { ...REASONING_BOUNDARY_WORLD, nRandomFeatures: 64, randomFeatureScale: 6 };
  throw new RangeError(`rlvr protocol: unknown task "${task}"; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
}

export interface ProtocolConfig {
  /** Updates; fresh problems per update (B); sampled answers per problem (G); SGD step size η. */
  updates: number;
  batchProblems: number;
  groupSize: number;
  lr: number;
  /** Held-out problems per seed and task (drawn once, never trained on); evaluations along training. */
  heldOut: number;
  evals: number;
  /** k of the recorded pass@k change. */
  passK: number;
  tasks: ProtocolTask[];
}

export const PROTOCOL_DEFAULTS: ProtocolConfig = {
  updates: 300,
  batchProblems: 32,
  groupSize: 8,
  lr: 1,
  heldOut: 1000,
  evals: 10,
  passK: 16,
  tasks: [...PROTOCOL_TASKS],
};

/** What a recipe sees for one update: the fresh problems, the policy on them, the sampled answers and rewards. */
export interface GroupSamples {
  set: ProblemSet;
  /** π(a | q) of every problem of `set` at the current θ. */
  probs: Float64Array;
  /** Problems trained on (after the recipe's curation), with G answers each, group-major. */
  problems: Int32Array;
  G: number;
  actions: Int32Array;
  rewards: Float64Array;
}

/** A method entered into the protocol: a named recipe of the testbed's advantage (and curation) parts. */
export interface ProtocolRecipe {
  name: string;
  summary: string;
  /** Curation before sampling: drop the problems whose greedy answer is already correct (reasoning-boundary SELF). */
  dropGreedyCorrect?: boolean;
  /** The advantages of the sampled groups (length problems·G, group-major). */
  advantages(s: GroupSamples): Float64Array;
}

/** Validates a config; names the field and the range. */
export function checkProtocolConfig(c: ProtocolConfig): void {
  const where = 'rlvr protocol';
  const int = (v: number, lo: number, name: string) => {
    if (!Number.isInteger(v) || v < lo) throw new RangeError(`${where}: ${name} must be an integer ≥ ${lo}, got ${v}`);
  };
  int(c.updates, 1, 'updates');
  int(c.batchProblems, 1, 'batchProblems');
  int(c.groupSize, 2, 'groupSize');
  int(c.heldOut, 1, 'heldOut');
  int(c.evals, 1, 'evals');
  int(c.passK, 1, 'passK');
  if (!(c.lr > 0 && Number.isFinite(c.lr))) throw new RangeError(`${where}: lr must be positive and finite`);
  if (c.evals > c.updates) throw new RangeError(`${where}: evals (${c.evals}) must not exceed updates (${c.updates})`);
  for (const t of c.tasks) protocolWorld(t);
}

/** Held-out pass@1 and pass@k of θ, exact. */
function heldOutPass(held: ProblemSet, theta: Float64Array, k: number): { p1: number; pk: number } {
  const p = successFromProbs(held, policyProbs(held, theta));
  return { p1: meanPassAtKExact(p, 1), pk: meanPassAtKExact(p, k) };
}

/**
 * Run a method on every task of the config for one seed. Record keys `<name>/<metric>@<task>`: score (normalised
 * held-out pass@1 gain), passKGain (change of held-out pass@k), auc (mean normalised gain over the evaluations),
 * drops (fraction of evaluation intervals with a fall of held-out pass@1), zeroGroups (fraction of trained groups
 * with all-zero advantages), kept (fraction of problems trained on after curation); `base/pass1@<task>` and
 * `base/passK@<task>` for θ = 0.
 */
export function runRecipe(recipe: ProtocolRecipe, config: ProtocolConfig, seed: number): RunResult {
  checkProtocolConfig(config);
  const root = new Rng(seed).split('rlvr-protocol');
  const metrics: Record<string, number> = {};
  const { updates: U, batchProblems: B, groupSize: G } = config;
  for (const task of config.tasks) {
    const world = protocolWorld(task);
    const rng = root.split(task);
    const held = strategyProblems(rng.split('held-out'), world, config.heldOut);
    const theta = new Float64Array(strategyDim(world));
    const base = heldOutPass(held, theta, config.passK);
    const gain = (p1: number) => (p1 - base.p1) / (1 - base.p1);
    const evalAt = new Set(Array.from({ length: config.evals }, (_, i) => Math.round(((i + 1) * U) / config.evals)));
    const curve: number[] = [];
    let zeroGroups = 0,
      groups = 0,
      kept = 0;
    const dir = new Float64Array(theta.length);
    for (let u = 1; u <= U; u++) {
      const set = strategyProblems(rng.split('problems').split(u), world, B);
      const probs = policyProbs(set, theta);
      const keep: number[] = [];
      for (let q = 0; q < B; q++)
        if (!recipe.dropGreedyCorrect || !set.correct[q * set.nCandidates + greedyAnswer(set, probs, q)]) keep.push(q);
      // every method draws the answers of every problem from the same stream, curated or not
      const draw = rng.split('samples').split(u);
      const problems = Int32Array.from(keep);
      const actions = new Int32Array(problems.length * G);
      const rewards = new Float64Array(problems.length * G);
      const K = set.nCandidates;
      for (let b = 0, q = 0; q < B; q++) {
        const rq = draw.split(q);
        if (problems[b] !== q) continue;
        const row = probs.subarray(q * K, q * K + K);
        for (let i = 0; i < G; i++) {
          const a = rq.categorical(row);
          actions[b * G + i] = a;
          rewards[b * G + i] = set.correct[q * K + a];
        }
        b++;
      }
      const advantages = recipe.advantages({ set, probs, problems, G, actions, rewards });
      for (let b = 0; b < problems.length; b++) {
        let nz = false;
        for (let i = 0; i < G; i++) if (advantages[b * G + i] !== 0) nz = true;
        if (!nz) zeroGroups++;
      }
      groups += problems.length;
      kept += problems.length / B;
      const batch: LogLinearBatch = {
        problems,
        G,
        actions,
        rewards,
        advantages,
        normaliser: B * G,
        dropped: B - problems.length,
      };
      batchDirection(set, probs, batch, dir);
      for (let j = 0; j < theta.length; j++) theta[j] += config.lr * dir[j];
      if (evalAt.has(u)) curve.push(gain(heldOutPass(held, theta, 1).p1));
    }
    const final = heldOutPass(held, theta, config.passK);
    let drops = 0;
    for (let i = 0; i < curve.length; i++) if (curve[i] < (i === 0 ? 0 : curve[i - 1])) drops++;
    metrics[metricKey(recipe.name, `score@${task}`)] = gain(final.p1);
    metrics[metricKey(recipe.name, `passKGain@${task}`)] = final.pk - base.pk;
    metrics[metricKey(recipe.name, `auc@${task}`)] = curve.reduce((a, b) => a + b, 0) / curve.length;
    metrics[metricKey(recipe.name, `drops@${task}`)] = drops / curve.length;
    metrics[metricKey(recipe.name, `zeroGroups@${task}`)] = groups ? zeroGroups / groups : 0;
    metrics[metricKey(recipe.name, `kept@${task}`)] = kept / U;
    metrics[metricKey('base', `pass1@${task}`)] = base.p1;
    metrics[metricKey('base', `passK@${task}`)] = base.pk;
  }
  return { metrics };
}
