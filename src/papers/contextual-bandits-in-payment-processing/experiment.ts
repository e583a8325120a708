/**
 * The miniature of Vangara & Egg, "Contextual Bandits in Payment Processing: Non-uniform Exploration and Supervised
 * Learning at Adyen" (arXiv:2412.00569; OARS @ KDD 2025). One seed = one simulated bandit instance, every policy
 * family run for `generations` daily batches after a shared uniformly random batch 0.
 *
 * Simulator (testbeds/bandits/env/sparse-logistic-contextual.ts; a stand-in for the proprietary payment data):
 * d Gaussian features, K actions of which a random subset (≥ 2) is available each round, rare Bernoulli rewards
 * μ_a(x) = σ(b_a + ⟨θ_a, x⟩ + c_a x₀x₁). The regression oracle is a per-action L2 logistic regression on (1, x)
 * (testbeds/bandits/solvers/logistic-regression.ts), which cannot represent x₀x₁ (non-realizable).
 *
 * Batch-logged delayed feedback with short-term memory: the labels of a generation's batch arrive only when the batch
 * ends; the model deployed in generation g is fitted on the log of generation g − 1 only (ERM on the logged
 * (x, action, reward) triples, no importance weights), for every policy family:
 * - `uniform`: logs uniformly at random over the available actions (uniform exploration; its model is still fitted
 *   and its greedy value reported as `modelRegret`);
 * - `greedy`: the argmax of the supervised model (pure ERM exploitation);
 * - `eps-greedy`: ε uniform exploration around the argmax;
 * - `squarecb`: SquareCB's inverse gap weighting of the model's predictions with learning rate γ (the regression-
 *   oracle method with non-uniform exploration; testbeds/bandits/methods/square-cb.ts).
 * Every family sees the same contexts, availability sets and potential rewards (common random numbers: reward r_a is
 * 1[u_a < μ_a(x)] with one shared uniform u_a per round and action), the same number of rounds and labels per batch
 * and the same oracle (same fit, same λ); batch 0 (uniform) is the identical log for all.
 *
 * Exact evaluation from the known simulator: on each round the policy's action distribution p is known, so its
 * expected reward Σ_a p(a) μ_a(x) and regret max_{a ∈ A_t} μ_a(x) − Σ_a p(a) μ_a(x) are exact given the context.
 *
 * Record keys, suffix @r=<regime> (`auth` or `rare`), per generation :g=<g>: `<m>/regret`, `<m>/modelRegret` (regret of
 * the argmax of the model deployed in generation g), `<m>/posRate` (positive-label rate of the batch logged in g),
 * `<m>/topShare` (share of that batch on its most-logged action), `<m>/calib` (mean predicted minus mean true
 * probability of the logged actions); aggregates over generations 1..G: `<m>/meanRegret`, `<m>/meanModelRegret`,
 * `<m>/degradation` (mean regret of generations 2..G minus that of generation 1), `<m>/swing` (generation-to-
 * generation swing of the regret net of its drift), `<m>/lag1` (lag-1 autocorrelation), `<m>/meanPosRate`;
 * `oracle/bestFitRegret` (regret of the oracle class fitted on a large uniform sample), `oracle/uniformPosRate`;
 * series `<m>/regret`, `<m>/modelRegret`, `<m>/posRate`, `oracle/reward` over generations 0..G.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import {
  sparseLogisticBandit,
  sparseLogisticMeans,
  sparseLogisticRound,
  type SparseLogisticBandit,
  type SparseLogisticParams,
} from '../../testbeds/bandits/env/sparse-logistic-contextual';
import { fitRidgeLogistic } from '../../testbeds/bandits/solvers/logistic-regression';
import {
  argmaxAvailable,
  epsilonGreedyDistribution,
  inverseGapWeighting,
} from '../../testbeds/bandits/methods/square-cb';
import { sigmoid } from '../../math/softmax';

/** A reward regime: the mean intercept logit of the simulator (its name goes into the record keys). */
export interface Regime {
  name: string;
  baseLogit: number;
}

