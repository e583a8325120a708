/**
 * Dual RL (Sikchi, Zheng, Zhang & Niekum, ICLR 2024, arXiv:2302.08560) on the offline testbed
 * (notebooks/dual-rl.ipynb). Task entry point: `runSeed(config, seed)` (async: HiGHS loads asynchronously).
 *
 * World: the four-rooms gridworld (env/tasks.ts; size² cells, slip `slip`, γ, −1 per step and 0 on entering the goal
 * in the top-right corner, μ₀ uniform over the non-goal cells); the same for every seed. Each seed draws the data.
 *
 * Part 1 — offline imitation (§5). Expert demonstrations D^E: `expertEpisodes` episodes of the optimal policy.
 * Suboptimal data D^S: `randomEpisodes` episodes of the uniformly random policy plus m expert episodes mixed in
 * (m ∈ `mixedExpert`, the coverage level: how much of the expert's visitation the suboptimal data holds). Episodes
 * that reach the goal are padded with absorbing transitions to their horizon (data/imitation.ts). Learners, all on
 * the same data: BC on D^E; BC on D^E ∪ D^S; SMODICE-χ² (methods/smodice.ts, offline data D^O = D^E ∪ D^S, expert
 * states D^E); ReCOIL-χ² (methods/recoil.ts, mixing β). Each is solved exactly; every policy is scored exactly.
 * Keys (`@m=<m>`): `<learner>/normValue@m=…` for bcExpert, bcAll, smodice, recoil; `data/pairCoverage@m=…` (share
 * of D^E's state-action pairs that D^S holds), `data/expertMass@m=…` (d^S's mass on D^E's pairs);
 * `recoil|smodice/flowResidual@m=…`; at the lowest coverage `recoil|smodice/qpGap` (|dual − HiGHS primal| over the
 * primal's scale).
 *
 * Part 2 — offline RL (§6). Data: `rlEpisodes` episodes of horizon `rlHorizon` of an ε-noisy optimal behaviour
 * (ε = rlEpsilon, 'medium') and of the random behaviour ('random'). Critics trained by the SGD loop
 * (loops/implicit-value-sgd.ts, tabular, float32, Adam) with value losses XQL-Gumbel as written (`xql`), XQL with
 * the official stabilisers (`xqlStab`) and f-DVL χ² (`fdvl`), each over its temperature grid × the shared learning
 * rates. Keys (`@<quality>@t=<temperature>@lr=<lr>`): `<m>/normValue`, `<m>/diverged` (0/1), `<m>/logMaxGrad`
 * (log10 of the largest per-sample |∂ℓ/∂u| met, ∞ capped at 40), `<m>/exactNormValue` (the method's exact tabular
 * fixed point's policy).
 *
 * Checks: `exact/lpGap` and `exact/lpDualErr`: the occupancy LP of the true task (HiGHS) against value iteration.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { goalTask, type OfflineTask } from '../../testbeds/offline/env/tasks';
import { behaviourPolicy, collectDataset, type OfflineDataset } from '../../testbeds/offline/data/dataset';
import { concatDatasets, empiricalMdp, padAbsorbing, pairDistribution } from '../../testbeds/offline/data/imitation';
import { normalisedValue, policyValue, valueScale, type ValueScale } from '../../testbeds/offline/solvers/evaluation';
import { behaviourCloning } from '../../testbeds/offline/methods/bc';
import { recoil } from '../../testbeds/offline/methods/recoil';
import { smodice } from '../../testbeds/offline/methods/smodice';
import { chi2PrimalConstant, chi2PrimalQp, type Chi2DualProblem } from '../../testbeds/offline/solvers/chi2-dual-v';
import { solveOccupancyLp } from '../../testbeds/offline/solvers/occupancy-lp';
import { loadLpSolver, type LpSolver } from '../../testbeds/tabular/methods/explicable-reward-lp';
import { valueIteration } from '../../testbeds/tabular/solvers/exact';
import {
  implicitValueFixedPoint,
  trainImplicitValue,
  type ValueLoss,
} from '../../testbeds/offline/loops/implicit-value-sgd';

export interface Config {
  /** Side of the four-rooms grid (odd, ≥ 5). */
  size: number;
  /** Probability that the executed action is uniformly random. */
  slip: number;
  gamma: number;
  /** Expert demonstrations D^E: episodes and their horizon. */
  expertEpisodes: number;
  expertHorizon: number;
  /** Random episodes of D^S and their horizon. */
  randomEpisodes: number;
  randomHorizon: number;
  /** Coverage levels: expert episodes mixed into D^S (horizon expertHorizon). */
  mixedExpert: number[];
  /** ReCOIL's mixing weight β. */
  recoilBeta: number;
  /** SMODICE's discriminator smoothing κ. */
  smodiceSmoothing: number;
  /** Offline RL data: episodes, horizon, ε of the 'medium' behaviour. */
  rlEpisodes: number;
  rlHorizon: number;
  rlEpsilon: number;
  /** XQL temperatures β (both forms), f-DVL χ² weights λ, shared Adam learning rates. */
  xqlBetas: number[];
  xqlMaxClip: number;
  dvlLambdas: number[];
  learningRates: number[];
  sgdSteps: number;
  sgdBatch: number;
  /** Solve the QPs of the lowest coverage level with HiGHS (the duality check). */
  qpCheck: boolean;
}

