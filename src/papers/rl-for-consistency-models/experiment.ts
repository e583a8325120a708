/**
 * RLCM (Oertell et al. 2024, arXiv 2404.03673) on the diffusion2d testbed: reward-only fine-tuning of a few-step
 * consistency model (methods/rlcm.ts: the exact consistency function of the ring of eight plus a zero-initialised
 * residual MLP, S-step multistep sampling framed as an MDP, `rlcmRound`) against DDPO on the testbed's 20-step DDPM
 * (models/base-model.ts RING8_DDPM_BASE, cached; methods/loop.ts `policyGradientRound` with K = 1, batch-normalised
 * advantages and PPO's clip: DDPO_IS with the reward alone, β = 0), at the same reward queries per round, rounds,
 * PPO epochs × minibatches, clip range, Adam and network width; each method's learning rate from the same grid.
 * Reward r(x) = −|x − c|²/(2s²) (env/rewards.ts `quadraticReward2d`); the final models are scored by `tiltScorer`
 * (env/grid.ts: mean reward and the coarse-grid KL of their samples to p_ref).
 * Compute is counted in network rows (one row = one point through the MLP forward, or through forward and backward
 * when training counts twice): sampling N·steps forward rows, training 2 rows per (sample, stochastic step) per epoch.
 * Task entry point: `runSeed(config, seed)` runs one method (config.method) for one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gridGmm, makeGrid2d, tiltScorer } from '../../testbeds/diffusion2d/env/grid';
import { quadraticReward2d } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture } from '../../testbeds/diffusion2d/env/targets';
import { policyGradientRound } from '../../testbeds/diffusion2d/methods/loop';
import { exactConsistency, ResidualConsistencyMlp, rlcmRound } from '../../testbeds/diffusion2d/methods/rlcm';
import {
  diffusion2dBase,
  type Diffusion2dBaseSpec,
  RING8_DDPM_BASE,
} from '../../testbeds/diffusion2d/models/base-model';
import { ddpmSample } from '../../testbeds/diffusion2d/models/ddpm';
import { ddpmSchedule } from '../../testbeds/diffusion2d/models/schedule';

export type MethodName = 'rlcm' | 'ddpo';

/** One seed's run of one method (every field is used). */
export interface Config {
  method: MethodName;
  /** The pre-trained 20-step DDPM that DDPO fine-tunes (unconditional ring of eight). */
  base: Diffusion2dBaseSpec;
  /** Consistency-model inference steps S (S − 1 stochastic actions), Heun substeps per unit time of f*. */
  S: number;
  substeps: number;
  /** Hidden widths of the consistency model's residual MLP (the DDPM's are base.network.hidden). */
  cmHidden: number[];
  /** Reward r(x) = −|x − c|²/(2s²). */
  rewardCenter: [number, number];
  rewardScale: number;
  /** Sampling rounds and reward queries (trajectories) per round. */
  rounds: number;
  queriesPerRound: number;
  /** PPO steps per round: epochs × minibatches, clip range ε, advantage clip. */
  epochs: number;
  minibatches: number;
  clip: number;
  advClipMax: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Samples for the final scores; grid of the scorer (KL on the grid coarsened by `coarsen`). */
  evalSamples: number;
  gridN: number;
  coarsen: number;
}

export const DEFAULTS: Config = {
  method: 'rlcm',
  base: RING8_DDPM_BASE,
  S: 3,
  substeps: 48,
  cmHidden: [128, 128, 128],
  rewardCenter: [3, 0],
  rewardScale: 2,
  rounds: 40,
  queriesPerRound: 64,
  epochs: 2,
  minibatches: 2,
  clip: 0.2,
  advClipMax: 10,
  lr: 3e-4,
  evalSamples: 2000,
  gridN: 128,
  coarsen: 4,
};

/** Network rows of one DDPO round: N·T forward rows while sampling, 2 per (sample, step) per epoch while training. */
export function ddpoRoundRows(N: number, T: number, epochs: number): number {
  return N * T + 2 * epochs * N * T;
}

