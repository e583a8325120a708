/**
 * Advantage Weighted Matching (Xue et al. 2025, arXiv 2509.25050) on the diffusion2d testbed: a rectified flow of
 * the ring of eight (exact velocity + a zero-initialised residual MLP, models/flow-policy.ts), sampled with
 * Flow-GRPO's SDE (K steps, noise level a), fine-tuned on the smooth reward r(x) = −|x − c|²/(2s²) (c = (3, 0),
 * s = 2: the testbed protocol's 'mode' task, whose maximum lies on a mode of the data). Quality is the exact
 * log-density of the pre-training distribution, log p_ref(x).
 * Methods (identical rollouts per round: groups × G SDE trajectories, group-normalised advantages, epochs ×
 * minibatches Adam steps, same learning rate, no KL):
 * - `flow-grpo`: Flow-GRPO's clipped per-step likelihood-ratio objective (methods/flow-grpo.ts `flowGrpoRound`);
 * - `awm`: the advantage-weighted flow-matching surrogate on the rollouts' final samples re-noised at every grid
 *   time (methods/awm.ts `awmRound`).
 * - `probe` (no training): at the pre-trained model, R independent rollout batches; for each, both methods'
 *   on-policy gradients (noise-to-signal ratio and cosine to the mean of the other draws), and per grid step the
 *   mean squared deviation of the two regression targets from the exact velocity: Flow-GRPO's implicit noisy target
 *   ṽ(x_t, x_{t−h}) against AWM's clean target ε − x_0.
 * Task entry point: `runSeed(config, seed)`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gmmLogDensity, gmmSample } from '../../testbeds/diffusion2d/env/gmm';
import { quadraticReward2d } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture, RING8 } from '../../testbeds/diffusion2d/env/targets';
import {
  awmGradient,
  awmRound,
  awmRows,
  flowGrpoOnPolicyGradient,
  flowNoisyTarget,
  flowSdeRollout,
  gradientNoiseToSignal,
} from '../../testbeds/diffusion2d/methods/awm';
import { emptyFlowRatioStats, flowGroupAdvantages, flowGrpoRound } from '../../testbeds/diffusion2d/methods/flow-grpo';
import { exactVelocity, flowTimes } from '../../testbeds/diffusion2d/models/flow';
import { ResidualVelocityMlp, type FlowRunSettings } from '../../testbeds/diffusion2d/models/flow-policy';

export type MethodName = 'flow-grpo' | 'awm' | 'probe';

/** One seed's run of one method (every field is used). */
export interface Config extends FlowRunSettings {
  method: MethodName;
  /** Reward r(x) = −|x − c|²/(2s²). */
  rewardCenter: [number, number];
  rewardScale: number;
  /** Clip range of AWM's ratio (the released AWM configs use 1; `clip` is Flow-GRPO's). */
  clipAwm: number;
  /** Probe: independent rollout batches (each groups × G trajectories) and exact-velocity target samples. */
  probeBatches: number;
  targetSamples: number;
}

export const DEFAULTS: Config = {
  method: 'flow-grpo',
  K: 10,
  noise: 0.7,
  hidden: [64, 64],
  rewardCenter: [3, 0],
  rewardScale: 2,
  rounds: 40,
  groups: 4,
  G: 16,
  epochs: 1,
  minibatches: 4,
  clip: 0.2,
  clipAwm: 1,
  advClipMax: 5,
  lr: 1e-3,
  evalSamples: 2000,
  probeBatches: 24,
  targetSamples: 2000,
};

const mean = (a: ArrayLike<number>): number => {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i];
  return t / a.length;
};

