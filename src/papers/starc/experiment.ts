/**
 * The STARC miniature (Skalse et al., ICLR 2024), one seed = one batch of random MDPs.
 *
 * For every MDP (|S| ∈ [minStates, maxStates], |A| = nA, γ): draw R1 (dense or sparse), then build
 * reward pairs (R1, R2) of known kinds:
 *   equivalent to R1 (STARC must be 0):  potential shaping, positive rescaling, shaping + rescaling,
 *                                        S'-redistribution, all three combined;
 *   not equivalent:                     Gaussian perturbations of several sizes and interpolation
 *                                        toward an unrelated reward, each then disguised by random
 *                                        potential shaping and positive rescaling (which leave the
 *                                        ordering of policies unchanged but fool non-canonicalised metrics).
 * For each pair: STARC (VAL canonicalisation, L2 normalisation, L2 metric, the paper's main instance),
 * EPIC, DARD, plain L2 of normalised rewards; ground truth: normalised regret from value iteration
 * (symmetric average, as in the paper's analysis; and one-directional), and the explicit regret bound.
 * Task entry point: `runSeed(config, seed)` (runs in a worker thread).
 *
 * Record keys (`method/metric`, methods = the distances of METRICS): `<d>/spearman` (Spearman
 * correlation of the distance with regret over the non-equivalent pairs), `<d>/maxZeroPair` (largest
 * distance over equivalent pairs), `starc/minNonEquivalent`, `starc/boundViolations`, `all/pairs`;
 * series per pair: `<d>/distance`, `starc/regretBound`, and `all/{mdp,level,equivalent,kindIndex,
 * regret,regretOneWay}`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { spearman } from '../../stats/correlation';
import { std } from '../../stats/descriptive';
import { randomEnv, randomReward, type TabularEnv } from '../../testbeds/tabular/env/mdp';
import { regretOfOptimal } from '../../testbeds/tabular/solvers/exact';
import {
  gaussianPerturbation,
  interpolateRewards,
  positiveRescale,
  potentialShaping,
  randomPotential,
  sPrimeRedistribution,
} from '../../testbeds/tabular/env/shaping';
import {
  dardDistance,
  epicDistance,
  l2Distance,
  regretBoundCheck,
  starcDistance,
} from '../../testbeds/tabular/methods/reward-metrics';

export interface Config {
  /** Random MDPs per seed (even-numbered ones get a dense R1, odd-numbered ones a sparse R1). */
  mdpsPerSeed: number;
  /** Smallest number of states |S| of a random MDP (|S| is uniform in [minStates, maxStates]). */
  minStates: number;
  /** Largest number of states of a random MDP. */
  maxStates: number;
  /** Actions per state. */
  nA: number;
  /** Discount γ. */
  gamma: number;
  /** Successor states per (s, a) of the random transitions (capped at |S|). */
  branching: number;
  /** Relative sizes (× std of R1) of the Gaussian perturbations. */
  perturbationScales: number[];
  /** Interpolation weights t in (1−t)·R1 + t·R_unrelated. */
  interpolation: number[];
}

/** The full-profile configuration of the notebook (its smoke profile varies only the seeds and mdpsPerSeed). */
export const DEFAULTS: Config = {
  mdpsPerSeed: 20,
  minStates: 16,
  maxStates: 32,
  nA: 4,
  gamma: 0.9,
  branching: 4,
  perturbationScales: [0.05, 0.2, 1, 5],
  interpolation: [0.1, 0.3, 0.5, 0.7, 0.9, 1.0],
};

export const EQUIVALENT_KINDS = [
  'shaped',
  'rescaled',
  'shaped+rescaled',
  'redistributed',
  'shaped+rescaled+redistributed',
] as const;
export const METRICS = ['starc', 'epic', 'dard', 'l2'] as const;
export type MetricName = (typeof METRICS)[number];

/** Random potential shaping and positive rescaling: a disguise that preserves the policy order. */
function disguise(rng: Rng, env: TabularEnv, R: Float64Array, scaleOfR: number): Float64Array {
  const phi = randomPotential(rng.split('phi'), env.nS, scaleOfR * 2);
  const c = Math.exp(rng.range(Math.log(0.2), Math.log(5)));
  return positiveRescale(potentialShaping(env, R, phi), c);
}

export interface PairRow {
  mdp: number;
  kind: string;
  level: number;
  equivalent: boolean;
  d: Record<MetricName, number>;
  regret: number;
  regretOneWay: number;
  bound: number;
}

