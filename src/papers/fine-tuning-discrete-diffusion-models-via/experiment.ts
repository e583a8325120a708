/**
 * DRAKES (Wang et al. 2024, arXiv 2410.13643) on the diffusion2d testbed's masked discrete diffusion: "DNA" of length
 * L = 5 over K = 4 letters (A, C, G, T) from a known first-order Markov chain with CpG depletion (C→G rare; the
 * naturalness score is the exact log-likelihood under this chain). A masked diffusion model (MLP denoiser, T reverse
 * steps) is pre-trained per seed on chain samples with the MDLM loss. Reward ("activity oracle"): r(x) = 0.5·#G +
 * 1.5·#CG, differentiable on relaxed one-hot inputs; it favours the unnatural CG dinucleotide. Target of the KL-
 * regularised problem: p_pre(x)·exp(r(x)/α)/Z, computed exactly over the 4^5 sequences.
 *
 * One record per seed holds every method (they share the pre-trained model of that seed):
 * - `pretrained`: the pre-trained sampler;
 * - `cg`: classifier guidance with γ = 1/α (exact distribution by enumeration);
 * - `smc`: SMC with the pre-trained proposal and weights exp(Δv/α);
 * - `tds`: TDS (SMC with the CG proposal, γ = 1/α);
 * - `drakes`: DRAKES fine-tuning with KL weight α;
 * - `drakesNoKl`: DRAKES w/o KL (α = 0 in the loss), same steps.
 * Metrics per method: reward, logLik (mean log-likelihood under the data chain), tvTilt (TV between the histogram of
 * evalSamples samples and the exact tilted target; the same sample size for every method), rewardQueries (reward
 * evaluations or reward gradients spent, training plus sampling of evalSamples sequences). Enumerable methods also
 * have exact `rewardExact`, `logLikExact`, `tvTiltExact`, `klTilt` (KL(p‖p_tilt)) and `klPre` (KL(p‖p_pre)).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import {
  discreteKl,
  discreteTv,
  markovDistribution,
  markovLogProb,
  markovSequenceModel,
  motifReward,
  rewardOnSequences,
  sequenceHistogram,
  sequenceOfIndex,
  tiltSequences,
  type MarkovSequenceModel,
} from '../../testbeds/diffusion2d/env/sequence-targets';
import { drakesStep } from '../../testbeds/diffusion2d/methods/drakes';
import { classifierGuidedKernel, maskedSmcSample } from '../../testbeds/diffusion2d/methods/masked-guidance';
import {
  denoiserKernel,
  exactMaskedDistribution,
  MaskedDenoiser,
  pretrainMaskedDenoiser,
} from '../../testbeds/diffusion2d/models/masked-diffusion';

export const WHO = ['pretrained', 'cg', 'smc', 'tds', 'drakes', 'drakesNoKl'] as const;
export type Who = (typeof WHO)[number];

export interface Config {
  /** Sequence length, alphabet size (fixed by the chain below: 4) and reverse steps T. */
  L: number;
  T: number;
  /** Data chain: initial distribution and transition rows (A, C, G, T). */
  init: number[];
  trans: number[][];
  /** Reward r(x) = Σ u[x_i] + Σ B[x_i, x_{i+1}]. */
  rewardU: number[];
  rewardB: number[][];
  /** KL weight α of DRAKES, and the tilt temperature shared by every method's target (CG γ = 1/α, SMC/TDS α). */
  alpha: number;
  /** Denoiser hidden widths; pre-training steps, batch and learning rate. */
  hidden: number[];
  pretrainSteps: number;
  pretrainBatch: number;
  pretrainLr: number;
  /** DRAKES: Adam steps, trajectories per step, learning rate, gradient-norm clip, Gumbel τ, truncation. */
  steps: number;
  batch: number;
  lr: number;
  clip: number;
  tau: number;
  truncate: number;
  /** Samples per method for the sample-based metrics; SMC/TDS particle batch. */
  evalSamples: number;
  particles: number;
}

export const DEFAULTS: Config = {
  L: 5,
  T: 6,
  init: [0.3, 0.2, 0.2, 0.3],
  trans: [
    [0.4, 0.2, 0.25, 0.15],
    [0.35, 0.3, 0.05, 0.3],
    [0.25, 0.3, 0.3, 0.15],
    [0.2, 0.25, 0.3, 0.25],
  ],
  rewardU: [0, 0, 0.5, 0],
  rewardB: [
    [0, 0, 0, 0],
    [0, 0, 1.5, 0],
    [0, 0, 0, 0],
    [0, 0, 0, 0],
  ],
  alpha: 0.5,
  hidden: [128, 128],
  pretrainSteps: 3000,
  pretrainBatch: 256,
  pretrainLr: 2e-3,
  steps: 300,
  batch: 64,
  lr: 1e-3,
  clip: 1,
  tau: 1,
  truncate: 6,
  evalSamples: 2048,
  particles: 64,
};

export function dataChain(c: Config): MarkovSequenceModel {
  return markovSequenceModel(c.L, c.init, c.trans);
}

/** Draw N sequences (N × L) from an exact distribution over sequence indices. */
function drawFrom(p: Float64Array, N: number, K: number, L: number, rng: Rng): Int32Array {
  const x = new Int32Array(N * L);
  for (let n = 0; n < N; n++) x.set(sequenceOfIndex(rng.categorical(p), K, L), n * L);
  return x;
}

