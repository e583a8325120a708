/**
 * The tabular miniature of Chen, Yu, Schwager, Abbeel, Shentu & Wu, "SARM: Stage-Aware Reward Modeling for Long
 * Horizon Robot Manipulation" (arXiv:2509.25358): stage-aware progress labels (Formulas 1–2) against frame-index
 * labels, and Reward-Aligned Behaviour Cloning (Eqs. 6, 8, 9) against plain BC, on a three-stage gridworld
 * (key → door → goal) with demonstrations of mixed quality, scored exactly.
 *
 * World (testbeds/offline/env/key-door-grid.ts): a 5×5 room, start (0,0), key (4,0), door (0,4), goal (4,4); 10%
 * slip; 16 slip-free moves from start to success. Data (data/staged-demos.ts): `episodes` demos of at most
 * `dataHorizon` steps, each with its own stall rates per stage (U(0, stallMax)), detour rate (U(0, detourMax)) and,
 * with probability skipKeyProb, a forgotten key (a failure). Held-out: `heldOut` further demos of the same mixture.
 * Methods (all on the same demos of a seed, the same annotations and the same number of samples):
 * - progress models (methods/stage-aware-progress.ts): `sarm` (stage estimator + subtask estimator on the
 *   stage-aware labels of Formula 2 with the priors of Formula 1) and `frame` (a regressor on frame-index labels t/T);
 * - policies (methods/ra-bc.ts): `bc` (all samples, weight 1), `rabc-sarm` and `rabc-frame` (RA-BC weights from
 *   each model's progress deltas), and `rabc-oracle` (RA-BC weights from the true progress: a reference, not a
 *   method of the paper).
 * Record keys: `<model>/mae` (mean |φ(s_t) − trueProgress(s_t)| over the held-out demos' frames), `<model>/spearman`
 * (Spearman rank correlation of φ and the true progress over those frames), `sarm/stageAcc` (held-out stage accuracy
 * of the stage estimator), `sarm/alpha<k>` (ᾱ_k); `<policy>/success` (exact probability of completing the task within
 * `evalHorizon` steps), `<policy>/zeroShare` (share of samples with weight 0); `optimal/success`, `uniform/success`;
 * `data/successShare`, `data/skipShare`, `data/meanLength`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { spearman } from '../../stats/correlation';
import { KEY_DOOR_5X5, KEY_DOOR_STAGES, keyDoorTask, type KeyDoorSpec } from '../../testbeds/offline/env/key-door-grid';
import { collectStagedDemos, type StagedEpisode } from '../../testbeds/offline/data/staged-demos';
import {
  annotateStages,
  fitSarm,
  fitTabularProgress,
  frameIndexLabels,
} from '../../testbeds/offline/methods/stage-aware-progress';
import { progressDeltas, rabcWeights, weightedBehaviourCloning } from '../../testbeds/offline/methods/ra-bc';
import { finiteHorizonValue, optimalFiniteHorizonValue } from '../../testbeds/offline/solvers/finite-horizon';

export interface Config {
  /** The key–door room. */
  world: KeyDoorSpec;
  /** Training demonstrations. */
  episodes: number;
  /** Held-out demonstrations (progress-estimation error only). */
  heldOut: number;
  /** Step limit of a demonstration. */
  dataHorizon: number;
  /** Step limit of the success probability the policies are scored on. */
  evalHorizon: number;
  /** Per-stage stall rate ∼ U(0, stallMax), per episode. */
  stallMax: number;
  /** Detour (uniform move) rate ∼ U(0, detourMax), per episode. */
  detourMax: number;
  /** Probability that a demonstrator forgets the key (the episode fails). */
  skipKeyProb: number;
  /** RA-BC's hard threshold κ (Eq. 9). */
  kappa: number;
  /** RA-BC's progress horizon Δ in steps (Eq. 6). */
  delta: number;
}