export function starcPairs(config: Config, seed: number): PairRow[] {
  const root = new Rng(seed).split('starc');
  const rows: PairRow[] = [];
  for (let m = 0; m < config.mdpsPerSeed; m++) {
    const rng = root.split(m);
    const nS = config.minStates + rng.split('size').int(config.maxStates - config.minStates + 1);
    const env = randomEnv(rng.split('env'), {
      nS,
      nA: config.nA,
      gamma: config.gamma,
      branching: Math.min(config.branching, nS),
    });
    const kind = m % 2 === 0 ? 'dense' : 'sparse';
    const R1 = randomReward(
      rng.split('R1'),
      env,
      kind === 'dense' ? { kind: 'dense' } : { kind: 'sparse', density: 0.1 },
    );
    const s1 = std(R1, 0) || 1; // population standard deviation
    const pairs: { kind: string; level: number; equivalent: boolean; R2: Float64Array }[] = [];
    const phi = randomPotential(rng.split('eq-phi'), nS, 2 * s1);
    const c = Math.exp(rng.split('eq-c').range(Math.log(0.1), Math.log(10)));
    pairs.push({ kind: 'shaped', level: 0, equivalent: true, R2: potentialShaping(env, R1, phi) });
    pairs.push({ kind: 'rescaled', level: 0, equivalent: true, R2: positiveRescale(R1, c) });
    pairs.push({
      kind: 'shaped+rescaled',
      level: 0,
      equivalent: true,
      R2: positiveRescale(potentialShaping(env, R1, phi), c),
    });
    pairs.push({
      kind: 'redistributed',
      level: 0,
      equivalent: true,
      R2: sPrimeRedistribution(rng.split('eq-redis'), env, R1, s1),
    });
    pairs.push({
      kind: 'shaped+rescaled+redistributed',
      level: 0,
      equivalent: true,
      R2: positiveRescale(potentialShaping(env, sPrimeRedistribution(rng.split('eq-redis2'), env, R1, s1), phi), c),
    });
    config.perturbationScales.forEach((sc, i) => {
      const r = rng.split(`pert-${i}`);
      pairs.push({
        kind: 'perturbed',
        level: sc,
        equivalent: false,
        R2: disguise(r.split('disguise'), env, gaussianPerturbation(r.split('noise'), R1, sc * s1), s1),
      });
    });
    const R3 = randomReward(rng.split('R3'), env, { kind: 'dense' });
    config.interpolation.forEach((t, i) => {
      const r = rng.split(`interp-${i}`);
      pairs.push({
        kind: 'interpolated',
        level: t,
        equivalent: false,
        R2: disguise(r, env, interpolateRewards(R1, R3, t), s1),
      });
    });
    for (const p of pairs) {
      const b = regretBoundCheck(env, R1, p.R2, { canonicalisation: 'val' });
      const back = regretOfOptimal(env, p.R2, R1);
      rows.push({
        mdp: m,
        kind: p.kind,
        level: p.level,
        equivalent: p.equivalent,
        d: {
          starc: starcDistance(env, R1, p.R2),
          epic: epicDistance(env, R1, p.R2),
          dard: dardDistance(env, R1, p.R2),
          l2: l2Distance(R1, p.R2),
        },
        regret: 0.5 * (b.normalisedRegret + back),
        regretOneWay: b.normalisedRegret,
        bound: b.bound,
      });
    }
  }
  return rows;
}

export const KIND_NAMES = ['perturbed', 'interpolated', ...EQUIVALENT_KINDS];

/** Worker-thread task: one seed → metrics (per-seed Spearman correlations) and per-pair series. */
export function runSeed(config: Config, seed: number): RunResult {
  const rows = starcPairs(config, seed);
  const ne = rows.filter((r) => !r.equivalent);
  const eq = rows.filter((r) => r.equivalent);
  const metrics: Record<string, number> = {};
  for (const k of METRICS) {
    metrics[metricKey(k, 'spearman')] = spearman(
      ne.map((r) => r.d[k]),
      ne.map((r) => r.regret),
    );
    metrics[metricKey(k, 'maxZeroPair')] = Math.max(...eq.map((r) => r.d[k]));
  }
  metrics[metricKey('starc', 'minNonEquivalent')] = Math.min(...ne.map((r) => r.d.starc));
  metrics[metricKey('starc', 'boundViolations')] = rows.filter((r) => r.regretOneWay > r.bound + 1e-9).length;
  metrics[metricKey('all', 'pairs')] = rows.length;
  const series: Record<string, number[]> = {
    [metricKey('all', 'mdp')]: rows.map((r) => r.mdp),
    [metricKey('all', 'level')]: rows.map((r) => r.level),
    [metricKey('all', 'equivalent')]: rows.map((r) => (r.equivalent ? 1 : 0)),
    [metricKey('all', 'kindIndex')]: rows.map((r) => KIND_NAMES.indexOf(r.kind)),
    [metricKey('all', 'regret')]: rows.map((r) => r.regret),
    [metricKey('all', 'regretOneWay')]: rows.map((r) => r.regretOneWay),
    [metricKey('starc', 'regretBound')]: rows.map((r) => r.bound),
  };
  for (const k of METRICS) series[metricKey(k, 'distance')] = rows.map((r) => r.d[k]);
  return { metrics, series };
}
