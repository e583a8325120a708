/**
 * LOOP (Gupta et al. 2025, arXiv 2503.00897) on the diffusion2d testbed: a prompt-conditional DDPM (ring of eight,
 * four prompts, models/conditional-base.ts) is fine-tuned on a smooth black-box reward with the path KL to the
 * pre-trained chain folded into the return, by four members of one family (methods/loop.ts
 * `policyGradientRound`), at the same number of reward queries per round and the same number of rounds:
 * - `reinforce`: K = 1 sample per prompt, no baseline, one on-policy gradient step per round;
 * - `rloo`: K samples per prompt, leave-one-out baseline, one on-policy step;
 * - `ppo` (DDPO_IS): K = 1, batch-normalised advantages, epochs × minibatches clipped importance-sampled steps;
 * - `loop`: K samples per prompt, leave-one-out baseline, the same clipped steps as `ppo`.
 * The optimum of E[r] − β·KL per prompt is the tilted target p_c·exp(r/β)/Z_c, exact on the grid; every model is
 * scored by the KL of its per-prompt sample histograms to it (coarse grid), averaged over prompts.
 * Task entry point: `runSeed(config, seed)` runs one method (config.method) for one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gridGmm, makeGrid2d, tiltScorer } from '../../testbeds/diffusion2d/env/grid';
import { quadraticReward2d } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture } from '../../testbeds/diffusion2d/env/targets';
import {
  policyGradientRound,
  promptGroups,
  type PromptGroupAdvantageKind,
} from '../../testbeds/diffusion2d/methods/loop';
import { diffusion2dBase, type Diffusion2dBaseSpec } from '../../testbeds/diffusion2d/models/base-model';
import { RING8_COND_DDPM_BASE } from '../../testbeds/diffusion2d/models/conditional-base';
import { ddpmSample } from '../../testbeds/diffusion2d/models/ddpm';
import type { EpsMlp } from '../../testbeds/diffusion2d/models/denoiser';
import { ddpmSchedule } from '../../testbeds/diffusion2d/models/schedule';

export type MethodName = 'reinforce' | 'rloo' | 'ppo' | 'loop';

/** The paper's four methods as settings of one round; K and the PPO steps come from the config. */
export function methodSettings(
  m: MethodName,
  c: Config,
): { K: number; advantage: PromptGroupAdvantageKind; epochs: number; minibatches: number; clip: number | null } {
  switch (m) {
    case 'reinforce':
      return { K: 1, advantage: 'none', epochs: 1, minibatches: 1, clip: null };
    case 'rloo':
      return { K: c.K, advantage: 'leave-one-out', epochs: 1, minibatches: 1, clip: null };
    case 'ppo':
      return { K: 1, advantage: 'batch-normalised', epochs: c.epochs, minibatches: c.minibatches, clip: c.clip };
    case 'loop':
      return { K: c.K, advantage: 'leave-one-out', epochs: c.epochs, minibatches: c.minibatches, clip: c.clip };
  }
}

/** One seed's run of one method (every field is used). */
export interface Config {
  method: MethodName;
  /** The conditional pre-trained denoiser (its target's prompts are the conditions). */
  base: Diffusion2dBaseSpec;
  /** Smooth reward r(x) = −|x − c|²/(2s²), the same for every prompt. */
  rewardCenter: [number, number];
  rewardScale: number;
  /** KL weight β of the objective and of the tilted target. */
  beta: number;
  /** Sampling rounds and reward queries (trajectories) per round; samples per prompt K for rloo/loop. */
  rounds: number;
  queriesPerRound: number;
  K: number;
  /** PPO steps per round (ppo, loop): epochs × minibatches, clip range ε. */
  epochs: number;
  minibatches: number;
  clip: number;
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
  method: 'loop',
  base: RING8_COND_DDPM_BASE,
  rewardCenter: [3, 0],
  rewardScale: 2,
  beta: 1,
  rounds: 60,
  queriesPerRound: 64,
  K: 4,
  epochs: 2,
  minibatches: 2,
  clip: 0.2,
  lr: 3e-4,
  evalSamples: 5000,
  gridN: 128,
  gridLo: -5,
  gridHi: 5,
  coarsen: 4,
};

/**
 * One seed of one method. Metrics `<who>/klTilt` (KL of the per-prompt histograms to the per-prompt tilted
 * targets, mean over prompts), `<who>/klRef` (to the per-prompt p_ref), `<who>/reward` (mean r) for who ∈ {base,
 * tuned}; `tuned/objectiveLate` (mean training return over the last quarter of the rounds) and
 * `tuned/objectiveAuc` (mean over all rounds). Series per round: `tuned/{reward,kl,objective,clipFraction}`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('loop-diffusion2d');
  const P = c.base.target.prompts.length;
  const grid = makeGrid2d(c.gridLo, c.gridHi, c.gridN);
  const reward = quadraticReward2d(c.rewardCenter, c.rewardScale);
  const tilts = Array.from({ length: P }, (_, p) =>
    tiltScorer(grid, gridGmm(grid, promptMixture(c.base.target, p)), reward, c.beta, c.coarsen),
  );
  const sched = ddpmSchedule(c.base.schedule);
  const base = diffusion2dBase(c.base).model;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const M = c.evalSamples;
  const score = (who: string, m: EpsMlp) => {
    let kt = 0,
      kr = 0,
      rw = 0;
    for (let p = 0; p < P; p++) {
      const x = ddpmSample(sched, (x, t, n) => m.predict(x, t, n, p), M, root.split('eval').split(who).split(p)).x0;
      const f = tilts[p].score(x, M);
      kt += f.klTilt / P;
      kr += f.klRef / P;
      rw += f.reward / P;
    }
    metrics[metricKey(who, 'klTilt')] = kt;
    metrics[metricKey(who, 'klRef')] = kr;
    metrics[metricKey(who, 'reward')] = rw;
  };
  score('base', base);
  const s = methodSettings(c.method, c);
  const policy = base.clone();
  const opt = new Adam(policy.mlp.size, { lr: c.lr, maxGradNorm: 1 });
  const train = root.split('train');
  const curves = {
    reward: [] as number[],
    kl: [] as number[],
    objective: [] as number[],
    clipFraction: [] as number[],
  };
  const t0 = Date.now();
  for (let u = 0; u < c.rounds; u++) {
    const prompts = promptGroups(P, c.queriesPerRound / s.K, s.K, train.split('prompts').split(u));
    const st = policyGradientRound(policy, base, sched, reward, prompts, { ...s, beta: c.beta }, train.split(u), opt);
    curves.reward.push(st.reward);
    curves.kl.push(st.kl);
    curves.objective.push(st.objective);
    curves.clipFraction.push(st.clipFraction);
  }
  timings[metricKey('tuned', 'roundMs')] = (Date.now() - t0) / Math.max(1, c.rounds);
  for (const [k, v] of Object.entries(curves)) series[metricKey('tuned', k)] = v;
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  metrics[metricKey('tuned', 'objectiveAuc')] = mean(curves.objective);
  metrics[metricKey('tuned', 'objectiveLate')] = mean(curves.objective.slice(Math.floor((3 * c.rounds) / 4)));
  score('tuned', policy);
  return { metrics, series, timings };
}
