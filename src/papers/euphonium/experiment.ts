/**
 * Euphonium (Zhong et al. 2026, arXiv 2602.04928) on the diffusion2d testbed: the rectified flow of the ring of
 * eight (exact velocity + a zero-initialised residual MLP, models/flow-policy.ts), sampled with Flow-GRPO's SDE
 * (K steps, noise level a), is fine-tuned on a smooth outcome reward r(x) = −|x − c|²/(2s²) whose peak c lies off
 * the data. Methods (the same rollouts per round = the same outcome-reward queries, the same Adam steps):
 * - `flow-grpo`: Flow-GRPO's clipped objective, undirected SDE noise (methods/flow-grpo.ts `flowGrpoRound`, β = 0);
 * - `euphonium`: PRM-gradient-guided SDE rollouts (λ) + Dual-Reward GRPO (outcome + process advantages);
 * - `guidance-only`: the guided rollouts with the outcome advantage only (ablation of the process advantage).
 * The PRM is exact-by-construction (methods/prm-guided-sde.ts `prmOneStep`): r at the base flow's one-step prediction.
 * Every round, besides the rollouts' reward, a guidance-free Euler ODE evaluation of the current policy (fixed
 * noise per round, the same for every method) measures what the network has internalised.
 * Task entry point: `runSeed(config, seed)` runs one method (config.method) for one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gmmLogDensity, gmmSample } from '../../testbeds/diffusion2d/env/gmm';
import { quadraticReward2d } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture, RING8 } from '../../testbeds/diffusion2d/env/targets';
import { emptyFlowRatioStats, flowGrpoRound } from '../../testbeds/diffusion2d/methods/flow-grpo';
import { euphoniumRound, prmOneStep } from '../../testbeds/diffusion2d/methods/prm-guided-sde';
import { exactVelocity } from '../../testbeds/diffusion2d/models/flow';
import { ResidualVelocityMlp, type FlowRunSettings } from '../../testbeds/diffusion2d/models/flow-policy';

export type MethodName = 'flow-grpo' | 'euphonium' | 'guidance-only';

/** One seed's run of one method (every field is used). */
export interface Config extends FlowRunSettings {
  method: MethodName;
  /** Outcome reward peak c and scale s: r(x) = −|x − c|²/(2s²). */
  rewardCenter: [number, number];
  rewardScale: number;
  /** Guidance strength λ of the normalised PRM gradient (the released code's default 0.1). */
  guidance: number;
  /** Weights of the outcome and process advantages in Dual-Reward GRPO. */
  outcomeCoef: number;
  processCoef: number;
  /** Guidance-free ODE samples per round for the convergence curve. */
  curveSamples: number;
}

export const DEFAULTS: Config = {
  method: 'flow-grpo',
  K: 10,
  noise: 0.7,
  hidden: [64, 64],
  rewardCenter: [3.5, 3.5],
  rewardScale: 1,
  rounds: 40,
  groups: 4,
  G: 16,
  epochs: 2,
  minibatches: 4,
  clip: 0.2,
  advClipMax: 5,
  lr: 2e-4,
  guidance: 0.1,
  outcomeCoef: 1,
  processCoef: 1,
  curveSamples: 256,
  evalSamples: 2000,
};

/**
 * One seed of one method. Metrics `<who>/{reward,quality}` for who ∈ {ref (exact samples of p_ref), base, tuned}
 * (guidance-free ODE samples), `tuned/prmCalls`. Series per round: `tuned/rollout` (mean outcome reward of the
 * round's rollouts, guided for Euphonium) and `tuned/ode` (guidance-free ODE reward of the policy after the round).
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('euphonium-diffusion2d');
  const pref = promptMixture(RING8, 'all');
  const base = exactVelocity(pref);
  const reward = quadraticReward2d(c.rewardCenter, c.rewardScale);
  const prm = prmOneStep(reward, base);
  const policy = new ResidualVelocityMlp(base, c.K, c.hidden, root.split('init'));
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const timings: Record<string, number> = {};
  const mean = (a: ArrayLike<number>): number => {
    let t = 0;
    for (let i = 0; i < a.length; i++) t += a[i];
    return t / a.length;
  };
  const M = c.evalSamples;
  const score = (who: string) => {
    const x = policy.sampleOde(M, root.split('eval').split(who));
    metrics[metricKey(who, 'reward')] = mean(reward.value(x, M));
    metrics[metricKey(who, 'quality')] = mean(gmmLogDensity(pref, x, M));
  };
  const ref = gmmSample(pref, M, root.split('eval').split('ref')).x;
  metrics[metricKey('ref', 'reward')] = mean(reward.value(ref, M));
  metrics[metricKey('ref', 'quality')] = mean(gmmLogDensity(pref, ref, M));
  score('base');
  const opt = new Adam(policy.size, { lr: c.lr, maxGradNorm: 1 });
  const stats = emptyFlowRatioStats(c.K);
  const train = root.split('train');
  const rollout: number[] = [],
    ode: number[] = [];
  let prmCalls = 0;
  const t0 = Date.now();
  for (let u = 0; u < c.rounds; u++) {
    const common = {
      K: c.K,
      noise: c.noise,
      groups: c.groups,
      G: c.G,
      epochs: c.epochs,
      minibatches: c.minibatches,
      clip: c.clip,
      advClipMax: c.advClipMax,
    };
    if (c.method === 'flow-grpo') {
      const r = flowGrpoRound(policy, reward, { ...common, kind: 'flow-grpo', beta: 0 }, train.split(u), opt, stats);
      rollout.push(r.reward);
    } else {
      const r = euphoniumRound(
        policy,
        reward,
        prm,
        {
          ...common,
          guidance: c.guidance,
          outcomeCoef: c.outcomeCoef,
          processCoef: c.method === 'euphonium' ? c.processCoef : 0,
        },
        train.split(u),
        opt,
      );
      rollout.push(r.reward);
      prmCalls += r.prmCalls;
    }
    const xe = policy.sampleOde(c.curveSamples, root.split('curve').split(u));
    ode.push(mean(reward.value(xe, c.curveSamples)));
  }
  timings[metricKey('tuned', 'roundMs')] = (Date.now() - t0) / Math.max(1, c.rounds);
  series[metricKey('tuned', 'rollout')] = rollout;
  series[metricKey('tuned', 'ode')] = ode;
  metrics[metricKey('tuned', 'prmCalls')] = prmCalls;
  score('tuned');
  return { metrics, series, timings };
}

/**
 * The first round (1-based, fractional by linear interpolation between the two rounds around the crossing) at
 * which the series, smoothed by a centred moving average of `window` rounds, reaches `level`; `Infinity` if never.
 */
export function roundsToLevel(y: readonly number[], level: number, window = 3): number {
  const h = Math.floor(window / 2);
  const p = y.map((_, i) => {
    const w = y.slice(Math.max(0, i - h), i + h + 1);
    return w.reduce((a, b) => a + b, 0) / w.length;
  });
  for (let i = 0; i < p.length; i++) {
    if (p[i] >= level) {
      if (i === 0) return 1;
      return i + (level - p[i - 1]) / (p[i] - p[i - 1]);
    }
  }
  return Infinity;
}