export const DEFAULTS: Config = {
  size: 11,
  slip: 0.1,
  gamma: 0.95,
  expertEpisodes: 2,
  expertHorizon: 50,
  randomEpisodes: 200,
  randomHorizon: 20,
  mixedExpert: [0, 5, 20],
  recoilBeta: 0.5,
  smodiceSmoothing: 0.5,
  rlEpisodes: 100,
  rlHorizon: 50,
  rlEpsilon: 0.5,
  xqlBetas: [0.01, 0.03, 0.1, 0.3],
  xqlMaxClip: 7,
  dvlLambdas: [0.5, 0.7, 0.8, 0.9],
  learningRates: [0.01, 0.1],
  sgdSteps: 3000,
  sgdBatch: 256,
  qpCheck: true,
};

export const IL_METHODS = ['bcExpert', 'bcAll', 'smodice', 'recoil'] as const;
export const RL_METHODS = ['xql', 'xqlStab', 'fdvl'] as const;
export const RL_QUALITIES = ['medium', 'random'] as const;
export type RlMethod = (typeof RL_METHODS)[number];

export function task(config: Config): OfflineTask {
  return goalTask({ layout: 'four-rooms', size: config.size, gamma: config.gamma, slip: config.slip });
}

/** Temperatures of a method (β for the XQL forms, λ for f-DVL). */
export function temperatures(config: Config, m: RlMethod): number[] {
  return m === 'fdvl' ? config.dvlLambdas : config.xqlBetas;
}

export function lossOf(config: Config, m: RlMethod, t: number): ValueLoss {
  if (m === 'xql') return { kind: 'gumbel', beta: t };
  if (m === 'xqlStab') return { kind: 'gumbel-stabilised', beta: t, maxClip: config.xqlMaxClip };
  return { kind: 'chi-square', lambda: t };
}

/** Metric suffix of an RL run. */
export function rlAt(q: string, t: number, lr: number): string {
  return `@${q}@t=${t}@lr=${lr}`;
}

function episodes(t: OfflineTask, kind: 'optimal' | 'random', n: number, horizon: number, rng: Rng): OfflineDataset {
  const raw = collectDataset(t, behaviourPolicy(t, { kind }), { episodes: n, horizon, quality: kind }, rng.split('d'));
  return padAbsorbing(raw, horizon, rng.split('pad'));
}

/** |dual optimum − HiGHS primal optimum| / (1 + |primal|). */
function qpGap(problem: Chi2DualProblem, dualValue: number, solver: LpSolver): number {
  const qp = chi2PrimalQp(problem);
  const sol = solver.solve(qp.model);
  if (sol.Status !== 'Optimal') return Infinity;
  const primal = qp.sigma * sol.ObjectiveValue + chi2PrimalConstant(problem);
  return Math.abs(-dualValue - primal) / (1 + Math.abs(primal));
}

