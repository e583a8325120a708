/**
 * GRPO-Guard (Wang et al. 2025, arXiv 2510.22319) on the diffusion2d testbed: a rectified flow of the ring of eight
 * (exact velocity + a zero-initialised residual MLP, models/flow-policy.ts), sampled with Flow-GRPO's SDE (K steps,
 * noise level a), is fine-tuned on a hackable proxy reward, the x-coordinate r(x) = x₁ (unbounded: it keeps rising
 * off the data), while "quality" is the exact log-density of the pre-training distribution, log p_ref(x).
 * Methods (methods/flow-grpo.ts `flowGrpoRound`, the same rollouts, groups, inner steps and Adam per round):
 * - `flow-grpo`: Flow-GRPO's clipped ratio objective, no KL;
 * - `flow-grpo-kl`: the same with a strong KL to the pre-trained policy (β);
 * - `grpo-guard`: RatioNorm + cross-step 1/h reweighting, no KL (clip range ε̂ on the normalised ratio).
 * Diagnostics per denoising step over training (every minibatch evaluation after a round's first): mean raw
 * importance ratio, std of its log, fraction of positive-advantage rows in the clipped region (ρ > 1 + ε) and of
 * negative-advantage rows (ρ < 1 − ε), both for the ratio the method clips. Proxy and quality: of each round's
 * rollouts (series) and of ODE samples of the base and the tuned model (metrics).
 * Task entry point: `runSeed(config, seed)` runs one method (config.method) for one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gmmLogDensity, gmmSample } from '../../testbeds/diffusion2d/env/gmm';
import { linearReward2d } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture, RING8 } from '../../testbeds/diffusion2d/env/targets';
import { emptyFlowRatioStats, flowGrpoRound, type FlowRatioKind } from '../../testbeds/diffusion2d/methods/flow-grpo';
import { exactVelocity } from '../../testbeds/diffusion2d/models/flow';
import { ResidualVelocityMlp, type FlowRunSettings } from '../../testbeds/diffusion2d/models/flow-policy';

export type MethodName = 'flow-grpo' | 'flow-grpo-kl' | 'grpo-guard';

/** The method's ratio variant, clip range and KL weight. */
export function methodSettings(m: MethodName, c: Config): { kind: FlowRatioKind; clip: number; beta: number } {
  switch (m) {
    case 'flow-grpo':
      return { kind: 'flow-grpo', clip: c.clip, beta: 0 };
    case 'flow-grpo-kl':
      return { kind: 'flow-grpo', clip: c.clip, beta: c.betaStrong };
    case 'grpo-guard':
      return { kind: 'grpo-guard', clip: c.clipGuard, beta: 0 };
  }
}

/** One seed's run of one method (every field is used). */
export interface Config extends FlowRunSettings {
  method: MethodName;
  /** Proxy reward direction u: r(x) = u·x. */
  proxyDirection: [number, number];
  /** ε̂ of GRPO-Guard's normalised ratio (`clip` is Flow-GRPO's ε). */
  clipGuard: number;
  /** Strong KL weight of `flow-grpo-kl`. */
  betaStrong: number;
}

export const DEFAULTS: Config = {
  method: 'flow-grpo',
  K: 10,
  noise: 0.7,
  hidden: [64, 64],
  proxyDirection: [1, 0],
  rounds: 60,
  groups: 4,
  G: 16,
  epochs: 2,
  minibatches: 4,
  clip: 0.2,
  clipGuard: 0.06,
  betaStrong: 0.1,
  advClipMax: 5,
  lr: 2e-4,
  evalSamples: 2000,
};

