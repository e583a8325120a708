/**
 * The tabular miniature of Kang, Shi, Liu, He & Wang, "Beyond Reward: Offline Preference-guided Policy
 * Optimization" (ICML 2023, arXiv:2305.16217): OPPO against two-step offline preference-based RL, with the same
 * offline data and the same preference labels for every method, scored by exact policy values under the true reward.
 *
 * World (testbeds/offline/env/lava-grid.ts): the 7×7 lava grid-world (two +1 goals, one −1 lava cell, −0.1 per step,
 * three start cells) with `slip`; episodes end on a terminal cell or after `horizon` steps.
 * Data: `episodes` episodes from a mixture of an ε-noisy optimal behaviour and the uniform policy (`weights`).
 * Labels: `pairs` episode pairs drawn uniformly from the data, labelled by the scripted teacher (the larger true
 * return is preferred, equal returns tie). A separate `testPairs` set, never trained on, scores preference accuracy.
 * Methods (all on the same data and the same labelled pairs of a seed):
 * - `oppo`: OPPO (methods/oppo.ts), evaluated as π(· | s, z*);
 * - `pt-iql`, `pt-cql`: the two-step baseline: a tabular Bradley–Terry reward r̂(s, a) fitted to the labels
 *   (methods/trajectory-bt-reward.ts), the data relabelled with r̂ (scaled to a unit return range), then IQL / CQL;
 * - `iql-true`, `cql-true`: IQL / CQL on the true rewards (same scaling), the paper's "offline RL with true reward";
 * - `bc`: behaviour cloning of all the data.
 * Record keys: `<m>/value` (exact J_H under the true reward); `oppo/prefAcc`, `bt/prefAcc` (held-out accuracy of the
 * distance to z* / of the learned return); `oppo/meanContextValue` (π(· | s, z̄) at the mean context z̄ of the data's
 * episodes: the same model without the preference-selected context); `oppo/him`, `oppo/triplet` (final batch losses),
 * `oppo/zNorm`; `bt/converged`; `optimal/value`, `behaviour<k>/value`, `data/strictShare` (share of labelled pairs
 * with a strict preference), `data/episodes`, `data/transitions`. Series: `oppo/him`, `oppo/triplet`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { lavaGridworld, ORIGINAL_7X7, type LavaGridSpec } from '../../testbeds/offline/env/lava-grid';
import { behaviourPolicy } from '../../testbeds/offline/data/dataset';
import { collectMixture } from '../../testbeds/offline/data/mixture';
import { episodeOffsets } from '../../testbeds/offline/data/episodes';
import { datasetEpisodeReturns, scriptedEpisodePairs } from '../../testbeds/offline/data/trajectory-preferences';
import { finiteHorizonValue, optimalFiniteHorizonValue } from '../../testbeds/offline/solvers/finite-horizon';
import { behaviourCloning } from '../../testbeds/offline/methods/bc';
import { iql } from '../../testbeds/offline/methods/iql';
import { cql } from '../../testbeds/offline/methods/cql';
import {
  episodeCounts,
  fitTrajectoryBtReward,
  normaliseByReturnRange,
  relabelWithReward,
} from '../../testbeds/offline/methods/trajectory-bt-reward';
import {
  contextPreferenceAccuracy,
  oppo,
  oppoEmbed,
  oppoPolicy,
  type OppoOptions,
} from '../../testbeds/offline/methods/oppo';

export interface Config {
  /** The grid-world (default: the original 7×7 lava grid with slip 0.1). */
  grid: LavaGridSpec;
  /** Step limit of an episode (data and evaluation). */
  horizon: number;
  /** Uniform-action probability of the noisy optimal behaviour. */
  epsilon: number;
  /** Mixture weights of [ε-noisy optimal, uniform]. */
  weights: [number, number];
  /** Episodes in the offline dataset. */
  episodes: number;
  /** Labelled episode pairs (the preference budget, equal for every method). */
  pairs: number;
  /** Held-out labelled pairs, used only to score preference accuracy. */
  testPairs: number;
  /** Ridge on r̂ of the Bradley–Terry reward (labels are deterministic, so the MLE needs one). */
  btL2: number;
  /**
   * IQL (the IQL paper's D4RL locomotion recipe: τ = 0.7, β = 3, rewards scaled to a return range of `iqlScale` =
   * 1000) and CQL (α, on rewards scaled to a unit return range) of both the two-step and the true-reward runs.
   */
  iqlTau: number;
  iqlBeta: number;
  iqlScale: number;
  cqlAlpha: number;
  oppo: OppoOptions;
  curveEvery: number;
}

export const DEFAULTS: Config = {
  grid: { ...ORIGINAL_7X7, slip: 0.1 },
  horizon: 20,
  epsilon: 0.3,
  weights: [0.3, 0.7],
  episodes: 300,
  pairs: 200,
  testPairs: 1000,
  btL2: 1e-3,
  iqlTau: 0.7,
  iqlBeta: 3,
  iqlScale: 1000,
  cqlAlpha: 0.1,
  oppo: {
    dim: 8,
    steps: 1500,
    batch: 32,
    lr: 0.01,
    zLr: 0.01,
    margin: 1,
    prefWeight: 0.1,
    normWeight: 0.1,
    initScale: 0.5,
    zInitScale: 2,
  },
  curveEvery: 50,
};