/**
 * One seed of one method. Metrics `<who>/{reward,klRef,outside}` for who ∈ {base, tuned} (the method's own
 * pre-trained model and its fine-tuned one; `evalSamples` samples with the method's sampler), `<who>/nfe` (network
 * evaluations per sample), `tuned/rewardLate` (mean training reward over the last quarter of the rounds). Series per
 * round: `tuned/reward` (of the round's samples, before its update), `tuned/rows` (cumulative network rows after the
 * round), `tuned/clipFraction`. Timings: `tuned/roundMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('rlcm-diffusion2d');
  const pref = promptMixture(c.base.target, 0);
  const grid = makeGrid2d(-5, 5, c.gridN);
  const reward = quadraticReward2d(c.rewardCenter, c.rewardScale);
  const scorer = tiltScorer(grid, gridGmm(grid, pref), reward, 1, c.coarsen);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = { [metricKey('tuned', 'reward')]: [], [metricKey('tuned', 'rows')]: [] };
  series[metricKey('tuned', 'clipFraction')] = [];
  const timings: Record<string, number> = {};
  const M = c.evalSamples;
  const N = c.queriesPerRound;
  const score = (who: string, x: Float64Array, nfe: number) => {
    const s = scorer.score(x, M);
    metrics[metricKey(who, 'reward')] = s.reward;
    metrics[metricKey(who, 'klRef')] = s.klRef;
    metrics[metricKey(who, 'outside')] = s.outside;
    metrics[metricKey(who, 'nfe')] = nfe;
  };
  const train = root.split('train');
  let rows = 0;
  const t0 = Date.now();
  const push = (r: number, cf: number) => {
    series[metricKey('tuned', 'reward')].push(r);
    series[metricKey('tuned', 'rows')].push(rows);
    series[metricKey('tuned', 'clipFraction')].push(cf);
  };
  if (c.method === 'rlcm') {
    const policy = new ResidualConsistencyMlp(exactConsistency(pref, c.substeps), c.S, c.cmHidden, root.split('init'));
    score('base', policy.sample(M, root.split('eval').split('base')), c.S);
    const opt = new Adam(policy.size, { lr: c.lr, maxGradNorm: 1 });
    const o = { epochs: c.epochs, minibatches: c.minibatches, clip: c.clip, advClipMax: c.advClipMax };
    for (let u = 0; u < c.rounds; u++) {
      const st = rlcmRound(policy, reward, N, o, train.split(u), opt);
      rows += st.networkRows;
      push(st.reward, st.clipFraction);
    }
    timings[metricKey('tuned', 'roundMs')] = (Date.now() - t0) / c.rounds;
    score('tuned', policy.sample(M, root.split('eval').split('tuned')), c.S);
  } else {
    const sched = ddpmSchedule(c.base.schedule);
    const base = diffusion2dBase(c.base).model;
    const sample = (m: typeof base, who: string) =>
      ddpmSample(sched, (x, t, n) => m.predict(x, t, n), M, root.split('eval').split(who)).x0;
    score('base', sample(base, 'base'), sched.T);
    const policy = base.clone();
    const opt = new Adam(policy.mlp.size, { lr: c.lr, maxGradNorm: 1 });
    const prompts = new Int32Array(N);
    const o = {
      K: 1,
      advantage: 'batch-normalised' as const,
      beta: 0,
      epochs: c.epochs,
      minibatches: c.minibatches,
      clip: c.clip,
    };
    for (let u = 0; u < c.rounds; u++) {
      const st = policyGradientRound(policy, base, sched, reward, prompts, o, train.split(u), opt);
      rows += ddpoRoundRows(N, sched.T, c.epochs);
      push(st.reward, st.clipFraction);
    }
    timings[metricKey('tuned', 'roundMs')] = (Date.now() - t0) / c.rounds;
    score('tuned', sample(policy, 'tuned'), sched.T);
  }
  const rs = series[metricKey('tuned', 'reward')];
  const late = rs.slice(Math.floor((3 * c.rounds) / 4));
  metrics[metricKey('tuned', 'rewardLate')] = late.reduce((a, b) => a + b, 0) / late.length;
  metrics[metricKey('tuned', 'rows')] = rows;
  return { metrics, series, timings };
}

/** Centred moving average over `window` rounds (shrinking at the ends). */
export function smoothSeries(a: readonly number[], window = 5): number[] {
  const h = Math.floor(window / 2);
  return a.map((_, i) => {
    const w = a.slice(Math.max(0, i - h), i + h + 1);
    return w.reduce((x, y) => x + y, 0) / w.length;
  });
}

/**
 * The cost (e.g. cumulative network rows, or reward queries) at the first round whose smoothed training reward
 * reaches `level`; Infinity when it never does.
 */
export function costToLevel(rewards: readonly number[], cost: readonly number[], level: number, window = 5): number {
  const s = smoothSeries(rewards, window);
  for (let i = 0; i < s.length; i++) if (s[i] >= level) return cost[i];
  return Infinity;
}

/**
 * log10 of the ratio of two costs to a level, a over b (positive when b is cheaper), clamped to ±cap; a method that
 * never reaches the level counts as infinitely expensive (both never: 0).
 */
export function logCostRatio(a: number, b: number, cap = 3): number {
  if (!Number.isFinite(a) && !Number.isFinite(b)) return 0;
  const v = Math.log10(a / b);
  return Math.max(-cap, Math.min(cap, v));
}