/**
 * One seed of one method. Metrics `<who>/{proxy,quality}` for who ∈ {ref (exact samples of p_ref), base, tuned}
 * (ODE samples of the models), and for `tuned`
 * per step k = 1…K (k = K the noisiest): `ratioMean_k`, `logRatioStd_k`, `clipRatioMean_k`, `posClip_k`,
 * `negClip_k`, and their step-averages `ratioMean`, `posClip`, `negClip`, `clipRatioMean`, plus `maxRatioMean`,
 * `logRatioStdSpread` (largest over smallest per-step std of log ρ). Series per round: `tuned/{proxy,quality,kl}`
 * of the rollouts.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('grpo-guard-diffusion2d');
  const pref = promptMixture(RING8, 'all');
  const base = exactVelocity(pref);
  const reward = linearReward2d(c.proxyDirection);
  const policy = new ResidualVelocityMlp(base, c.K, c.hidden, root.split('init'));
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const M = c.evalSamples;
  const mean = (a: ArrayLike<number>): number => {
    let t = 0;
    for (let i = 0; i < a.length; i++) t += a[i];
    return t / a.length;
  };
  const score = (who: string) => {
    const x = policy.sampleOde(M, root.split('eval').split(who));
    metrics[metricKey(who, 'proxy')] = mean(reward.value(x, M));
    metrics[metricKey(who, 'quality')] = mean(gmmLogDensity(pref, x, M));
  };
  const ref = gmmSample(pref, M, root.split('eval').split('ref')).x;
  metrics[metricKey('ref', 'quality')] = mean(gmmLogDensity(pref, ref, M));
  metrics[metricKey('ref', 'proxy')] = mean(reward.value(ref, M));
  score('base');
  const s = methodSettings(c.method, c);
  const opt = new Adam(policy.size, { lr: c.lr, maxGradNorm: 1 });
  const stats = emptyFlowRatioStats(c.K);
  const train = root.split('train');
  const curves = { proxy: [] as number[], quality: [] as number[], kl: [] as number[] };
  const N = c.groups * c.G;
  const t0 = Date.now();
  for (let u = 0; u < c.rounds; u++) {
    const r = flowGrpoRound(
      policy,
      reward,
      {
        ...s,
        K: c.K,
        noise: c.noise,
        groups: c.groups,
        G: c.G,
        epochs: c.epochs,
        minibatches: c.minibatches,
        advClipMax: c.advClipMax,
      },
      train.split(u),
      opt,
      stats,
    );
    curves.proxy.push(r.reward);
    curves.quality.push(mean(gmmLogDensity(pref, r.x0, N)));
    curves.kl.push(r.kl);
  }
  timings[metricKey('tuned', 'roundMs')] = (Date.now() - t0) / Math.max(1, c.rounds);
  for (const [k, v] of Object.entries(curves)) series[metricKey('tuned', k)] = v;
  const per = { ratioMean: [] as number[], logRatioStd: [] as number[], clipRatioMean: [] as number[] };
  const pos: number[] = [],
    neg: number[] = [];
  for (let k = 1; k <= c.K; k++) {
    const n = stats.rows[k];
    const m = stats.logSum[k] / n;
    const vals = {
      ratioMean: stats.ratioSum[k] / n,
      logRatioStd: Math.sqrt(Math.max(0, stats.logSq[k] / n - m * m)),
      clipRatioMean: stats.clipRatioSum[k] / n,
      posClip: stats.posClipped[k] / Math.max(1, stats.posRows[k]),
      negClip: stats.negClipped[k] / Math.max(1, stats.negRows[k]),
    };
    for (const [name, v] of Object.entries(vals)) metrics[metricKey('tuned', `${name}_${k}`)] = v;
    per.ratioMean.push(vals.ratioMean);
    per.logRatioStd.push(vals.logRatioStd);
    per.clipRatioMean.push(vals.clipRatioMean);
    pos.push(vals.posClip);
    neg.push(vals.negClip);
  }
  metrics[metricKey('tuned', 'ratioMean')] = mean(per.ratioMean);
  metrics[metricKey('tuned', 'maxRatioMean')] = Math.max(...per.ratioMean);
  metrics[metricKey('tuned', 'clipRatioMean')] = mean(per.clipRatioMean);
  metrics[metricKey('tuned', 'logRatioStdSpread')] = Math.max(...per.logRatioStd) / Math.min(...per.logRatioStd);
  metrics[metricKey('tuned', 'posClip')] = mean(pos);
  metrics[metricKey('tuned', 'negClip')] = mean(neg);
  metrics[metricKey('tuned', 'klLate')] = mean(curves.kl.slice(Math.floor((3 * c.rounds) / 4)));
  score('tuned');
  return { metrics, series, timings };
}

/** Centred moving average over `window` rounds (shrinking at the ends). */
export function movingAverage(a: readonly number[], window = 3): number[] {
  const h = Math.floor(window / 2);
  return a.map((_, i) => {
    const w = a.slice(Math.max(0, i - h), i + h + 1);
    return w.reduce((x, y) => x + y, 0) / w.length;
  });
}

/**
 * The rollouts' quality when their proxy first reaches `level` (both series smoothed by a centred moving average,
 * linear interpolation between the two rounds around the crossing); NaN when the proxy never reaches it.
 */
export function qualityAtProxy(
  proxy: readonly number[],
  quality: readonly number[],
  level: number,
  window = 3,
): number {
  const p = movingAverage(proxy, window),
    q = movingAverage(quality, window);
  for (let i = 0; i < p.length; i++) {
    if (p[i] >= level) {
      if (i === 0) return q[0];
      const w = (level - p[i - 1]) / (p[i] - p[i - 1]);
      return q[i - 1] + w * (q[i] - q[i - 1]);
    }
  }
  return NaN;
}
