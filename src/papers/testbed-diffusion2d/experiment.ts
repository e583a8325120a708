/**
 * The 2-D diffusion testbed's validity gate (notebooks/testbed-diffusion2d.ipynb): the cached pre-trained DDPM
 * denoiser (testbeds/diffusion2d/models/base-model.ts) is compared with the exact target p_ref on the grid, and a
 * copy is fine-tuned by DDPO with a KL anchor to it (testbeds/diffusion2d/methods/ddpo.ts) on a smooth reward,
 * whose optimum is the tilted target p_ref·exp(r/β)/Z (computed exactly on the grid). Every distribution is
 * compared by the KL of its sample histogram to the grid density, both on the coarse grid (the 128-cell grid
 * summed in `coarsen` × `coarsen` blocks). Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gmmSample } from '../../testbeds/diffusion2d/env/gmm';
import { gridGmm, gridKl, makeGrid2d, sampleModeMasses, tiltScorer } from '../../testbeds/diffusion2d/env/grid';
import { quadraticReward2d } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture } from '../../testbeds/diffusion2d/env/targets';
import { ddpoKlStep } from '../../testbeds/diffusion2d/methods/ddpo';
import {
  diffusion2dBase,
  RING8_DDPM_BASE,
  type Diffusion2dBaseSpec,
} from '../../testbeds/diffusion2d/models/base-model';
import { ddpmSample, exactEps } from '../../testbeds/diffusion2d/models/ddpm';
import type { EpsMlp } from '../../testbeds/diffusion2d/models/denoiser';
import { ddpmSchedule } from '../../testbeds/diffusion2d/models/schedule';

/** One seed's run (every field is used; the notebook overrides sizes per profile). */
export interface Config {
  /** The pre-trained denoiser (its target's prompt 0 is p_ref). */
  base: Diffusion2dBaseSpec;
  /** Smooth reward r(x) = −|x − c|²/(2s²). */
  rewardCenter: [number, number];
  rewardScale: number;
  /** KL weight β of the fine-tuning objective and of the tilted target exp(r/β). */
  beta: number;
  /** DDPO updates, trajectories per update, Adam learning rate (global-norm clip 1). */
  updates: number;
  batch: number;
  lr: number;
  /** Samples drawn from each model for its histogram. */
  evalSamples: number;
  /** Grid: n × n cells on [lo, hi]²; KLs on the grid coarsened by this factor. */
  gridN: number;
  gridLo: number;
  gridHi: number;
  coarsen: number;
}

export const DEFAULTS: Config = {
  base: RING8_DDPM_BASE,
  rewardCenter: [3, 0],
  rewardScale: 2,
  beta: 1,
  updates: 150,
  batch: 256,
  lr: 3e-4,
  evalSamples: 20000,
  gridN: 128,
  gridLo: -5,
  gridHi: 5,
  coarsen: 4,
};

/**
 * One seed. Metrics `<who>/<metric>` for who ∈ {exact (N exact samples of p_ref: the histogram floor), exactScore
 * (DDPM with the exact mixture score), base (pre-trained), ddpo (fine-tuned)} and metric ∈ {klRef (KL of the
 * histogram to p_ref), klTilt (to the tilted target), reward (mean r), outside (fraction outside the box),
 * modeMaxDev (largest |mode mass − weight|)}; `tilt/klRef` = KL(tilted ‖ p_ref) and `tilt/reward` = E_tilted[r] on
 * the grid. Series `ddpo/reward`, `ddpo/kl`, `ddpo/objective` per update; timings `ddpo/updateMs`, `base/sampleMs`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('testbed-diffusion2d');
  const g = promptMixture(c.base.target, 0);
  const grid = makeGrid2d(c.gridLo, c.gridHi, c.gridN);
  const reward = quadraticReward2d(c.rewardCenter, c.rewardScale);
  const pRef = gridGmm(grid, g);
  const tilt = tiltScorer(grid, pRef, reward, c.beta, c.coarsen);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const M = c.evalSamples;
  const score = (who: string, x: Float64Array) => {
    const f = tilt.score(x, M);
    metrics[metricKey(who, 'klRef')] = f.klRef;
    metrics[metricKey(who, 'klTilt')] = f.klTilt;
    metrics[metricKey(who, 'reward')] = f.reward;
    metrics[metricKey(who, 'outside')] = f.outside;
    const modes = sampleModeMasses(x, M, g);
    metrics[metricKey(who, 'modeMaxDev')] = Math.max(...Array.from(modes, (m, k) => Math.abs(m - g.w[k])));
  };
  metrics[metricKey('tilt', 'klRef')] = gridKl(tilt.qCoarse, tilt.pRefCoarse);
  metrics[metricKey('tilt', 'reward')] = tilt.tiltReward;
  score('exact', gmmSample(g, M, root.split('exact')).x);
  const sched = ddpmSchedule(c.base.schedule);
  score('exactScore', ddpmSample(sched, exactEps(sched, g), M, root.split('exactScore')).x0);
  const base = diffusion2dBase(c.base).model;
  const sampleFrom = (m: EpsMlp, label: string) =>
    ddpmSample(sched, (x, t, n) => m.predict(x, t, n), M, root.split('eval').split(label)).x0;
  let t0 = Date.now();
  score('base', sampleFrom(base, 'base'));
  timings[metricKey('base', 'sampleMs')] = Date.now() - t0;
  const policy = base.clone();
  const opt = new Adam(policy.mlp.size, { lr: c.lr, maxGradNorm: 1 });
  const train = root.split('ddpo');
  const curves = { reward: [] as number[], kl: [] as number[], objective: [] as number[] };
  t0 = Date.now();
  for (let u = 0; u < c.updates; u++) {
    const s = ddpoKlStep(policy, base, sched, reward, c.beta, c.batch, train.split(u), opt);
    curves.reward.push(s.reward);
    curves.kl.push(s.kl);
    curves.objective.push(s.objective);
  }
  timings[metricKey('ddpo', 'updateMs')] = (Date.now() - t0) / Math.max(1, c.updates);
  for (const [k, v] of Object.entries(curves)) series[metricKey('ddpo', k)] = v;
  score('ddpo', sampleFrom(policy, 'ddpo'));
  return { metrics, series, timings };
}