export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('drakes-masked');
  const K = 4;
  const chain = dataChain(c);
  const reward = motifReward('cg-motif', K, c.L, c.rewardU, c.rewardB);
  const rAll = rewardOnSequences(reward);
  const pData = markovDistribution(chain);
  const logLikAll = pData.map((v) => Math.log(v));
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const t0 = Date.now();
  // pre-training
  const base = new MaskedDenoiser({ K, L: c.L, T: c.T, hidden: c.hidden }, root.split('init'));
  const popt = new Adam(base.mlp.size, { lr: c.pretrainLr });
  const pcurve = pretrainMaskedDenoiser(base, chain, c.pretrainSteps, c.pretrainBatch, popt, root.split('pretrain'));
  timings[metricKey('pretrained', 'trainMs')] = Date.now() - t0;
  const pPre = exactMaskedDistribution(denoiserKernel(base), K, c.L, c.T).p;
  const tilt = tiltSequences(pPre, rAll, c.alpha).q;
  metrics[metricKey('pretrained', 'klDataPre')] = discreteKl(pData, pPre);
  metrics[metricKey('pretrained', 'finalLoss')] = pcurve.slice(-100).reduce((a, b) => a + b, 0) / 100;
  metrics[metricKey('target', 'rewardExact')] = dot(tilt, rAll);
  metrics[metricKey('target', 'logLikExact')] = dot(tilt, logLikAll);
  metrics[metricKey('data', 'rewardExact')] = dot(pData, rAll);
  metrics[metricKey('data', 'logLikExact')] = dot(pData, logLikAll);
  const E = c.evalSamples;
  const sampleMetrics = (who: Who, x: Int32Array, queries: number) => {
    const r = reward.value(x, E);
    let ll = 0;
    for (let n = 0; n < E; n++) ll += markovLogProb(chain, x.subarray(n * c.L, (n + 1) * c.L)) / E;
    metrics[metricKey(who, 'reward')] = r.reduce((a, b) => a + b, 0) / E;
    metrics[metricKey(who, 'logLik')] = ll;
    metrics[metricKey(who, 'tvTilt')] = discreteTv(sequenceHistogram(x, E, K, c.L), tilt);
    metrics[metricKey(who, 'rewardQueries')] = queries;
  };
  const exactMetrics = (who: Who, p: Float64Array) => {
    metrics[metricKey(who, 'rewardExact')] = dot(p, rAll);
    metrics[metricKey(who, 'logLikExact')] = dot(p, logLikAll);
    metrics[metricKey(who, 'tvTiltExact')] = discreteTv(p, tilt);
    metrics[metricKey(who, 'klTilt')] = discreteKl(p, tilt);
    metrics[metricKey(who, 'klPre')] = discreteKl(p, pPre);
  };
  const ev = root.split('eval');
  // pre-trained
  exactMetrics('pretrained', pPre);
  sampleMetrics('pretrained', drawFrom(pPre, E, K, c.L, ev.split('pretrained')), 0);
  // classifier guidance, γ = 1/α
  const pCg = exactMaskedDistribution(classifierGuidedKernel(base, reward, 1 / c.alpha), K, c.L, c.T).p;
  exactMetrics('cg', pCg);
  sampleMetrics('cg', drawFrom(pCg, E, K, c.L, ev.split('cg')), E * c.T);
  // SMC and TDS
  for (const who of ['smc', 'tds'] as const) {
    const B = c.particles;
    const x = new Int32Array(E * c.L);
    let q = 0;
    for (let b = 0; b * B < E; b++) {
      const n = Math.min(B, E - b * B);
      const out = maskedSmcSample(
        base,
        reward,
        { alpha: c.alpha, proposalGamma: who === 'tds' ? 1 / c.alpha : 0 },
        n,
        ev.split(who).split(b),
      );
      x.set(out.x, b * B * c.L);
      q += out.rewardQueries;
    }
    sampleMetrics(who, x, q);
  }
  // DRAKES with and without the KL term
  for (const who of ['drakes', 'drakesNoKl'] as const) {
    const t1 = Date.now();
    const policy = base.clone();
    const ref = base.clone();
    const opt = new Adam(policy.mlp.size, { lr: c.lr, maxGradNorm: c.clip });
    const alpha = who === 'drakes' ? c.alpha : 0;
    const tr = root.split('train').split(who);
    const rc: number[] = [],
      kc: number[] = [];
    for (let s = 0; s < c.steps; s++) {
      const st = drakesStep(
        policy,
        ref,
        reward,
        { alpha, tau: c.tau, truncate: c.truncate },
        c.batch,
        tr.split(s),
        opt,
      );
      rc.push(st.reward);
      kc.push(st.kl);
    }
    timings[metricKey(who, 'trainMs')] = Date.now() - t1;
    const ex = exactMaskedDistribution(denoiserKernel(policy), K, c.L, c.T, denoiserKernel(base));
    exactMetrics(who, ex.p);
    metrics[metricKey(who, 'pathKl')] = ex.pathKl;
    sampleMetrics(who, drawFrom(ex.p, E, K, c.L, ev.split(who)), c.steps * c.batch);
    series[metricKey(who, 'trainReward')] = rc;
    if (who === 'drakes') series[metricKey(who, 'trainKl')] = kc;
  }
  return { metrics, series, timings };
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}
