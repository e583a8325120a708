/**
 * B²-DiffuRL (Hu et al. 2025, arXiv 2503.11240) on the diffusion2d testbed: the prompt-conditional DDPM (ring of
 * eight, four prompts, models/conditional-base.ts) is fine-tuned on a SPARSE reward, r(x) = 1 if x lies within
 * `radius` of one of the target modes (the same modes for every prompt), else 0, with no KL term (the paper's
 * setting: reward maximisation with a clipped surrogate). Methods at the same reward queries per round and rounds:
 * - `ddpo`: DDPO_IS over the whole chain (methods/loop.ts `policyGradientRound`, K = 1, batch-normalised
 *   advantages, epochs × minibatches clipped steps);
 * - `b2`: B²-DiffuRL (methods/b2-diffurl.ts): backward progressive interval k_i growing from kMin to kMax over the
 *   rounds, G = N/B shared prefixes branched B ways at x_{k_i}, per-prompt z-scores over an H-round history,
 *   best/worst-of-branch selection, the same clipped steps on t ≤ k_i only;
 * - `interval`: the ablation without branches (B = 1): the same interval schedule, independent chains, DDPO's
 *   advantages on every sample;
 * - `branch`: the ablation without backward progression: B branches and the same selection, but the interval is
 *   the whole chain at every round (k = kMax; with kMax = T the branches share only x_T).
 * Oracle: the success probability P(r = 1) of a model per prompt (Monte Carlo with `evalSamples` per prompt; for
 * the pre-trained model also exactly on the grid from p_ref), and its spread over the target modes (normalised
 * entropy of the hits, 1 = hits equally split, 0 = one mode only).
 * Task entry point: `runSeed(config, seed)` runs one method (config.method) for one seed.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { metricKey } from '../../core/metric-keys';
import { Adam } from '../../nn/adam';
import { gridExpectation, gridGmm, makeGrid2d, rewardOnGrid } from '../../testbeds/diffusion2d/env/grid';
import { discUnionReward2d } from '../../testbeds/diffusion2d/env/disc-reward';
import { promptMixture } from '../../testbeds/diffusion2d/env/targets';
import { b2DiffuRlRound, backwardInterval, PromptScoreHistory } from '../../testbeds/diffusion2d/methods/b2-diffurl';
import { policyGradientRound, promptGroups } from '../../testbeds/diffusion2d/methods/loop';
import { diffusion2dBase, type Diffusion2dBaseSpec } from '../../testbeds/diffusion2d/models/base-model';
import { RING8_COND_DDPM_BASE } from '../../testbeds/diffusion2d/models/conditional-base';
import { ddpmSample } from '../../testbeds/diffusion2d/models/ddpm';
import type { EpsMlp } from '../../testbeds/diffusion2d/models/denoiser';
import { ddpmSchedule } from '../../testbeds/diffusion2d/models/schedule';

export type MethodName = 'ddpo' | 'b2' | 'interval' | 'branch';

/** One seed's run of one method (every field is used). */
export interface Config {
  method: MethodName;
  /** The conditional pre-trained denoiser (its target's prompts are the conditions). */
  base: Diffusion2dBaseSpec;
  /** Indices of the target modes among the target's components, and the success radius around each. */
  targetModes: number[];
  radius: number;
  /** Sampling rounds (= stages) and reward queries (final samples) per round. */
  rounds: number;
  queriesPerRound: number;
  /** B²-DiffuRL: branches per prefix, interval [kMin, kMax] of trained final steps, history rounds H, thresholds. */
  branches: number;
  kMin: number;
  kMax: number;
  history: number;
  posThreshold: number;
  negThreshold: number;
  advClip: number;
  /** Shared by all methods: PPO epochs × minibatches per round, clip range ε, Adam learning rate (norm clip 1). */
  epochs: number;
  minibatches: number;
  clip: number;
  lr: number;
  /** Samples per prompt for the final success and mode-spread estimates. */
  evalSamples: number;
  /** Grid for the pre-trained model's exact success probability. */
  gridN: number;
  gridLo: number;
  gridHi: number;
}

export const DEFAULTS: Config = {
  method: 'b2',
  base: RING8_COND_DDPM_BASE,
  targetModes: [1, 3],
  radius: 0.3,
  rounds: 40,
  queriesPerRound: 64,
  branches: 4,
  kMin: 14,
  kMax: 20,
  history: 8,
  posThreshold: 0.5,
  negThreshold: -0.5,
  advClip: 5,
  epochs: 2,
  minibatches: 2,
  clip: 0.2,
  lr: 3e-4,
  evalSamples: 2000,
  gridN: 400,
  gridLo: -4,
  gridHi: 4,
};

/** Normalised entropy of counts (0 when all in one cell or none, 1 when equal). */
export function normalisedEntropy(c: ArrayLike<number>): number {
  const s = Array.from(c).reduce((a, b) => a + b, 0);
  if (s <= 0 || c.length < 2) return 0;
  let h = 0;
  for (let i = 0; i < c.length; i++) if (c[i] > 0) h -= (c[i] / s) * Math.log(c[i] / s);
  return h / Math.log(c.length);
}

