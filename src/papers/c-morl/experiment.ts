/**
 * The tabular miniature of Liu et al., "Efficient Discovery of Pareto Front for Multi-Objective Reinforcement
 * Learning" (C-MORL, ICLR 2025, arXiv:2410.02236): one seed = every method on both benchmarks.
 *
 * Benchmarks (testbeds/tabular/env/vector-reward.ts), exact fronts by enumeration (solvers/pareto-front.ts):
 * Deep Sea Treasure (2 objectives, globally concave front of 10 points) and a procedural Fruit Tree (depth 6,
 * 6 objectives, 64 leaves; one fixed tree drawn from `fruitTree.treeSeed`).
 * Methods (testbeds/tabular/methods/constrained-pareto-extension.ts), all with the same number of PG updates
 * of `pg.batch` episodes each (the budget) and the same PG settings:
 * - `cmorl-ipo`: C-MORL, stage 1 = `stage1Policies` policies on an even preference grid × `stage1Updates`
 *   scalarised-PG updates, stage 2 = `rounds` × `numSelect` crowding-selected policies × nObj branches ×
 *   `branchUpdates` interior-point (log-barrier) constrained-PG updates;
 * - `cmorl-lag`: the same with a Lagrangian (primal–dual) constrained step;
 * - `ls`: linear-scalarisation sweep, the densest even preference grid (Dirichlet draws fill up) of
 *   ⌊budget / stage1Updates⌋ policies sharing the budget round-robin (about `stage1Updates` updates each);
 * - `ls-init`: C-MORL's stage-1 preferences only, sharing the whole budget round-robin.
 * Every evaluated iterate (greedy policy, exact return) enters the method's archive; its non-dominated set is
 * the method's front.
 *
 * Record keys (`method/metric`, env ∈ {dst, ft}): `<m>/hv@env`, `<m>/hvNorm@env` (hypervolume / the exact
 * front's), `<m>/coverage@env` (fraction of exact-front points found), `<m>/eu@env`, `<m>/euNorm@env`
 * (EU / the exact front's), `<m>/sparsity@env`, `<m>/nFront@env`, `<m>/budget@env` (updates spent);
 * `init/hvNorm@env` (the archive of the `ls` policies before any update); `cmorl-*` also
 * `feasibleFrac@env`, `improvedFrac@env` (branches ending feasible / with a higher target return);
 * `exact/nFront@env`, `exact/hv@env`, `exact/eu@env`. Series: `<m>/coverageCurve@env`, `<m>/hvNormCurve@env`
 * (at `checkpoints` + 1 evenly spaced budget fractions), `<m>/frontTreasure@dst`, `<m>/frontTime@dst`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { deepSeaTreasure, fruitTree, type VectorMdp } from '../../testbeds/tabular/env/vector-reward';
import { exactParetoFront } from '../../testbeds/tabular/solvers/pareto-front';
import {
  expectedUtility,
  frontCoverage,
  hypervolume,
  preferenceGrid,
  sparsity,
} from '../../testbeds/tabular/methods/front-quality';
import {
  frontAtUpdate,
  paretoExtension,
  sweepWeights,
  trainScalarised,
  type FrontRun,
} from '../../testbeds/tabular/methods/constrained-pareto-extension';

/** Budget and schedule of one benchmark. */
export interface BenchConfig {
  /** C-MORL stage-1 policies (an even preference grid). */
  stage1Policies: number;
  /** Scalarised-PG updates per stage-1 policy (and per `ls` policy). */
  stage1Updates: number;
  /** Extension rounds, policies selected per round, updates per branch. */
  rounds: number;
  numSelect: number;
  branchUpdates: number;
  /** Hypervolume reference point. */
  ref: number[];
  /** Preference-grid step of expected utility. */
  euStep: number;
}

export interface Config {
  /** Policy-gradient settings shared by every method. */
  pg: { batch: number; lr: number; criticLr: number; initStd: number };
  /** Constraint relaxation β, log-barrier coefficient t (the C-MORL code's defaults 0.9 and 20), dual step. */
  beta: number;
  t: number;
  dualLr: number;
  /** Deep Sea Treasure: episode horizon and schedule. */
  dst: BenchConfig & { horizon: number };
  /** Fruit Tree: depth, objectives, leaf-radius floor, the tree's generator seed, and schedule. */
  fruitTree: BenchConfig & { depth: number; nObj: number; rMin: number; treeSeed: number };
  /** Budget checkpoints of the coverage curves. */
  checkpoints: number;
}

export const DEFAULTS: Config = {
  pg: { batch: 16, lr: 0.5, criticLr: 0.2, initStd: 0.3 },
  beta: 0.9,
  t: 20,
  dualLr: 2,
  dst: {
    horizon: 50,
    stage1Policies: 6,
    stage1Updates: 300,
    rounds: 3,
    numSelect: 3,
    branchUpdates: 50,
    ref: [0, -50],
    euStep: 0.01,
  },
  fruitTree: {
    depth: 6,
    nObj: 6,
    rMin: 0.5,
    treeSeed: 20241003,
    stage1Policies: 6,
    stage1Updates: 60,
    rounds: 2,
    numSelect: 6,
    branchUpdates: 15,
    ref: [0, 0, 0, 0, 0, 0],
    euStep: 0.25,
  },
  checkpoints: 10,
};

