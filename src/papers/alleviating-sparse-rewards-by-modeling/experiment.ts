/**
 * TurningPoint-GRPO (Tong et al. 2026, arXiv 2602.06422) on the diffusion2d testbed: the rectified flow of the ring of
 * eight (exact velocity + zero-initialised residual MLP, models/flow-policy.ts), sampled with Flow-GRPO's SDE (K
 * steps, noise a), fine-tuned on the bounded reward r(x) = −|x − c|²/(2s²) pulling all mass to one ring mode c.
 * Methods (methods/turning-point-grpo.ts `tpGrpoRound`, one code path, the same clipped ratio objective, Adam, inner
 * steps per round):
 * - `flow-grpo`: the outcome reward broadcast to every step (Flow-GRPO), N = groups·G rollouts per round;
 * - `tp-grpo`: step rewards from the ODE-completed reward sequence (incremental + turning-point long-term reward),
 *   the same N rollouts, (K + 1)·N reward queries per round;
 * - `incremental`: the ablation with incremental rewards d_j at every step (no turning points), same queries as TP;
 * - `flow-grpo-matched`: Flow-GRPO with (K + 1)× the groups, i.e. the same reward queries per round as `tp-grpo`.
 * Metrics: `tuned/proxy` (ODE samples' mean reward), `tuned/quality` (their log p_ref), `base/*`, the area under
 * the rollout-reward curve `tuned/auc` (mean over rounds of the rollouts' mean reward minus the base's), and
 * `tuned/turningFrac`. Series per round: `tuned/{proxy,queries}`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gmmLogDensity } from '../../testbeds/diffusion2d/env/gmm';
import { quadraticReward2d } from '../../testbeds/diffusion2d/env/rewards';
import { promptMixture, RING8 } from '../../testbeds/diffusion2d/env/targets';
import { tpGrpoRound } from '../../testbeds/diffusion2d/methods/turning-point-grpo';
import { exactVelocity } from '../../testbeds/diffusion2d/models/flow';
import { ResidualVelocityMlp, type FlowRunSettings } from '../../testbeds/diffusion2d/models/flow-policy';

export type MethodName = 'flow-grpo' | 'incremental' | 'tp-grpo' | 'flow-grpo-matched';

/** One seed's run of one method (every field is used). */
export interface Config extends FlowRunSettings {
  method: MethodName;
  /** Reward r(x) = −|x − c|²/(2s²) (env/rewards.ts quadraticReward2d): centre c (a ring mode), scale s. */
  rewardCenter: [number, number];
  rewardScale: number;
}

export const DEFAULTS: Config = {
  method: 'flow-grpo',
  K: 10,
  noise: 0.7,
  hidden: [32, 32],
  rewardCenter: [3, 0],
  rewardScale: 1,
  rounds: 60,
  groups: 2,
  G: 16,
  epochs: 1,
  minibatches: 2,
  clip: 0.2,
  advClipMax: 5,
  lr: 3e-4,
  evalSamples: 2000,
};

const mean = (a: ArrayLike<number>): number => {
  let t = 0;
  for (let i = 0; i < a.length; i++) t += a[i];
  return t / a.length;
};

export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('tp-grpo-diffusion2d');
  const pref = promptMixture(RING8, 'all');
  const reward = quadraticReward2d(c.rewardCenter, c.rewardScale);
  const policy = new ResidualVelocityMlp(exactVelocity(pref), c.K, c.hidden, root.split('init'));
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const M = c.evalSamples;
  const score = (who: string) => {
    const x = policy.sampleOde(M, root.split('eval').split(who));
    metrics[metricKey(who, 'proxy')] = mean(reward.value(x, M));
    metrics[metricKey(who, 'quality')] = mean(gmmLogDensity(pref, x, M));
  };
  score('base');
  const opt = new Adam(policy.size, { lr: c.lr, maxGradNorm: 1 });
  const train = root.split('train');
  const groups = c.method === 'flow-grpo-matched' ? c.groups * (c.K + 1) : c.groups;
  const curve: number[] = [],
    queries: number[] = [];
  let q = 0,
    turn = 0;
  const t0 = Date.now();
  for (let u = 0; u < c.rounds; u++) {
    const r = tpGrpoRound(
      policy,
      reward,
      {
        credit: c.method === 'tp-grpo' || c.method === 'incremental' ? c.method : 'outcome',
        K: c.K,
        noise: c.noise,
        groups,
        G: c.G,
        epochs: c.epochs,
        minibatches: c.minibatches,
        clip: c.clip,
        advClipMax: c.advClipMax,
      },
      train.split(u),
      opt,
    );
    q += r.queries;
    turn += r.turningFrac / c.rounds;
    curve.push(r.reward);
    queries.push(q);
  }
  score('tuned');
  metrics[metricKey('tuned', 'auc')] = mean(curve) - metrics[metricKey('base', 'proxy')];
  metrics[metricKey('tuned', 'gain')] = metrics[metricKey('tuned', 'proxy')] - metrics[metricKey('base', 'proxy')];
  metrics[metricKey('tuned', 'turningFrac')] = turn;
  metrics[metricKey('tuned', 'queries')] = q;
  series[metricKey('tuned', 'proxy')] = curve;
  series[metricKey('tuned', 'queries')] = queries;
  return { metrics, series, timings: { [metricKey('tuned', 'roundMs')]: (Date.now() - t0) / c.rounds } };
}