export const METHODS = ['oppo', 'pt-iql', 'pt-cql', 'iql-true', 'cql-true', 'bc'] as const;

export function setup(c: Config) {
  const mdp = lavaGridworld(c.grid);
  const behaviours = [
    behaviourPolicy(mdp, { kind: 'epsilon', epsilon: c.epsilon }),
    behaviourPolicy(mdp, { kind: 'random' }),
  ];
  return { mdp, behaviours };
}

export function runSeed(config: Config, seed: number): RunResult {
  const c = config;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const rng = new Rng(seed).split('beyond-reward');
  const { mdp, behaviours } = setup(c);
  const H = c.horizon;
  const J = (pi: Float64Array) => finiteHorizonValue(mdp, pi, H);
  metrics['optimal/value'] = optimalFiniteHorizonValue(mdp, H);
  behaviours.forEach((b, k) => (metrics[`behaviour${k}/value`] = J(b)));

  const { data } = collectMixture(
    mdp,
    behaviours,
    c.weights,
    { episodes: c.episodes, horizon: H, quality: 'lava-mixture' },
    rng.split('data'),
  );
  const off = episodeOffsets(data);
  const G = datasetEpisodeReturns(data, off);
  metrics['data/episodes'] = off.length - 1;
  metrics['data/transitions'] = data.size;
  const pairs = scriptedEpisodePairs(G, c.pairs, rng.split('labels'));
  const test = scriptedEpisodePairs(G, c.testPairs, rng.split('test-labels'));
  metrics['data/strictShare'] = pairs.label.reduce((u, p) => u + (p !== 0.5 ? 1 : 0), 0) / pairs.n;

  // OPPO: one-step, from the data and the labelled pairs.
  const o = oppo(data, pairs, c.oppo, rng.split('oppo'), c.curveEvery);
  metrics['oppo/value'] = J(o.policy);
  metrics['oppo/prefAcc'] = contextPreferenceAccuracy(o.model, data, off, test, o.zStar);
  const zBar = new Float64Array(c.oppo.dim);
  for (let e = 0; e + 1 < off.length; e++) {
    const z = oppoEmbed(o.model, data, off[e], off[e + 1]);
    for (let k = 0; k < z.length; k++) zBar[k] += z[k] / (off.length - 1);
  }
  metrics['oppo/meanContextValue'] = J(oppoPolicy(o.model, zBar));
  metrics['oppo/him'] = o.him[o.him.length - 1];
  metrics['oppo/triplet'] = o.triplet[o.triplet.length - 1];
  metrics['oppo/zNorm'] = Math.hypot(...o.zStar);
  series['oppo/him'] = o.him;
  series['oppo/triplet'] = o.triplet;

  // Two-step: Bradley–Terry reward from the same labels, then offline RL on the relabelled data.
  const bt = fitTrajectoryBtReward(data, pairs, c.btL2);
  metrics['bt/converged'] = bt.converged ? 1 : 0;
  const C = episodeCounts(data, off);
  const d = data.nS * data.nA;
  const Ghat = new Float64Array(off.length - 1);
  for (let e = 0; e < Ghat.length; e++) for (let x = 0; x < d; x++) Ghat[e] += C[e * d + x] * bt.reward[x];
  let right = 0,
    n = 0;
  for (let k = 0; k < test.n; k++) {
    if (test.label[k] === 0.5) continue;
    const diff = (Ghat[test.i[k]] - Ghat[test.j[k]]) * (test.label[k] === 1 ? 1 : -1);
    n++;
    right += diff > 0 ? 1 : diff === 0 ? 0.5 : 0;
  }
  metrics['bt/prefAcc'] = right / n;
  const pseudo = (scale: number) => relabelWithReward(data, bt.reward, 'lava-mixture+bt-reward', scale);
  const truth = (scale: number) => ({
    ...data,
    r: normaliseByReturnRange(data, data.r, scale),
    quality: 'lava-mixture+true-reward',
  });
  const iqlOpts = { tau: c.iqlTau, beta: c.iqlBeta };
  metrics['pt-iql/value'] = J(iql(pseudo(c.iqlScale), iqlOpts).policy);
  metrics['pt-cql/value'] = J(cql(pseudo(1), { alpha: c.cqlAlpha }).policy);
  metrics['iql-true/value'] = J(iql(truth(c.iqlScale), iqlOpts).policy);
  metrics['cql-true/value'] = J(cql(truth(1), { alpha: c.cqlAlpha }).policy);
  metrics['bc/value'] = J(behaviourCloning(data).policy);
  return { metrics, series };
}

export { finiteHorizonValue, optimalFiniteHorizonValue };