export const DEFAULTS: Config = {
  world: KEY_DOOR_5X5,
  episodes: 300,
  heldOut: 100,
  dataHorizon: 40,
  evalHorizon: 30,
  stallMax: 0.6,
  detourMax: 0.5,
  skipKeyProb: 0.15,
  kappa: 0.01,
  delta: 1,
};

export const POLICIES = ['bc', 'rabc-sarm', 'rabc-frame', 'rabc-oracle'] as const;

export function setup(c: Config) {
  return { task: keyDoorTask(c.world) };
}

function heldOutScores(eps: readonly StagedEpisode[], phi: Float64Array, truth: Float64Array) {
  const x: number[] = [];
  const y: number[] = [];
  let mae = 0;
  for (const ep of eps)
    for (const s of ep.states) {
      x.push(phi[s]);
      y.push(truth[s]);
      mae += Math.abs(phi[s] - truth[s]);
    }
  return { mae: mae / x.length, spearman: spearman(Float64Array.from(x), Float64Array.from(y)) };
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const metrics: Record<string, number> = {};
  const rng = new Rng(seed).split('sarm');
  const { task } = setup(c);
  const { nS, nA } = task.env;
  const K = KEY_DOOR_STAGES;
  const H = c.evalHorizon;
  const opts = {
    horizon: c.dataHorizon,
    stallMax: c.stallMax,
    detourMax: c.detourMax,
    skipKeyProb: c.skipKeyProb,
  };
  const demos = collectStagedDemos(task, { ...opts, episodes: c.episodes }, rng.split('data'));
  const test = collectStagedDemos(task, { ...opts, episodes: c.heldOut }, rng.split('held-out'));
  metrics['data/successShare'] = demos.filter((e) => e.success).length / demos.length;
  metrics['data/skipShare'] = demos.filter((e) => e.skippedKey).length / demos.length;
  metrics['data/meanLength'] = demos.reduce((u, e) => u + e.actions.length, 0) / demos.length;

  // Progress models: stage-aware (SARM) and frame-index, same demos, same frames.
  const ann = demos.map((e) => annotateStages(e.states, task.stageOf, K));
  const sarm = fitSarm(nS, K, demos, ann);
  const frame = fitTabularProgress(
    nS,
    demos,
    demos.map((e) => frameIndexLabels(e.actions.length)),
  );
  sarm.alpha.forEach((a, k) => (metrics[`sarm/alpha${k}`] = a));
  const phis: Record<string, Float64Array> = { sarm: sarm.progress, frame, oracle: task.trueProgress };
  for (const m of ['sarm', 'frame']) {
    const sc = heldOutScores(test, phis[m], task.trueProgress);
    metrics[`${m}/mae`] = sc.mae;
    metrics[`${m}/spearman`] = sc.spearman;
  }
  let right = 0,
    n = 0;
  for (const ep of test) {
    const a = annotateStages(ep.states, task.stageOf, K);
    ep.states.forEach((s, t) => {
      right += sarm.stage[s] === a.stage[t] ? 1 : 0;
      n++;
    });
  }
  metrics['sarm/stageAcc'] = right / n;

  // Policies: BC and RA-BC with each progress model, same samples.
  const J = (pi: Float64Array) => finiteHorizonValue(task, pi, H);
  metrics['optimal/success'] = optimalFiniteHorizonValue(task, H);
  metrics['uniform/success'] = J(new Float64Array(nS * nA).fill(1 / nA));
  metrics['bc/success'] = J(weightedBehaviourCloning(nS, nA, demos));
  metrics['bc/zeroShare'] = 0;
  for (const m of ['sarm', 'frame', 'oracle']) {
    const w = rabcWeights(progressDeltas(demos, phis[m], c.delta), c.kappa);
    metrics[`rabc-${m}/success`] = J(weightedBehaviourCloning(nS, nA, demos, w));
    metrics[`rabc-${m}/zeroShare`] = w.reduce((u, x) => u + (x === 0 ? 1 : 0), 0) / w.length;
  }
  return { metrics };
}
