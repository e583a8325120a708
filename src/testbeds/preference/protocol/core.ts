/**
 * The preference testbed's standard protocol: one fixed family of preference games, one label budget, one
 * target, one score, so that every preference-optimisation method of the kit's papers is compared on the
 * same footing (reports/compare/preference.html). Each paper's own notebook stays the test of its claims.
 *
 * Tasks (game families; a seed draws one game of each family, `nX` prompts × `nY` responses, and a
 * reference policy π_ref = softmax(N(0, refScale²)) logits):
 *   transitive   logit P(y ≻ y'|x) = q(x,y) − q(x,y'), q ~ N(0, 1)   (a Bradley–Terry preference)
 *   mixed        the same plus rock–paper–scissors triples of strength 1 (mildly intransitive)
 *   cyclic       q ~ N(0, 0.5²) and triples of strength 2.5 (strongly intransitive)
 *   length-bias  `mixed` plus a length feature ℓ ~ U(0, 1) that the oracle rewards with weight 1
 * Target: the τ-regularised Nash equilibrium π*_τ of the game against π_ref (the solution concept of
 * Nash-MD, OMD, INPO; for a transitive game it is the KL-regularised Nash of the Bradley–Terry preference).
 * Score (higher is better, 1 = solved, 0 = no better than π_ref): 1 − DG_τ(π) / DG_τ(π_ref), DG_τ the
 * duality gap of the τ-regularised game. Also recorded: win rate against π_ref, unregularised
 * exploitability, KL(π‖π_ref).
 * Budget: a method that queries the preference oracle gets `iterations × pairsPerIteration` Bernoulli
 * labels per prompt in all (online methods: `pairsPerIteration` per iteration on pairs of their choice;
 * offline methods: all of them at once, on pairs from π_ref). Methods marked `exact` use the population
 * preference P(y ≻ π) itself (infinitely many labels) and are reference points, not ranked with the rest.
 * Tuning: every method runs with the hyperparameters of the paper notebook it comes from, rescaled only to
 * the protocol's τ; no method is tuned on the protocol.
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { randomGame, type CyclicKind, type PreferenceGame, type PreferencePairs } from '../data/game';
import { clonePolicy, kl, randomSoftmaxPolicy, sampleResponse, type TabularPolicy } from '../policies/tabular-policy';
import { dualityGap, exploitability, regularisedNash, winRate, type Regularisation } from '../solvers/nash';

export const PROTOCOL_TASKS = ['transitive', 'mixed', 'cyclic', 'length-bias'] as const;
export type ProtocolTask = (typeof PROTOCOL_TASKS)[number];

interface TaskSpec {
  btScale: number;
  cyclicScale: number;
  cyclic: CyclicKind;
  lengthBias: number;
}

/** The game family of each task. */
export const TASK_SPECS: Record<ProtocolTask, TaskSpec> = {
  transitive: { btScale: 1, cyclicScale: 0, cyclic: 'rps-blocks', lengthBias: 0 },
  mixed: { btScale: 1, cyclicScale: 1, cyclic: 'rps-blocks', lengthBias: 0 },
  cyclic: { btScale: 0.5, cyclicScale: 2.5, cyclic: 'rps-blocks', lengthBias: 0 },
  'length-bias': { btScale: 1, cyclicScale: 1, cyclic: 'rps-blocks', lengthBias: 1 },
};

export interface ProtocolConfig {
  /** Prompts per game. */
  nX: number;
  /** Responses per prompt. */
  nY: number;
  /** Standard deviation of π_ref's logits. */
  refScale: number;
  /** KL strength τ of the target π*_τ (every method's regularisation is set to it). */
  tau: number;
  /** Rounds of an online method (offline methods get all labels at once). */
  iterations: number;
  /** Oracle labels per prompt per round (28 = every pair of 8 candidates, DNO's annotation scheme). */
  pairsPerIteration: number;
  /** The tasks to run (default: all). */
  tasks: ProtocolTask[];
}

export const PROTOCOL_DEFAULTS: ProtocolConfig = {
  nX: 20,
  nY: 6,
  refScale: 1,
  tau: 0.1,
  iterations: 10,
  pairsPerIteration: 28,
  tasks: [...PROTOCOL_TASKS],
};

/** One task instance: the game, the reference, the target and what a method may use. */
export interface ProtocolWorld {
  task: ProtocolTask;
  game: PreferenceGame;
  ref: TabularPolicy;
  /** The τ-regularised Nash equilibrium against π_ref (evaluation only: never handed to a method's update). */
  target: TabularPolicy;
  reg: Regularisation;
  config: ProtocolConfig;
}

