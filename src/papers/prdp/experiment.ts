/**
 * PRDP (Deng et al., CVPR 2024, arXiv 2402.08714) on the diffusion2d testbed: the prompt-conditional DDPM (ring of
 * eight, four prompts, models/conditional-base.ts) is fine-tuned on a black-box reward whose level differs by prompt
 * (r_c(x) = r(x) + b_c: a smooth quadratic plus a per-prompt offset, as a reward model scores prompts at different
 * levels), at the same number of reward queries per round and the same number of rounds and gradient steps, by:
 * - `ddpo-prompt`: DDPO with per-prompt reward normalisation (the paper's small-scale regime: each prompt is seen
 *   K times per round, so per-prompt statistics exist), PPO clip, path KL folded into the return
 *   (methods/ddpo-per-prompt.ts);
 * - `ddpo-batch`: DDPO whose prompts are each seen once per round (K = 1), so the normalisation is prompt-agnostic
 *   over the round (the paper's large-scale regime, App. B), same PPO steps;
 * - `prdp`: PRDP (methods/reward-difference-prediction.ts, eqs. 14, 17–21, Algorithm 1) with B trajectories per prompt;
 * - `rdp`: the same without proximal updates (eq. 14 only; the paper's Table 5 ablation).
 * Every method targets the optimum of E[r] − β·KL per prompt, the tilted target p_c·exp(r/β)/Z_c (the offsets cancel
 * in Z_c), exact on the grid; models are scored by the KL of per-prompt histograms to it (coarse grid).
 * Task entry point: `runSeed(config, seed)` runs one method (config.method) for one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import {
  gridCoarsen,
  gridGmm,
  gridHistogram,
  gridKl,
  gridTilt,
  makeGrid2d,
  rewardOnGrid,
} from '../../testbeds/diffusion2d/env/grid';
import { quadraticReward2d, type Reward2d } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture } from '../../testbeds/diffusion2d/env/targets';
import { ddpoPerPromptRound } from '../../testbeds/diffusion2d/methods/ddpo-per-prompt';
import { policyGradientRound, promptGroups } from '../../testbeds/diffusion2d/methods/loop';
import { prdpRound } from '../../testbeds/diffusion2d/methods/reward-difference-prediction';
import { diffusion2dBase, type Diffusion2dBaseSpec } from '../../testbeds/diffusion2d/models/base-model';
import { RING8_COND_DDPM_BASE } from '../../testbeds/diffusion2d/models/conditional-base';
import { ddpmSample } from '../../testbeds/diffusion2d/models/ddpm';
import type { EpsMlp } from '../../testbeds/diffusion2d/models/denoiser';
import { ddpmSchedule } from '../../testbeds/diffusion2d/models/schedule';

export type MethodName = 'ddpo-prompt' | 'ddpo-batch' | 'prdp' | 'rdp';
export const METHOD_NAMES: MethodName[] = ['ddpo-prompt', 'ddpo-batch', 'prdp', 'rdp'];

/** One seed's run of one method (every field is used). */
export interface Config {
  method: MethodName;
  /** The conditional pre-trained denoiser (its target's prompts are the conditions). */
  base: Diffusion2dBaseSpec;
  /** Smooth reward r(x) = −|x − c|²/(2s²) plus the per-prompt offset b_c (one per prompt). */
  rewardCenter: [number, number];
  rewardScale: number;
  promptOffsets: number[];
  /** KL weight β (eq. 6; folded into DDPO's return) and of the tilted target. */
  beta: number;
  /** Rounds (epochs of Algorithm 1) and reward queries per round. */
  rounds: number;
  queriesPerRound: number;
  /** Samples per prompt per round for ddpo-prompt, prdp and rdp (B); ddpo-batch uses 1. */
  K: number;
  /** DDPO's PPO steps per round (epochs × minibatches) and clip range; PRDP takes the same steps
   * on minibatches of whole prompt groups (Algorithm 1 takes K full-batch steps: deviation for equal compute). */
  epochs: number;
  minibatches: number;
  clip: number;
  /** PRDP's stepwise clipping range ε (eq. 20). */
  eps: number;
  /** Adam learning rate (global-norm clip 1). */
  lr: number;
  /** Samples per prompt for the final histograms. */
  evalSamples: number;
  gridN: number;
  gridLo: number;
  gridHi: number;
  coarsen: number;
}

export const DEFAULTS: Config = {
  method: 'prdp',
  base: RING8_COND_DDPM_BASE,
  rewardCenter: [3, 0],
  rewardScale: 2,
  promptOffsets: [-3, -1, 1, 3],
  beta: 1,
  rounds: 60,
  queriesPerRound: 64,
  K: 4,
  epochs: 2,
  minibatches: 2,
  clip: 0.2,
  eps: 0.2,
  lr: 3e-4,
  evalSamples: 3000,
  gridN: 128,
  gridLo: -5,
  gridHi: 5,
  coarsen: 4,
};

/** The prompt-dependent reward r(x) + b_c for a fixed batch of prompts (chain n has prompt prompts[n]). */
export function promptOffsetReward(base: Reward2d, offsets: readonly number[], prompts: Int32Array): Reward2d {
  return {
    name: `${base.name}+offset`,
    value(x, N) {
      if (N !== prompts.length) throw new RangeError(`prdp.promptOffsetReward: ${N} points for ${prompts.length}`);
      const r = base.value(x, N);
      for (let n = 0; n < N; n++) r[n] += offsets[prompts[n]];
      return r;
    },
  };
}

