/**
 * SePPO (Zhang et al. 2024, arXiv 2410.05255) on the diffusion2d testbed. The prompt-conditional DDPM (ring of eight,
 * four prompts, models/conditional-base.ts) is aligned from WINNING samples only: a fixed set of winners per prompt
 * drawn exactly from the tilted target p_c(x)·exp(r(x)/β*)/Z_c (r a quadratic preference centred at (3, 0); rejection
 * sampling, exact because r ≤ 0). No reward model and no human losers are available to any method. Methods, at the
 * same winners, iterations, gradient steps and batch (methods/diffusion-preference.ts):
 * - `sft`: denoising loss on the winners;
 * - `diffusion-dpo`: Diffusion-DPO (eq. 14 of Wallace et al.) with the frozen pre-trained model as reference and its
 *   samples as losers (the paired-data stand-in: losers from the initial model);
 * - `spin`: SPIN-Diffusion-like self-play: reference = the checkpoint at the start of the iteration, its samples are
 *   always losers;
 * - `seppo`: reference = a checkpoint drawn uniformly from all previous ones (the paper's reference selection),
 *   its samples judged by the anchor criterion (loser → DPO; winner → SFT on the winner).
 * Score: KL of per-prompt histograms to the exact tilted target on the grid (coarse), mean over prompts.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gmmSample } from '../../testbeds/diffusion2d/env/gmm';
import {
  gridCoarsen,
  gridGmm,
  gridHistogram,
  gridKl,
  gridTilt,
  makeGrid2d,
  rewardOnGrid,
} from '../../testbeds/diffusion2d/env/grid';
import { quadraticReward2d } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture } from '../../testbeds/diffusion2d/env/targets';
import { diffusionPreferenceStep } from '../../testbeds/diffusion2d/methods/diffusion-preference';
import { diffusion2dBase, type Diffusion2dBaseSpec } from '../../testbeds/diffusion2d/models/base-model';
import { RING8_COND_DDPM_BASE } from '../../testbeds/diffusion2d/models/conditional-base';
import { ddpmSample } from '../../testbeds/diffusion2d/models/ddpm';
import type { EpsMlp } from '../../testbeds/diffusion2d/models/denoiser';
import { ddpmSchedule } from '../../testbeds/diffusion2d/models/schedule';

export type MethodName = 'sft' | 'diffusion-dpo' | 'spin' | 'seppo';
export const METHOD_NAMES: MethodName[] = ['sft', 'diffusion-dpo', 'spin', 'seppo'];

/** One seed's run of one method (every field is used). */
export interface Config {
  method: MethodName;
  base: Diffusion2dBaseSpec;
  /** Hidden preference r(x) = −|x − c|²/(2s²) defining the winners, and its temperature β*. */
  rewardCenter: [number, number];
  rewardScale: number;
  targetBeta: number;
  /** Winning samples per prompt (the only data). */
  winnersPerPrompt: number;
  /** Iterations (checkpoints), Adam steps per iteration, pairs per step, reference samples per prompt per iteration. */
  iterations: number;
  stepsPerIteration: number;
  batch: number;
  refSamplesPerPrompt: number;
  /** DPO β (T·ω(λ_t) folded in) and Adam learning rate. */
  dpoBeta: number;
  lr: number;
  evalSamples: number;
  gridN: number;
  gridLo: number;
  gridHi: number;
  coarsen: number;
}

export const DEFAULTS: Config = {
  method: 'seppo',
  base: RING8_COND_DDPM_BASE,
  rewardCenter: [3, 0],
  rewardScale: 2,
  targetBeta: 1,
  winnersPerPrompt: 64,
  iterations: 4,
  stepsPerIteration: 40,
  batch: 64,
  refSamplesPerPrompt: 64,
  dpoBeta: 50,
  lr: 3e-4,
  evalSamples: 1500,
  gridN: 128,
  gridLo: -5,
  gridHi: 5,
  coarsen: 4,
};

/** Exact samples of p·exp(r/β) for r ≤ 0 by rejection from p (accept with probability exp(r/β)). */
export function tiltedWinners(
  mix: Parameters<typeof gmmSample>[0],
  reward: { value(x: Float64Array, N: number): Float64Array },
  beta: number,
  N: number,
  rng: Rng,
): Float64Array {
  const out = new Float64Array(2 * N);
  let k = 0,
    round = 0;
  while (k < N) {
    const x = gmmSample(mix, 4 * N, rng.split(round++)).x;
    const r = reward.value(x, 4 * N);
    const u = rng.split(`u${round}`);
    for (let n = 0; n < 4 * N && k < N; n++) {
      if (r[n] > 0) throw new RangeError('seppo.tiltedWinners: needs r ≤ 0');
      if (u.uniform() < Math.exp(r[n] / beta)) {
        out[2 * k] = x[2 * n];
        out[2 * k + 1] = x[2 * n + 1];
        k++;
      }
    }
  }
  return out;
}

