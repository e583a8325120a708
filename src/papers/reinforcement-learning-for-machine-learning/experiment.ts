/**
 * The miniature of Yang et al., "Reinforcement Learning for Machine Learning Engineering Agents" (arXiv:2509.01684).
 * It tests only the duration-aware gradient update; the LLM agent, MLEBench and LLM-based environment instrumentation
 * (partial credit) are out of scope. One seed = one training run of each update rule on the same instance.
 *
 * Environment: K = 8 "solution strategies" (arms) with durations d_a from 1 to 20 time units and Bernoulli rewards
 * μ_a that favour slow strategies (the best, μ = 0.9, takes 16 units; the fastest, μ = 0.3, takes 1). Softmax policy
 * over arms, θ = 0 at the start. W asynchronous workers each draw a strategy from the current policy, run it for d_a
 * units and send (a, r, Δt) to the learner (testbeds/bandits/methods/duration-aware-pg.ts):
 * - `naive-<mode>`: REINFORCE step on each batch of B results;
 * - `duration-<mode>`: the same, each term weighted by its duration Δt (the paper's duration-aware update);
 * - `sync`: wait-for-all rounds of W samples (unbiased, slower).
 * Two batching modes: `stream` (every result is used when it arrives, B = `batch`) and `race` (W jobs launched per
 * round, the first `raceBatch` to finish form the batch, the rest are cancelled).
 * Equal wall-clock budget: every rule runs for the same simulated time `horizon` with the same W and η; the number
 * of samples and steps each gets is an outcome, recorded.
 *
 * Oracles: exact expected reward J(π) = Σ π_a μ_a of every policy, and the closed-form mean step of each rule at a
 * fixed policy (methods/duration-aware-pg.ts `meanUpdate`; race: inclusion probabilities `raceInclusion`). Frozen runs
 * (η = 0, uniform π) measure the completion shares and mean step gradients against these closed forms.
 *
 * Record keys: `<m>/J`, `<m>/pOpt` (final probability of argmax μ), `<m>/pFast` (of argmax μ/d), `<m>/rate` (steady-
 * state reward per unit time per worker of the final policy), `<m>/meanDur` (E_π[d]), `<m>/updates`,
 * `<m>/completions`; series `<m>/J`, `<m>/pOpt` at `exact/checkpoints`; for m ∈ {naive-stream, duration-stream,
 * naive-race} at uniform π with η = 0:
 * `frozen/shareErr:<m>` (max |completion share − closed form|), `frozen/gradErr:<m>` (max |mean step gradient −
 * closed form|), `frozen/cosGradJ:<m>` (cosine between the closed-form mean step and ∇J).
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  durationBanditValue,
  meanUpdate,
  rewardRate,
  runAsyncPolicyGradient,
  softmaxObjectiveGradient,
  raceInclusion,
  type AsyncBatchMode,
  type AsyncUpdateRule,
  type VariableDurationBandit,
} from '../../testbeds/bandits/methods/duration-aware-pg';

export interface Config {
  /** Durations d_a of the strategies (time units). */
  durations: number[];
  /** Mean rewards μ_a (Bernoulli). */
  means: number[];
  /** Parallel workers W. */
  workers: number;
  /** Arrivals per learner step B in stream mode. */
  batch: number;
  /** Race mode: the learner steps on the first `raceBatch` of the W launched jobs and cancels the rest. */
  raceBatch: number;
  /** Learning rate η (same for every rule). */
  lr: number;
  /** Wall-clock budget T in time units (same for every rule). */
  horizon: number;
  /** Number of evenly spaced checkpoints of the learning curves. */
  checkpoints: number;
  /** Wall-clock length of the frozen (η = 0) run that checks the closed forms. */
  frozenHorizon: number;
}

export const DEFAULTS: Config = {
  durations: [1, 2, 3, 5, 8, 12, 16, 20],
  means: [0.3, 0.5, 0.55, 0.6, 0.7, 0.8, 0.9, 0.85],
  workers: 8,
  batch: 8,
  raceBatch: 4,
  lr: 0.5,
  horizon: 3000,
  checkpoints: 30,
  frozenHorizon: 20000,
};

export function envOf(config: Config): VariableDurationBandit {
  return { durations: Float64Array.from(config.durations), means: Float64Array.from(config.means) };
}