export interface Config extends Omit<SparseLogisticParams, 'baseLogit'> {
  /** Reward regimes, each run on its own instance (the intercepts shift, every other parameter is shared). */
  regimes: Regime[];
  /** Rounds of the large uniform sample used to measure the best regret the oracle class can reach. */
  bestFitRounds: number;
  /** Rounds (transactions) per generation's batch. */
  rounds: number;
  /** Generations G after the shared uniform batch 0. */
  generations: number;
  /** SquareCB learning rate γ. */
  gamma: number;
  /** ε of ε-greedy. */
  eps: number;
  /** Ridge strength λ of the logistic oracle (shrinks toward the batch's pooled log-odds). */
  lambda: number;
}

const K0 = 8,
  N0 = 3000;
export const DEFAULTS: Config = {
  d: 6,
  K: K0,
  regimes: [
    { name: 'auth', baseLogit: 1.5 }, // authorisation-like: positives are the majority (≈ 67% under uniform)
    { name: 'rare', baseLogit: -3 }, // rare positives (≈ 7% under uniform)
  ],
  interceptSd: 0.5,
  weightSd: 1.2,
  interactionSd: 2,
  pAvail: 0.6,
  rounds: N0,
  generations: 10,
  bestFitRounds: 30000,
  gamma: Math.sqrt(K0 * N0), // γ = √(K T / Reg_sq) with T = one batch and Reg_sq = 1 (Foster & Rakhlin 2020)
  eps: Math.cbrt(K0 / N0), // ε = (K / T)^{1/3}, the ε-greedy rate for T = one batch
  lambda: 1,
};

export const METHODS = ['uniform', 'greedy', 'eps-greedy', 'squarecb'] as const;
export type Method = (typeof METHODS)[number];

/** One batch's shared randomness: contexts, availability masks and reward uniforms (common random numbers). */
export interface Batch {
  X: Float64Array; // rounds × d
  avail: Uint8Array; // rounds × K
  U: Float64Array; // rounds × K
  mu: Float64Array; // rounds × K, the true means
}

export function drawBatch(env: SparseLogisticBandit, n: number, rng: Rng): Batch {
  const { d, K } = env;
  const X = new Float64Array(n * d),
    avail = new Uint8Array(n * K),
    U = new Float64Array(n * K),
    mu = new Float64Array(n * K);
  for (let t = 0; t < n; t++) {
    sparseLogisticRound(env, rng, X.subarray(t * d, t * d + d), avail.subarray(t * K, t * K + K));
    for (let a = 0; a < K; a++) U[t * K + a] = rng.uniform();
    sparseLogisticMeans(env, X.subarray(t * d, t * d + d), mu.subarray(t * K, t * K + K));
  }
  return { X, avail, U, mu };
}

/** A batch's log: the chosen action and its reward per round. */
export interface Log {
  action: Int32Array;
  reward: Uint8Array;
}

/** The per-action logistic oracle: weights K × (d + 1) on features (1, x). */
export type Model = Float64Array;

/** Fits the oracle on one batch's log (per action, shrunk toward the batch's pooled positive log-odds). */
export function fitModel(env: SparseLogisticBandit, batch: Batch, log: Log, lambda: number): Model {
  const { d, K } = env;
  const p = d + 1,
    n = log.action.length;
  let pos = 0;
  for (let t = 0; t < n; t++) pos += log.reward[t];
  const rate = (pos + 0.5) / (n + 1);
  const prior = new Float64Array(p);
  prior[0] = Math.log(rate / (1 - rate));
  const W = new Float64Array(K * p);
  for (let a = 0; a < K; a++) {
    const rows: number[] = [];
    for (let t = 0; t < n; t++) if (log.action[t] === a) rows.push(t);
    const Z = new Float64Array(rows.length * p),
      y = new Float64Array(rows.length);
    rows.forEach((t, i) => {
      Z[i * p] = 1;
      for (let j = 0; j < d; j++) Z[i * p + 1 + j] = batch.X[t * d + j];
      y[i] = log.reward[t];
    });
    W.set(fitRidgeLogistic(Z, y, rows.length, p, { lambda, prior }), a * p);
  }
  return W;
}