/**
 * One seed of one method. Metrics `<who>/klTilt` (KL of per-prompt histograms to the tilted targets, mean over
 * prompts), `<who>/klRef`, `<who>/reward`, `<who>/outside` for who ∈ {base, tuned}; `tuned/loserFraction` (mean
 * fraction of pairs judged losers). Series `tuned/klTilt` per iteration (evaluated on evalSamples/4 per prompt).
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('seppo-diffusion2d');
  const P = c.base.target.prompts.length;
  const grid = makeGrid2d(c.gridLo, c.gridHi, c.gridN);
  const reward = quadraticReward2d(c.rewardCenter, c.rewardScale);
  const rGrid = rewardOnGrid(grid, reward);
  const coarse = (p: Float64Array) => gridCoarsen(grid, p, c.coarsen).p;
  const refs = Array.from({ length: P }, (_, p) => gridGmm(grid, promptMixture(c.base.target, p)));
  const tilts = refs.map((p) => coarse(gridTilt(p, rGrid, c.targetBeta).q));
  const refsC = refs.map(coarse);
  const sched = ddpmSchedule(c.base.schedule);
  const base = diffusion2dBase(c.base).model;
  const metrics: Record<string, number> = {};
  const sample = (m: EpsMlp, p: number, M: number, rng: Rng) =>
    ddpmSample(sched, (x, t, n) => m.predict(x, t, n, p), M, rng).x0;
  const score = (m: EpsMlp, M: number, label: string) => {
    let kt = 0,
      kr = 0,
      rw = 0,
      out = 0;
    for (let p = 0; p < P; p++) {
      const x = sample(m, p, M, root.split('eval').split(label).split(p));
      const hist = gridHistogram(grid, x, M);
      out += hist.outside / P;
      const h = coarse(hist.p);
      kt += gridKl(h, tilts[p]) / P;
      kr += gridKl(h, refsC[p]) / P;
      rw += reward.value(x, M).reduce((a, b) => a + b, 0) / M / P;
    }
    return { kt, kr, rw, out };
  };
  const put = (who: string, s: { kt: number; kr: number; rw: number; out: number }) => {
    metrics[metricKey(who, 'klTilt')] = s.kt;
    metrics[metricKey(who, 'klRef')] = s.kr;
    metrics[metricKey(who, 'reward')] = s.rw;
    metrics[metricKey(who, 'outside')] = s.out;
  };
  put('base', score(base, c.evalSamples, 'base'));
  const data = root.split('winners');
  const W = c.winnersPerPrompt;
  const winners = Array.from({ length: P }, (_, p) =>
    tiltedWinners(promptMixture(c.base.target, p), reward, c.targetBeta, W, data.split(p)),
  );
  const policy = base.clone();
  const opt = new Adam(policy.mlp.size, { lr: c.lr, maxGradNorm: 1 });
  const train = root.split('train').split(c.method);
  const checkpoints: EpsMlp[] = [];
  const klCurve: number[] = [];
  let loserAcc = 0,
    steps = 0;
  const L = c.refSamplesPerPrompt;
  const t0 = Date.now();
  for (let it = 0; it < c.iterations; it++) {
    const ti = train.split(it);
    checkpoints.push(policy.clone());
    const ref =
      c.method === 'seppo'
        ? checkpoints[ti.split('ref').int(checkpoints.length)]
        : c.method === 'spin'
          ? checkpoints[checkpoints.length - 1]
          : base;
    const refSamples =
      c.method === 'sft' ? null : Array.from({ length: P }, (_, p) => sample(ref, p, L, ti.split('refs').split(p)));
    const opts = { beta: c.dpoBeta, anchor: c.method === 'seppo', sft: c.method === 'sft' };
    for (let s = 0; s < c.stepsPerIteration; s++) {
      const r = ti.split('step').split(s);
      const pick = r.split('pick');
      const B = c.batch;
      const prompts = new Int32Array(B);
      const xw = new Float64Array(2 * B),
        xl = new Float64Array(2 * B);
      for (let n = 0; n < B; n++) {
        const p = pick.int(P);
        prompts[n] = p;
        const i = pick.int(W);
        xw[2 * n] = winners[p][2 * i];
        xw[2 * n + 1] = winners[p][2 * i + 1];
        const src = refSamples ? refSamples[p] : winners[p];
        const j = refSamples ? pick.int(L) : i;
        xl[2 * n] = src[2 * j];
        xl[2 * n + 1] = src[2 * j + 1];
      }
      const st = diffusionPreferenceStep(policy, ref, sched, xw, xl, prompts, opts, r, opt);
      loserAcc += st.loserFraction;
      steps++;
    }
    klCurve.push(score(policy, Math.floor(c.evalSamples / 4), `it${it}`).kt);
  }
  const timings = { [metricKey('tuned', 'trainMs')]: Date.now() - t0 };
  metrics[metricKey('tuned', 'loserFraction')] = loserAcc / Math.max(1, steps);
  put('tuned', score(policy, c.evalSamples, 'tuned'));
  return { metrics, series: { [metricKey('tuned', 'klTilt')]: klCurve }, timings };
}