export const METHODS = ['cmorl-ipo', 'cmorl-lag', 'ls', 'ls-init'] as const;
export type Method = (typeof METHODS)[number];
export const ENVS = ['dst', 'ft'] as const;

/** The benchmark MDP of `env` under `config`. */
export function benchmark(config: Config, env: (typeof ENVS)[number]): { mdp: VectorMdp; bench: BenchConfig } {
  if (env === 'dst') return { mdp: deepSeaTreasure(config.dst.horizon).mdp, bench: config.dst };
  const f = config.fruitTree;
  return { mdp: fruitTree(new Rng(f.treeSeed), f.depth, f.nObj, f.rMin).mdp, bench: f };
}

/** Total PG updates of C-MORL on a benchmark (stage 1 + stage 2): every method's budget. */
export function budgetOf(bench: BenchConfig, nObj: number): number {
  return bench.stage1Policies * bench.stage1Updates + bench.rounds * bench.numSelect * nObj * bench.branchUpdates;
}

/** Runs `method` on one benchmark. */
export function runMethod(config: Config, method: Method, mdp: VectorMdp, bench: BenchConfig, rng: Rng): FrontRun {
  const budget = budgetOf(bench, mdp.nObj);
  const base = { ...config.pg };
  const stage1 = sweepWeights(mdp.nObj, bench.stage1Policies, rng.split('weights-init'));
  if (method === 'cmorl-ipo' || method === 'cmorl-lag')
    return paretoExtension(mdp, rng, {
      ...base,
      weights: stage1,
      updates: bench.stage1Updates,
      rounds: bench.rounds,
      numSelect: bench.numSelect,
      branchUpdates: bench.branchUpdates,
      beta: config.beta,
      solver: method === 'cmorl-ipo' ? 'ipo' : 'lagrangian',
      t: config.t,
      dualLr: config.dualLr,
    });
  if (method === 'ls') {
    const K = Math.floor(budget / bench.stage1Updates);
    return trainScalarised(mdp, rng, {
      ...base,
      weights: sweepWeights(mdp.nObj, K, rng.split('weights-ls')),
      updates: Math.floor(budget / K),
      total: budget,
    });
  }
  return trainScalarised(mdp, rng, {
    ...base,
    weights: stage1,
    updates: Math.floor(budget / stage1.length),
    total: budget,
  });
}

export function runSeed(config: Config, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const root = new Rng(seed).split('c-morl');
  for (const env of ENVS) {
    const { mdp, bench } = benchmark(config, env);
    const exact = exactParetoFront(mdp);
    const weights = preferenceGrid(mdp.nObj, bench.euStep);
    const hvExact = hypervolume(exact, bench.ref);
    const euExact = expectedUtility(exact, weights);
    metrics[`exact/nFront@${env}`] = exact.length;
    metrics[`exact/hv@${env}`] = hvExact;
    metrics[`exact/eu@${env}`] = euExact;
    const budget = budgetOf(bench, mdp.nObj);
    for (const m of METHODS) {
      const run = runMethod(config, m, mdp, bench, root.split(env).split(m));
      const front = frontAtUpdate(run.archive.history, Infinity);
      const hv = hypervolume(front, bench.ref);
      const eu = expectedUtility(front, weights);
      metrics[`${m}/hv@${env}`] = hv;
      metrics[`${m}/hvNorm@${env}`] = hv / hvExact;
      metrics[`${m}/coverage@${env}`] = frontCoverage(front, exact);
      metrics[`${m}/eu@${env}`] = eu;
      metrics[`${m}/euNorm@${env}`] = eu / euExact;
      metrics[`${m}/sparsity@${env}`] = sparsity(front);
      metrics[`${m}/nFront@${env}`] = front.length;
      metrics[`${m}/budget@${env}`] = run.updates;
      if (run.extension) {
        metrics[`${m}/feasibleFrac@${env}`] = run.extension.feasibleFinal / run.extension.branches;
        metrics[`${m}/improvedFrac@${env}`] = run.extension.improvedTarget / run.extension.branches;
      }
      if (m === 'ls')
        metrics[`init/hvNorm@${env}`] = hypervolume(frontAtUpdate(run.archive.history, 0), bench.ref) / hvExact;
      const cov: number[] = [],
        hvc: number[] = [];
      for (let c = 0; c <= config.checkpoints; c++) {
        const f = frontAtUpdate(run.archive.history, Math.round((c / config.checkpoints) * budget));
        cov.push(frontCoverage(f, exact));
        hvc.push(hypervolume(f, bench.ref) / hvExact);
      }
      series[`${m}/coverageCurve@${env}`] = cov;
      series[`${m}/hvNormCurve@${env}`] = hvc;
      if (env === 'dst') {
        series[`${m}/frontTreasure@dst`] = front.map((p) => p[0]);
        series[`${m}/frontTime@dst`] = front.map((p) => p[1]);
      }
    }
  }
  return { metrics, series };
}