const argmax = (v: ArrayLike<number>) => {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
};
/** The optimal strategy argmax μ_a and the naive update's attractor argmax μ_a/d_a. */
export function bestArm(config: Config): number {
  return argmax(config.means);
}
export function fastArm(config: Config): number {
  return argmax(config.means.map((m, a) => m / config.durations[a]));
}

/** The rules run per seed: sync, and naive / duration-aware in each asynchronous batching mode. */
export const METHODS = ['sync', 'naive-stream', 'duration-stream', 'naive-race', 'duration-race'] as const;
export type Method = (typeof METHODS)[number];
function ruleOf(m: Method): [AsyncUpdateRule, AsyncBatchMode] {
  if (m === 'sync') return ['sync', 'stream'];
  const [r, mode] = m.split('-');
  return [r as AsyncUpdateRule, mode as AsyncBatchMode];
}

export function runSeed(config: Config, seed: number): RunResult {
  const env = envOf(config);
  const K = config.means.length;
  const rng = new Rng(seed).split('rl4mle');
  const cps = Array.from({ length: config.checkpoints + 1 }, (_, i) => (i * config.horizon) / config.checkpoints);
  const opt = bestArm(config),
    fast = fastArm(config);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = { 'exact/checkpoints': cps };
  const optsOf = (m: Method, lr: number, horizon: number, checkpoints: number[]) => {
    const [rule, mode] = ruleOf(m);
    return {
      rule,
      opts: {
        workers: config.workers,
        batch: mode === 'race' ? config.raceBatch : config.batch,
        mode,
        lr,
        horizon,
        checkpoints,
      },
    };
  };
  for (const m of METHODS) {
    const { rule, opts } = optsOf(m, config.lr, config.horizon, cps);
    const r = runAsyncPolicyGradient(env, rule, opts, rng.split(m));
    metrics[`${m}/J`] = durationBanditValue(env, r.pi);
    metrics[`${m}/pOpt`] = r.pi[opt];
    metrics[`${m}/pFast`] = r.pi[fast];
    metrics[`${m}/rate`] = rewardRate(env, r.pi);
    metrics[`${m}/meanDur`] = r.pi.reduce((t, p, a) => t + p * config.durations[a], 0);
    metrics[`${m}/updates`] = r.updates;
    metrics[`${m}/completions`] = r.completions;
    series[`${m}/J`] = cps.map((_, i) => durationBanditValue(env, r.piAt.subarray(i * K, (i + 1) * K)));
    series[`${m}/pOpt`] = cps.map((_, i) => r.piAt[i * K + opt]);
  }
  // Frozen runs (η = 0, uniform π): completion shares and mean step gradients against the closed forms.
  const uniform = new Float64Array(K).fill(1 / K);
  for (const m of ['naive-stream', 'duration-stream', 'naive-race'] as const) {
    const { rule, opts } = optsOf(m, 0, config.frozenHorizon, []);
    const r = runAsyncPolicyGradient(env, rule, opts, rng.split(`frozen-${m}`));
    const g = meanUpdate(env, uniform, rule, opts.mode, opts.workers, opts.batch);
    let err = 0;
    for (let k = 0; k < K; k++) err = Math.max(err, Math.abs(r.gradSum[k] / r.updates - g[k]));
    metrics[`frozen/gradErr:${m}`] = err;
    const q = opts.mode === 'race' ? raceInclusion(env, uniform, opts.workers, opts.batch) : uniform;
    let z = 0;
    for (let a = 0; a < K; a++) z += uniform[a] * q[a];
    let e = 0;
    for (let a = 0; a < K; a++) e = Math.max(e, Math.abs(r.counts[a] / r.completions - (uniform[a] * q[a]) / z));
    metrics[`frozen/shareErr:${m}`] = e;
    metrics[`frozen/cosGradJ:${m}`] = cosine(g, softmaxObjectiveGradient(uniform, env.means));
  }
  return { metrics, series };
}

function cosine(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let d = 0,
    a = 0,
    b = 0;
  for (let k = 0; k < x.length; k++) {
    d += x[k] * y[k];
    a += x[k] * x[k];
    b += y[k] * y[k];
  }
  return d / Math.sqrt(a * b);
}