function imitation(
  config: Config,
  t: OfflineTask,
  scale: ValueScale,
  root: Rng,
  solver: LpSolver,
  out: Record<string, number>,
): void {
  const E = episodes(t, 'optimal', config.expertEpisodes, config.expertHorizon, root.split('expert'));
  const random = episodes(t, 'random', config.randomEpisodes, config.randomHorizon, root.split('random'));
  const mixedAll = episodes(
    t,
    'optimal',
    Math.max(...config.mixedExpert, 0),
    config.expertHorizon,
    root.split('mixed'),
  );
  const lowest = Math.min(...config.mixedExpert);
  for (const m of config.mixedExpert) {
    // The first m mixed-in expert episodes (episodes are contiguous, in order).
    let n = 0;
    while (n < mixedAll.size && mixedAll.episode[n] < m) n++;
    const parts = [random];
    if (n > 0) {
      const take = <A extends Int32Array | Float64Array | Uint8Array>(x: A): A => x.slice(0, n) as A;
      parts.push({
        ...mixedAll,
        size: n,
        s: take(mixedAll.s),
        a: take(mixedAll.a),
        r: take(mixedAll.r),
        sp: take(mixedAll.sp),
        done: take(mixedAll.done),
        episode: take(mixedAll.episode),
        step: take(mixedAll.step),
      });
    }
    const S = concatDatasets(parts, `random+${m}-expert`);
    const all = concatDatasets([E, S], 'expert+suboptimal');
    const at = `@m=${m}`;
    // Coverage of the expert's pairs by D^S.
    const mdp = empiricalMdp(all);
    const dE = pairDistribution(E, mdp),
      dS = pairDistribution(S, mdp);
    let pairs = 0,
      covered = 0,
      mass = 0;
    for (let k = 0; k < mdp.nPairs; k++)
      if (dE[k] > 0) {
        pairs++;
        if (dS[k] > 0) covered++;
        mass += dS[k];
      }
    out[metricKey('data', `pairCoverage${at}`)] = covered / pairs;
    out[metricKey('data', `expertMass${at}`)] = mass;
    const score = (pi: Float64Array): number => normalisedValue(policyValue(t, pi), scale);
    out[metricKey('bcExpert', `normValue${at}`)] = score(behaviourCloning(E).policy);
    out[metricKey('bcAll', `normValue${at}`)] = score(behaviourCloning(all).policy);
    const sm = smodice(E, all, { smoothing: config.smodiceSmoothing });
    const rc = recoil(E, S, { beta: config.recoilBeta });
    out[metricKey('smodice', `normValue${at}`)] = score(sm.policy);
    out[metricKey('recoil', `normValue${at}`)] = score(rc.policy);
    out[metricKey('smodice', `flowResidual${at}`)] = sm.solution.flowResidual;
    out[metricKey('recoil', `flowResidual${at}`)] = rc.solution.flowResidual;
    if (config.qpCheck && m === lowest) {
      out[metricKey('smodice', 'qpGap')] = qpGap(sm.problem, sm.solution.dualValue, solver);
      out[metricKey('recoil', 'qpGap')] = qpGap(rc.problem, rc.solution.dualValue, solver);
    }
  }
}

function offlineRl(config: Config, t: OfflineTask, scale: ValueScale, root: Rng, out: Record<string, number>): void {
  for (const q of RL_QUALITIES) {
    const behaviour = behaviourPolicy(
      t,
      q === 'medium' ? { kind: 'epsilon', epsilon: config.rlEpsilon } : { kind: 'random' },
    );
    const data = collectDataset(
      t,
      behaviour,
      { episodes: config.rlEpisodes, horizon: config.rlHorizon, quality: q },
      root.split('rl').split(q),
    );
    for (const m of RL_METHODS)
      for (const temp of temperatures(config, m)) {
        const loss = lossOf(config, m, temp);
        const exact = implicitValueFixedPoint(data, loss);
        for (const lr of config.learningRates) {
          const at = rlAt(q, temp, lr);
          const r = trainImplicitValue(
            data,
            loss,
            { steps: config.sgdSteps, batch: config.sgdBatch, lr },
            root.split('sgd').split(q).split(m).split(temp).split(lr),
          );
          out[metricKey(m, `normValue${at}`)] = normalisedValue(policyValue(t, r.policy), scale);
          out[metricKey(m, `diverged${at}`)] = r.diverged ? 1 : 0;
          out[metricKey(m, `logMaxGrad${at}`)] = Math.min(40, Math.log10(Math.max(r.maxLossGrad, 1e-300)));
          out[metricKey(m, `exactNormValue${at}`)] = normalisedValue(policyValue(t, exact.policy), scale);
        }
      }
  }
}

export async function runSeed(config: Config, seed: number): Promise<RunResult> {
  const solver = await loadLpSolver();
  const metrics: Record<string, number> = {};
  const root = new Rng(seed).split('dual-rl');
  const t = task(config);
  const scale = valueScale(t);
  // The LP of RL (the primal dual RL starts from) against value iteration.
  const lp = solveOccupancyLp(t, solver);
  const vi = valueIteration(t.env, t.reward, { tol: 1e-12 });
  let dualErr = 0;
  for (let s = 0; s < t.env.nS; s++) dualErr = Math.max(dualErr, Math.abs(lp.V[s] - vi.V[s]));
  metrics[metricKey('exact', 'lpGap')] = Math.abs(lp.value - (1 - config.gamma) * scale.optimal);
  metrics[metricKey('exact', 'lpDualErr')] = dualErr;
  imitation(config, t, scale, root.split('il'), solver, metrics);
  offlineRl(config, t, scale, root, metrics);
  return { metrics };
}