/**
 * Training runs (`flow-grpo`, `awm`): metrics `<who>/{reward,quality}` for who ∈ {ref (exact samples of p_ref),
 * base, tuned} (ODE samples), series per round `tuned/{reward,quality}` of the rollouts (SDE samples; reward
 * queries = (round + 1)·groups·G), timing `tuned/roundMs`.
 * Probe (`probe`): `flow-grpo/nsr`, `awm/nsr`, `flow-grpo/cosine`, `awm/cosine`, `probe/logNsrRatio` (log of
 * Flow-GRPO's over AWM's), per step k `probe/noisyTargetMse_k`, `probe/cleanTargetMse_k`, their step means
 * `probe/{noisy,clean}TargetMse` and `probe/logTargetMseRatio`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('awm-diffusion2d');
  const pref = promptMixture(RING8, 'all');
  const base = exactVelocity(pref);
  const reward = quadraticReward2d(c.rewardCenter, c.rewardScale);
  const policy = new ResidualVelocityMlp(base, c.K, c.hidden, root.split('init'));
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const N = c.groups * c.G;
  if (c.method === 'probe') return { metrics: probe(c, policy, reward, pref, root.split('probe')), series, timings };
  const M = c.evalSamples;
  const score = (who: string) => {
    const x = policy.sampleOde(M, root.split('eval').split(who));
    metrics[metricKey(who, 'reward')] = mean(reward.value(x, M));
    metrics[metricKey(who, 'quality')] = mean(gmmLogDensity(pref, x, M));
  };
  const ref = gmmSample(pref, M, root.split('eval').split('ref')).x;
  metrics[metricKey('ref', 'quality')] = mean(gmmLogDensity(pref, ref, M));
  metrics[metricKey('ref', 'reward')] = mean(reward.value(ref, M));
  score('base');
  const opt = new Adam(policy.size, { lr: c.lr, maxGradNorm: 1 });
  const stats = emptyFlowRatioStats(c.K);
  const train = root.split('train');
  const curves = { reward: [] as number[], quality: [] as number[] };
  const t0 = Date.now();
  for (let u = 0; u < c.rounds; u++) {
    const r =
      c.method === 'awm'
        ? awmRound(
            policy,
            reward,
            {
              noise: c.noise,
              groups: c.groups,
              G: c.G,
              epochs: c.epochs,
              minibatches: c.minibatches,
              clip: c.clipAwm,
              beta: 0,
              advClipMax: c.advClipMax,
            },
            train.split(u),
            opt,
          )
        : flowGrpoRound(
            policy,
            reward,
            {
              kind: 'flow-grpo',
              K: c.K,
              noise: c.noise,
              groups: c.groups,
              G: c.G,
              epochs: c.epochs,
              minibatches: c.minibatches,
              clip: c.clip,
              beta: 0,
              advClipMax: c.advClipMax,
            },
            train.split(u),
            opt,
            stats,
          );
    curves.reward.push(r.reward);
    curves.quality.push(mean(gmmLogDensity(pref, r.x0, N)));
  }
  timings[metricKey('tuned', 'roundMs')] = (Date.now() - t0) / Math.max(1, c.rounds);
  for (const [k, v] of Object.entries(curves)) series[metricKey('tuned', k)] = v;
  score('tuned');
  return { metrics, series, timings };
}

/** The gradient and target-variance probe at the pre-trained model (see `runSeed`). */
function probe(
  c: Config,
  policy: ResidualVelocityMlp,
  reward: ReturnType<typeof quadraticReward2d>,
  pref: ReturnType<typeof promptMixture>,
  rng: Rng,
): Record<string, number> {
  const N = c.groups * c.G;
  const out: Record<string, number> = {};
  const gF: Float64Array[] = [],
    gA: Float64Array[] = [];
  for (let b = 0; b < c.probeBatches; b++) {
    const rb = rng.split('batch').split(b);
    const roll = flowSdeRollout(policy, N, c.noise, rb);
    const A = flowGroupAdvantages(reward.value(roll.x0, N), c.G, c.advClipMax);
    gF.push(flowGrpoOnPolicyGradient(policy, roll, A, c.noise));
    gA.push(awmGradient(policy, awmRows(policy, roll.x0, N, rb.split('awm')), A));
  }
  const f = gradientNoiseToSignal(gF),
    a = gradientNoiseToSignal(gA);
  out[metricKey('flow-grpo', 'nsr')] = f.nsr;
  out[metricKey('awm', 'nsr')] = a.nsr;
  out[metricKey('flow-grpo', 'cosine')] = f.cosine;
  out[metricKey('awm', 'cosine')] = a.cosine;
  out[metricKey('probe', 'logNsrRatio')] = Math.log(f.nsr / a.nsr);
  // Targets: Flow-GRPO's implicit noisy target from SDE transitions of the pre-trained flow, AWM's clean target
  // ε − x_0 with x_0 exact samples of p_ref; both against the exact velocity v*(x_t, t).
  const T = c.targetSamples;
  const ts = flowTimes(c.K);
  const roll = flowSdeRollout(policy, T, c.noise, rng.split('targets'));
  const x0 = gmmSample(pref, T, rng.split('clean')).x;
  let noisySum = 0,
    cleanSum = 0;
  for (let k = 1; k <= c.K; k++) {
    const t = ts[k],
      h = ts[k] - ts[k - 1];
    const xk = new Float64Array(2 * T),
      xn = new Float64Array(2 * T);
    for (let n = 0; n < T; n++) {
      const r = n * c.K + (k - 1);
      for (let d = 0; d < 2; d++) {
        xk[2 * n + d] = roll.xt[2 * r + d];
        xn[2 * n + d] = roll.xn[2 * r + d];
      }
    }
    const vStar = policy.base(xk, t, T);
    let noisy = 0;
    for (let i = 0; i < 2 * T; i++) noisy += (flowNoisyTarget(xk[i], xn[i], t, h, c.noise) - vStar[i]) ** 2 / T;
    const eps = rng
      .split('clean-eps')
      .split(k)
      .normals(2 * T);
    const xc = new Float64Array(2 * T);
    for (let i = 0; i < 2 * T; i++) xc[i] = (1 - t) * x0[i] + t * eps[i];
    const vc = policy.base(xc, t, T);
    let clean = 0;
    for (let i = 0; i < 2 * T; i++) clean += (eps[i] - x0[i] - vc[i]) ** 2 / T;
    out[metricKey('probe', `noisyTargetMse_${k}`)] = noisy;
    out[metricKey('probe', `cleanTargetMse_${k}`)] = clean;
    noisySum += noisy / c.K;
    cleanSum += clean / c.K;
  }
  out[metricKey('probe', 'noisyTargetMse')] = noisySum;
  out[metricKey('probe', 'cleanTargetMse')] = cleanSum;
  out[metricKey('probe', 'logTargetMseRatio')] = Math.log(noisySum / cleanSum);
  return out;
}

