/**
 * The tabular testbed's standard protocol for reward comparison: how well does a distance between reward functions
 * predict the regret of optimising one in place of the other? Every reward distance of the kit's papers is run on
 * the same MDP suite, reward pairs and seeds (reports/compare/tabular.html). The STARC notebook stays the test of
 * that paper's claims.
 *
 * Tasks (MDP families; a seed draws `mdpsPerTask` MDPs of each family, |S| uniform in [16, 32], |A| = 4):
 *   dense           random transitions (4 successors per (s, a)), γ = 0.9, dense Gaussian R1
 *   sparse          the same with a sparse R1 (10% non-zero)
 *   deterministic   one successor per (s, a), γ = 0.9, dense R1
 *   long-horizon    as dense with γ = 0.99
 * Reward pairs per MDP (R1, R2): non-equivalent R2 (Gaussian perturbations of 0.05, 0.2, 1 and 5 × std(R1);
 * interpolations 0.1 … 1.0 toward an unrelated reward), each disguised by random potential shaping and positive
 * rescaling (which keep the order of policies); and equivalent R2 (shaping, rescaling, S'-redistribution, and
 * their combination), whose regret is 0.
 * Score (higher is better): Spearman correlation, over the task's non-equivalent pairs, of the distance with the
 * symmetric normalised regret ½(regret of π*_{R2} under R1 + regret of π*_{R1} under R2) from exact value
 * iteration. Also recorded: the largest distance over equivalent pairs (0 for a pseudometric that identifies
 * equivalent rewards).
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { spearman } from '../../../stats/correlation';
import { std } from '../../../stats/descriptive';
import { randomEnv, randomReward, type TabularEnv } from '../env/mdp';
import {
  gaussianPerturbation,
  interpolateRewards,
  positiveRescale,
  potentialShaping,
  randomPotential,
  sPrimeRedistribution,
} from '../env/shaping';
import { symmetricRegret } from '../solvers/exact';

export const PROTOCOL_TASKS = ['dense', 'sparse', 'deterministic', 'long-horizon'] as const;
export type ProtocolTask = (typeof PROTOCOL_TASKS)[number];

interface TaskSpec {
  gamma: number;
  branching: number;
  reward: 'dense' | 'sparse';
}

export const TASK_SPECS: Record<ProtocolTask, TaskSpec> = {
  dense: { gamma: 0.9, branching: 4, reward: 'dense' },
  sparse: { gamma: 0.9, branching: 4, reward: 'sparse' },
  deterministic: { gamma: 0.9, branching: 1, reward: 'dense' },
  'long-horizon': { gamma: 0.99, branching: 4, reward: 'dense' },
};

export interface ProtocolConfig {
  /** MDPs of each task family per seed. */
  mdpsPerTask: number;
  minStates: number;
  maxStates: number;
  nA: number;
  /** Relative sizes (× std of R1) of the Gaussian perturbations. */
  perturbationScales: number[];
  /** Interpolation weights t in (1 − t)·R1 + t·R_unrelated. */
  interpolation: number[];
  tasks: ProtocolTask[];
}

export const PROTOCOL_DEFAULTS: ProtocolConfig = {
  mdpsPerTask: 6,
  minStates: 16,
  maxStates: 32,
  nA: 4,
  perturbationScales: [0.05, 0.2, 1, 5],
  interpolation: [0.1, 0.3, 0.5, 0.7, 0.9, 1.0],
  tasks: [...PROTOCOL_TASKS],
};

export interface RewardPair {
  env: TabularEnv;
  R1: Float64Array;
  R2: Float64Array;
  equivalent: boolean;
  /** Symmetric normalised regret (0 for equivalent pairs, computed anyway). */
  regret: number;
}

/** Random potential shaping and positive rescaling: a disguise that keeps the order of policies. */
function disguise(rng: Rng, env: TabularEnv, R: Float64Array, scaleOfR: number): Float64Array {
  const phi = randomPotential(rng.split('phi'), env.nS, scaleOfR * 2);
  const c = Math.exp(rng.range(Math.log(0.2), Math.log(5)));
  return positiveRescale(potentialShaping(env, R, phi), c);
}

/** The reward pairs of one task for one seed (the same for every method). */
export function taskPairs(config: ProtocolConfig, task: ProtocolTask, seed: number): RewardPair[] {
  const spec = TASK_SPECS[task];
  if (!spec)
    throw new RangeError(`tabular protocol: unknown task "${task}"; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
  const root = new Rng(seed).split('tabular-protocol').split(task);
  const out: RewardPair[] = [];
  for (let m = 0; m < config.mdpsPerTask; m++) {
    const rng = root.split(m);
    const nS = config.minStates + rng.split('size').int(config.maxStates - config.minStates + 1);
    const env = randomEnv(rng.split('env'), {
      nS,
      nA: config.nA,
      gamma: spec.gamma,
      branching: Math.min(spec.branching, nS),
    });
    const R1 = randomReward(
      rng.split('R1'),
      env,
      spec.reward === 'dense' ? { kind: 'dense' } : { kind: 'sparse', density: 0.1 },
    );
    const s1 = std(R1, 0) || 1;
    const phi = randomPotential(rng.split('eq-phi'), nS, 2 * s1);
    const c = Math.exp(rng.split('eq-c').range(Math.log(0.1), Math.log(10)));
    const eq = [
      potentialShaping(env, R1, phi),
      positiveRescale(R1, c),
      sPrimeRedistribution(rng.split('eq-redis'), env, R1, s1),
      positiveRescale(potentialShaping(env, sPrimeRedistribution(rng.split('eq-redis2'), env, R1, s1), phi), c),
    ];
    const ne: Float64Array[] = config.perturbationScales.map((sc, i) => {
      const r = rng.split(`pert-${i}`);
      return disguise(r.split('disguise'), env, gaussianPerturbation(r.split('noise'), R1, sc * s1), s1);
    });
    const R3 = randomReward(rng.split('R3'), env, { kind: 'dense' });
    config.interpolation.forEach((t, i) =>
      ne.push(disguise(rng.split(`interp-${i}`), env, interpolateRewards(R1, R3, t), s1)),
    );
    for (const R2 of eq) out.push({ env, R1, R2, equivalent: true, regret: 0 });
    for (const R2 of ne) out.push({ env, R1, R2, equivalent: false, regret: symmetricRegret(env, R1, R2) });
  }
  return out;
}

/** A reward distance entered into the protocol. */
export interface ProtocolRecipe {
  name: string;
  summary: string;
  distance(env: TabularEnv, R1: Float64Array, R2: Float64Array): number;
}

/**
 * Run a distance on every task of the config for one seed. Record keys `<name>/<metric>@<task>`: score (Spearman
 * with regret over non-equivalent pairs), maxEquivalent (largest distance over equivalent pairs).
 */
export function runRecipe(recipe: ProtocolRecipe, config: ProtocolConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  for (const task of config.tasks) {
    const pairs = taskPairs(config, task, seed);
    const ne = pairs.filter((p) => !p.equivalent);
    const d = ne.map((p) => recipe.distance(p.env, p.R1, p.R2));
    metrics[metricKey(recipe.name, `score@${task}`)] = spearman(
      d,
      ne.map((p) => p.regret),
    );
    metrics[metricKey(recipe.name, `maxEquivalent@${task}`)] = Math.max(
      ...pairs.filter((p) => p.equivalent).map((p) => recipe.distance(p.env, p.R1, p.R2)),
    );
  }
  return { metrics };
}