/**
 * One seed of one method. Metrics `<who>/klTilt` (KL of the per-prompt histograms to the per-prompt tilted targets,
 * mean over prompts; over the samples inside the box only), `<who>/klRef`, `<who>/reward` (mean r without offsets),
 * `<who>/outside` (fraction of samples outside the box; a diverged model has 1 and a meaningless klTilt) for
 * who ∈ {base, tuned};
 * `tuned/objectiveLate` (mean training objective r − b_c − β·log-ratio over the last quarter), `tuned/objectiveAuc`
 * (all rounds), `tuned/rewardWithinSd` (pilot scale: mean within-prompt sd of the first round's rewards) and
 * `tuned/rewardBetweenSd` (sd of the offsets). Series per round: `tuned/{reward,kl,objective,clipFraction}`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('prdp-diffusion2d');
  const P = c.base.target.prompts.length;
  if (c.promptOffsets.length !== P) throw new RangeError(`prdp.runSeed: need ${P} prompt offsets`);
  const grid = makeGrid2d(c.gridLo, c.gridHi, c.gridN);
  const reward = quadraticReward2d(c.rewardCenter, c.rewardScale);
  const rGrid = rewardOnGrid(grid, reward);
  const coarse = (p: Float64Array) => gridCoarsen(grid, p, c.coarsen).p;
  const refs = Array.from({ length: P }, (_, p) => gridGmm(grid, promptMixture(c.base.target, p)));
  const tilts = refs.map((p) => coarse(gridTilt(p, rGrid, c.beta).q));
  const refsC = refs.map(coarse);
  const sched = ddpmSchedule(c.base.schedule);
  const base = diffusion2dBase(c.base).model;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const M = c.evalSamples;
  const score = (who: string, m: EpsMlp) => {
    let kt = 0,
      kr = 0,
      rw = 0,
      out = 0;
    for (let p = 0; p < P; p++) {
      const x = ddpmSample(sched, (x, t, n) => m.predict(x, t, n, p), M, root.split('eval').split(who).split(p)).x0;
      const hist = gridHistogram(grid, x, M);
      out += hist.outside / P;
      const h = coarse(hist.p);
      kt += gridKl(h, tilts[p]) / P;
      kr += gridKl(h, refsC[p]) / P;
      rw += reward.value(x, M).reduce((a, b) => a + b, 0) / M / P;
    }
    metrics[metricKey(who, 'klTilt')] = kt;
    metrics[metricKey(who, 'klRef')] = kr;
    metrics[metricKey(who, 'reward')] = rw;
    metrics[metricKey(who, 'outside')] = out;
  };
  score('base', base);
  const policy = base.clone();
  const opt = new Adam(policy.mlp.size, { lr: c.lr, maxGradNorm: 1 });
  const train = root.split('train');
  const curves = {
    reward: [] as number[],
    kl: [] as number[],
    objective: [] as number[],
    clipFraction: [] as number[],
  };
  const meanOffset = (pr: Int32Array) => pr.reduce((a, p) => a + c.promptOffsets[p], 0) / pr.length;
  let withinSd = NaN;
  const t0 = Date.now();
  for (let u = 0; u < c.rounds; u++) {
    const K = c.method === 'ddpo-batch' ? 1 : c.K;
    const prompts = promptGroups(P, c.queriesPerRound / K, K, train.split('prompts').split(u));
    const rw = promptOffsetReward(reward, c.promptOffsets, prompts);
    let st: { reward: number; kl: number; objective: number; clipFraction: number };
    if (c.method === 'prdp' || c.method === 'rdp') {
      st = prdpRound(
        policy,
        base,
        sched,
        (x, N) => {
          const r = rw.value(x, N);
          if (u === 0) withinSd = groupSd(r, c.K);
          return r;
        },
        prompts,
        { B: c.K, beta: c.beta, eps: c.method === 'prdp' ? c.eps : null, epochs: c.epochs, minibatches: c.minibatches },
        train.split(u),
        opt,
      );
    } else {
      const ppo = { K, beta: c.beta, epochs: c.epochs, minibatches: c.minibatches, clip: c.clip };
      st =
        c.method === 'ddpo-prompt'
          ? ddpoPerPromptRound(policy, base, sched, rw, prompts, ppo, train.split(u), opt)
          : policyGradientRound(
              policy,
              base,
              sched,
              rw,
              prompts,
              { ...ppo, advantage: 'batch-normalised' },
              train.split(u),
              opt,
            );
    }
    const off = meanOffset(prompts);
    curves.reward.push(st.reward - off);
    curves.kl.push(st.kl);
    curves.objective.push(st.objective - off);
    curves.clipFraction.push(st.clipFraction);
  }
  timings[metricKey('tuned', 'roundMs')] = (Date.now() - t0) / Math.max(1, c.rounds);
  for (const [k, v] of Object.entries(curves)) series[metricKey('tuned', k)] = v;
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  metrics[metricKey('tuned', 'objectiveAuc')] = mean(curves.objective);
  metrics[metricKey('tuned', 'objectiveLate')] = mean(curves.objective.slice(Math.floor((3 * c.rounds) / 4)));
  if (!Number.isNaN(withinSd)) metrics[metricKey('tuned', 'rewardWithinSd')] = withinSd;
  const mo = mean(c.promptOffsets);
  metrics[metricKey('tuned', 'rewardBetweenSd')] = Math.sqrt(mean(c.promptOffsets.map((b) => (b - mo) ** 2)));
  score('tuned', policy);
  return { metrics, series, timings };
}

/** Mean over contiguous groups of K of the within-group standard deviation. */
export function groupSd(r: Float64Array, K: number): number {
  let s = 0;
  const G = r.length / K;
  for (let g = 0; g < G; g++) {
    let m = 0;
    for (let k = 0; k < K; k++) m += r[g * K + k] / K;
    let v = 0;
    for (let k = 0; k < K; k++) v += (r[g * K + k] - m) ** 2 / K;
    s += Math.sqrt(v) / G;
  }
  return s;
}