/** The game of a task for a seed (the same for every method: its randomness is split from the task). */
export function protocolWorld(config: ProtocolConfig, task: ProtocolTask, seed: number): ProtocolWorld {
  const spec = TASK_SPECS[task];
  if (!spec)
    throw new RangeError(`preference protocol: unknown task "${task}"; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
  const root = new Rng(seed).split('preference-protocol').split(task);
  const game = randomGame(root.split('game'), { nX: config.nX, nY: config.nY, ...spec });
  const ref = randomSoftmaxPolicy(root.split('ref'), config.nX, config.nY, config.refScale);
  const reg = { mu: ref, beta: config.tau };
  const target = regularisedNash(game, ref, config.tau, { tol: 1e-12 }).policy;
  return { task, game, ref, target, reg, config };
}

export interface Evaluation {
  score: number;
  dualityGap: number;
  winRef: number;
  exploit: number;
  klRef: number;
}

/** The protocol's metrics of a policy (exact: no sampling). */
export function evaluate(w: ProtocolWorld, pi: TabularPolicy): Evaluation {
  const dg = dualityGap(w.game, pi, w.reg);
  const dg0 = dualityGap(w.game, w.ref, w.reg);
  return {
    score: 1 - dg / dg0,
    dualityGap: dg,
    winRef: winRate(w.game, pi, w.ref),
    exploit: exploitability(w.game, pi),
    klRef: kl(pi, w.ref),
  };
}

/** How a method uses the oracle: sampled labels within the budget, or the exact population preference. */
export type BudgetKind = 'labels' | 'exact';

/** A method entered into the protocol: a named recipe of the testbed's method files. */
export interface ProtocolRecipe {
  /** Name on the leaderboard. */
  name: string;
  /** One line: what it is, as composed from the testbed's parts. */
  summary: string;
  budget: BudgetKind;
  /**
   * Train from π_ref on one task instance; `labels(pi, n, rng)`-style oracle access goes through `oracle`,
   * which counts every label. Returns the final policy.
   */
  train(w: ProtocolWorld, oracle: Oracle, rng: Rng): TabularPolicy;
}

/** The preference oracle of a task instance: Bernoulli labels, counted against the budget. */
export interface Oracle {
  /** Labels per prompt the method may still query. */
  remaining(): number;
  /** Draw one label: does y beat z for prompt x? (throws past the budget) */
  label(x: number, y: number, z: number, rng: Rng): boolean;
  /** Labels per prompt used so far (mean over prompts). */
  used(): number;
}

export function makeOracle(w: ProtocolWorld): Oracle {
  const { nX, nY, P } = w.game;
  const budget = w.config.iterations * w.config.pairsPerIteration;
  const used = new Int32Array(nX);
  return {
    remaining: () => budget - Math.max(...used),
    used: () => used.reduce((a, b) => a + b, 0) / nX,
    label(x, y, z, rng) {
      if (used[x] >= budget)
        throw new Error(
          `preference protocol: the method asked for more than ${budget} labels for prompt ${x} ` +
            `(iterations × pairsPerIteration); recipes must stay within the label budget.`,
        );
      used[x]++;
      return rng.uniform() < P[(x * nY + y) * nY + z];
    },
  };
}

/**
 * Run a recipe on every task of the config for one seed. Record keys: `<name>/<metric>@<task>` with
 * metric ∈ score, dualityGap, winRef, exploit, klRef, labels (oracle labels per prompt used).
 */
export function runRecipe(recipe: ProtocolRecipe, config: ProtocolConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  for (const task of config.tasks) {
    const w = protocolWorld(config, task, seed);
    const oracle = makeOracle(w);
    const pi = recipe.train(w, oracle, new Rng(seed).split('preference-protocol').split(task).split(recipe.name));
    const e = evaluate(w, pi);
    for (const [k, v] of Object.entries(e)) metrics[metricKey(recipe.name, `${k}@${task}`)] = v;
    metrics[metricKey(recipe.name, `labels@${task}`)] = recipe.budget === 'exact' ? 0 : oracle.used();
  }
  return { metrics };
}

/** `n` pairs per prompt, y ~ a and y' ~ b (default b = a) independently, each labelled once by the oracle. */
export function oraclePairs(
  oracle: Oracle,
  a: TabularPolicy,
  n: number,
  rng: Rng,
  b: TabularPolicy = a,
): PreferencePairs {
  const nX = a.nX;
  const out: PreferencePairs = {
    n: nX * n,
    x: new Int32Array(nX * n),
    yw: new Int32Array(nX * n),
    yl: new Int32Array(nX * n),
  };
  let k = 0;
  for (let x = 0; x < nX; x++)
    for (let i = 0; i < n; i++, k++) {
      const y = sampleResponse(a, x, rng),
        z = sampleResponse(b, x, rng);
      const yWins = oracle.label(x, y, z, rng);
      out.x[k] = x;
      out.yw[k] = yWins ? y : z;
      out.yl[k] = yWins ? z : y;
    }
  return out;
}

/** Every round of an online recipe: `iterations` updates, each on `pairsPerIteration` fresh on-policy labels. */
export function onlineRounds(
  w: ProtocolWorld,
  oracle: Oracle,
  rng: Rng,
  update: (pi: TabularPolicy, pairs: PreferencePairs, t: number, r: Rng) => TabularPolicy,
): TabularPolicy {
  let pi = clonePolicy(w.ref);
  for (let t = 0; t < w.config.iterations; t++) {
    const r = rng.split(t);
    pi = update(pi, oraclePairs(oracle, pi, w.config.pairsPerIteration, r.split('pairs')), t, r);
  }
  return pi;
}

/** The offline data of the budget: every label at once, on pairs drawn from π_ref. */
export function offlineData(w: ProtocolWorld, oracle: Oracle, rng: Rng): PreferencePairs {
  return oraclePairs(oracle, w.ref, w.config.iterations * w.config.pairsPerIteration, rng.split('offline-data'));
}