/** The model's predicted reward probability of every action at x into `out`. */
export function predict(W: Model, d: number, K: number, x: ArrayLike<number>, out: Float64Array): Float64Array {
  const p = d + 1;
  for (let a = 0; a < K; a++) {
    let s = W[a * p];
    for (let j = 0; j < d; j++) s += W[a * p + 1 + j] * x[j];
    out[a] = sigmoid(s);
  }
  return out;
}

/** The action distribution of a policy family on one round (model predictions `yhat`; `null` model = uniform). */
export function distribution(
  method: Method,
  yhat: Float64Array | null,
  avail: Uint8Array,
  config: Config,
  out: Float64Array,
): Float64Array {
  if (method === 'uniform' || yhat === null) return epsilonGreedyDistribution(avail, avail, 1, out);
  if (method === 'greedy') return epsilonGreedyDistribution(yhat, avail, 0, out);
  if (method === 'eps-greedy') return epsilonGreedyDistribution(yhat, avail, config.eps, out);
  return inverseGapWeighting(yhat, avail, config.gamma, out);
}

export interface GenerationStats {
  regret: number;
  modelRegret: number;
  posRate: number;
  topShare: number;
  calib: number;
}

/** Deploys a policy family on one batch: samples its log and computes the exact statistics of the generation. */
export function deploy(
  env: SparseLogisticBandit,
  batch: Batch,
  method: Method,
  model: Model | null,
  config: Config,
  rng: Rng,
): { log: Log; stats: GenerationStats } {
  const { d, K } = env;
  const n = batch.X.length / d;
  const action = new Int32Array(n),
    reward = new Uint8Array(n);
  const yhat = new Float64Array(K),
    p = new Float64Array(K),
    counts = new Float64Array(K);
  let regret = 0,
    modelRegret = 0,
    pos = 0,
    calib = 0;
  for (let t = 0; t < n; t++) {
    const x = batch.X.subarray(t * d, t * d + d),
      av = batch.avail.subarray(t * K, t * K + K),
      mu = batch.mu.subarray(t * K, t * K + K);
    if (model) predict(model, d, K, x, yhat);
    distribution(method, model ? yhat : null, av, config, p);
    let best = -Infinity,
      value = 0;
    for (let a = 0; a < K; a++) {
      if (av[a]) best = Math.max(best, mu[a]);
      value += p[a] * mu[a];
    }
    regret += best - value;
    modelRegret += model ? best - mu[argmaxAvailable(yhat, av)] : best - value;
    const a = rng.categorical(p);
    action[t] = a;
    reward[t] = batch.U[t * K + a] < mu[a] ? 1 : 0;
    pos += reward[t];
    counts[a]++;
    calib += (model ? yhat[a] : 0) - mu[a];
  }
  return {
    log: { action, reward },
    stats: {
      regret: regret / n,
      modelRegret: modelRegret / n,
      posRate: pos / n,
      topShare: Math.max(...counts) / n,
      calib: model ? calib / n : NaN,
    },
  };
}

/** Lag-1 autocorrelation of a series (0 for a constant series). */
export function lag1(x: ArrayLike<number>): number {
  const n = x.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += x[i] / n;
  let num = 0,
    den = 0;
  for (let i = 0; i < n; i++) {
    den += (x[i] - m) ** 2;
    if (i + 1 < n) num += (x[i] - m) * (x[i + 1] - m);
  }
  return den > 0 ? num / den : 0;
}

/**
 * Generation-to-generation swing of a series net of its linear drift: the mean absolute deviation of the successive
 * differences Δ_g = x_{g+1} − x_g from their mean (0 for a constant or linear series; large for a zigzag).
 */