/** Centred moving average over `window` rounds (shrinking at the ends). */
export function smoothSeries(a: readonly number[], window = 3): number[] {
  const h = Math.floor(window / 2);
  return a.map((_, i) => {
    const w = a.slice(Math.max(0, i - h), i + h + 1);
    return w.reduce((x, y) => x + y, 0) / w.length;
  });
}

/**
 * Rounds (1-based, fractional by linear interpolation) until the smoothed series first reaches `level`; `cap` when
 * it never does (censored: a method that never reaches it is credited with the whole run).
 */
export function roundsToLevel(s: readonly number[], level: number, cap: number, window = 3): number {
  const p = smoothSeries(s, window);
  for (let i = 0; i < p.length; i++) {
    if (p[i] >= level) {
      if (i === 0) return 1;
      return i + (level - p[i - 1]) / (p[i] - p[i - 1]);
    }
  }
  return cap;
}

/** The second series' smoothed value when the first's smoothed value first reaches `level` (NaN if never). */
export function valueAtLevel(s: readonly number[], q: readonly number[], level: number, window = 3): number {
  const p = smoothSeries(s, window),
    v = smoothSeries(q, window);
  for (let i = 0; i < p.length; i++) {
    if (p[i] >= level) {
      if (i === 0) return v[0];
      const w = (level - p[i - 1]) / (p[i] - p[i - 1]);
      return v[i - 1] + w * (v[i] - v[i - 1]);
    }
  }
  return NaN;
}