/**
 * One seed of one method. Metrics `<who>/success` (P(r = 1), mean over prompts, Monte Carlo), `<who>/spread`
 * (normalised entropy of the hits over the target modes, mean over prompts), `<who>/coverage` (fraction of
 * (prompt, target mode) pairs holding at least 10% of that prompt's hits) for who ∈ {base, tuned};
 * `base/successExact` (grid, from p_ref); `tuned/successAuc` (mean training reward over all rounds),
 * `tuned/successLate` (last quarter). Series per round: `tuned/{reward,kept,informative,k}`.
 */
export function runSeed(c: Config, seed: number): RunResult {
  const root = new Rng(seed).split('b2-diffurl-diffusion2d');
  const P = c.base.target.prompts.length;
  const centers = c.targetModes.map((j) => c.base.target.components[j].mean as readonly [number, number]);
  const reward = discUnionReward2d(centers, c.radius);
  const single = centers.map((m) => discUnionReward2d([m], c.radius));
  const sched = ddpmSchedule(c.base.schedule);
  const base = diffusion2dBase(c.base).model;
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const grid = makeGrid2d(c.gridLo, c.gridHi, c.gridN);
  const rGrid = rewardOnGrid(grid, reward);
  let exact = 0;
  for (let p = 0; p < P; p++) exact += gridExpectation(gridGmm(grid, promptMixture(c.base.target, p)), rGrid) / P;
  metrics[metricKey('base', 'successExact')] = exact;
  const M = c.evalSamples;
  const score = (who: string, m: EpsMlp) => {
    let su = 0,
      sp = 0,
      cov = 0;
    for (let p = 0; p < P; p++) {
      const x = ddpmSample(sched, (x, t, n) => m.predict(x, t, n, p), M, root.split('eval').split(who).split(p)).x0;
      su += reward.value(x, M).reduce((a, b) => a + b, 0) / M / P;
      const hits = single.map((r) => r.value(x, M).reduce((a, b) => a + b, 0));
      sp += normalisedEntropy(hits) / P;
      const tot = hits.reduce((a, b) => a + b, 0);
      for (const h of hits) if (tot > 0 && h >= 0.1 * tot) cov += 1 / (P * hits.length);
    }
    metrics[metricKey(who, 'success')] = su;
    metrics[metricKey(who, 'spread')] = sp;
    metrics[metricKey(who, 'coverage')] = cov;
  };
  score('base', base);
  const policy = base.clone();
  const opt = new Adam(policy.mlp.size, { lr: c.lr, maxGradNorm: 1 });
  const train = root.split('train');
  const curve = { reward: [] as number[], kept: [] as number[], informative: [] as number[], k: [] as number[] };
  const history = new PromptScoreHistory(c.history);
  const t0 = Date.now();
  for (let u = 0; u < c.rounds; u++) {
    if (c.method === 'ddpo') {
      const prompts = promptGroups(P, c.queriesPerRound, 1, train.split('prompts').split(u));
      const o = { K: 1, advantage: 'batch-normalised' as const, beta: 0, epochs: c.epochs };
      const st = policyGradientRound(
        policy,
        base,
        sched,
        reward,
        prompts,
        { ...o, minibatches: c.minibatches, clip: c.clip },
        train.split(u),
        opt,
      );
      curve.reward.push(st.reward);
      curve.kept.push(c.queriesPerRound);
      curve.informative.push(NaN);
      curve.k.push(sched.T);
    } else {
      const B = c.method === 'interval' ? 1 : c.branches;
      const k = c.method === 'branch' ? c.kMax : backwardInterval(u, c.rounds, c.kMin, c.kMax);
      const G = c.queriesPerRound / B;
      const prompts = promptGroups(P, G, 1, train.split('prompts').split(u));
      const st = b2DiffuRlRound(
        policy,
        sched,
        reward,
        prompts,
        history,
        {
          B,
          k,
          posThreshold: c.posThreshold,
          negThreshold: c.negThreshold,
          advClip: c.advClip,
          epochs: c.epochs,
          minibatches: c.minibatches,
          clip: c.clip,
        },
        train.split(u),
        opt,
      );
      curve.reward.push(st.reward);
      curve.kept.push(st.kept);
      curve.informative.push(B > 1 ? st.informativeGroups / G : NaN);
      curve.k.push(k);
    }
  }
  const timings = { [metricKey('tuned', 'roundMs')]: (Date.now() - t0) / Math.max(1, c.rounds) };
  for (const [key, v] of Object.entries(curve)) series[metricKey('tuned', key)] = v;
  const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / Math.max(1, a.length);
  metrics[metricKey('tuned', 'successAuc')] = mean(curve.reward);
  metrics[metricKey('tuned', 'successLate')] = mean(curve.reward.slice(Math.floor((3 * c.rounds) / 4)));
  score('tuned', policy);
  return { metrics, series, timings };
}