export function swing(x: ArrayLike<number>): number {
  const n = x.length - 1;
  if (n < 1) return 0;
  const drift = (x[n] - x[0]) / n;
  let s = 0;
  for (let g = 0; g < n; g++) s += Math.abs(x[g + 1] - x[g] - drift);
  return s / n;
}

/** Runs every policy family for generations 0..G on one bandit instance of one regime. */
export function runRegime(
  config: Config,
  regime: Regime,
  seed: number,
  metrics: Record<string, number>,
  series: Record<string, number[]>,
): void {
  const root = new Rng(seed).split(regime.name);
  const env = sparseLogisticBandit({ ...config, baseLogit: regime.baseLogit }, root.split('env'));
  const G = config.generations;
  const at = `@r=${regime.name}`;
  const batches = Array.from({ length: G + 1 }, (_, g) => drawBatch(env, config.rounds, root.split(`batch${g}`)));
  for (const m of METHODS) {
    const rng = root.split(`policy-${m}`);
    const s: GenerationStats[] = [];
    let model: Model | null = null;
    for (let g = 0; g <= G; g++) {
      // batch 0: the same uniformly random log for every family (its own action stream, shared)
      const r = g === 0 ? root.split('policy-batch0') : rng;
      const out = deploy(env, batches[g], g === 0 ? 'uniform' : m, model, config, r);
      s.push(out.stats);
      model = fitModel(env, batches[g], out.log, config.lambda); // labels arrive at the end of the batch
    }
    for (let g = 0; g <= G; g++) {
      metrics[`${m}/regret${at}:g=${g}`] = s[g].regret;
      metrics[`${m}/modelRegret${at}:g=${g}`] = s[g].modelRegret;
      metrics[`${m}/posRate${at}:g=${g}`] = s[g].posRate;
      metrics[`${m}/topShare${at}:g=${g}`] = s[g].topShare;
      if (g > 0) metrics[`${m}/calib${at}:g=${g}`] = s[g].calib;
    }
    const later = s.slice(1).map((q) => q.regret);
    metrics[`${m}/meanRegret${at}`] = later.reduce((a, b) => a + b, 0) / G;
    metrics[`${m}/meanModelRegret${at}`] = s.slice(1).reduce((a, q) => a + q.modelRegret, 0) / G;
    metrics[`${m}/degradation${at}`] = later.slice(1).reduce((a, b) => a + b, 0) / (G - 1) - later[0];
    metrics[`${m}/swing${at}`] = swing(later);
    metrics[`${m}/lag1${at}`] = lag1(later);
    metrics[`${m}/meanPosRate${at}`] = s.slice(1).reduce((a, q) => a + q.posRate, 0) / G;
    series[`${m}/regret${at}`] = s.map((q) => q.regret);
    series[`${m}/modelRegret${at}`] = s.map((q) => q.modelRegret);
    series[`${m}/posRate${at}`] = s.map((q) => q.posRate);
  }
  // the best the oracle class reaches: the argmax of the model fitted on a large uniform sample, evaluated on batch 1
  const big = drawBatch(env, config.bestFitRounds, root.split('best-fit'));
  const fit = deploy(env, big, 'uniform', null, config, root.split('best-fit-policy'));
  const bestModel = fitModel(env, big, fit.log, config.lambda);
  metrics[`oracle/bestFitRegret${at}`] = deploy(
    env,
    batches[1],
    'greedy',
    bestModel,
    config,
    root.split('x'),
  ).stats.modelRegret;
  metrics[`oracle/uniformPosRate${at}`] = fit.stats.posRate;
  series[`oracle/reward${at}`] = batches.map((b) => {
    let v = 0;
    const n = config.rounds;
    for (let t = 0; t < n; t++) {
      let best = 0;
      for (let a = 0; a < env.K; a++) if (b.avail[t * env.K + a]) best = Math.max(best, b.mu[t * env.K + a]);
      v += best / n;
    }
    return v;
  });
}

/** Runs every regime. */
export function runSeed(config: Config, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  for (const regime of config.regimes) runRegime(config, regime, seed, metrics, series);
  return { metrics, series };
}
