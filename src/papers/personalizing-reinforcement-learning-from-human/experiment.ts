/**
 * The gridworld miniature of Poddar et al., "Personalizing Reinforcement Learning from Human Feedback with
 * Variational Preference Learning" (NeurIPS 2024, arXiv:2408.10075): the paper's two-goal navigation task with a
 * population of two user types, each preferring its own goal, labelled as in the official code
 * (github.com/WEIRDLabUW/vpl: jaxrl_m/envs/maze.py `compute_reward`, pref_learn/utils/data_utils.py `get_labels`).
 *
 * World: an open height × width grid (testbeds/tabular/env/gridworld.ts, deterministic moves), two goal cells.
 * User type u's gold reward of a cell is its optimal value toward goal u, γ_r^{dist_u(s)} (BFS distance), min–max
 * normalised over the grid to [0, 1] (the code's normalised max-Q of a goal-reaching MDP). A query is a pair of cells
 * (the code's `query_len = 1`), drawn uniformly; its label is 1 if the first cell's gold reward is higher, 0 if
 * lower, ½ on a tie. An annotator is one user, drawn with P(type 0) = `mix`, who labels a context of K queries.
 * Items are described to the reward models by their normalised coordinates (row, col) ∈ [0, 1]², as the code feeds
 * the point-maze's (x, y).
 *
 * Methods, same labelled data (`nContexts` contexts × K pairs), same MLP widths, optimiser, learning rate, batch
 * (`batch` contexts = batch·K pairs) and number of steps:
 * - `vpl`: Variational Preference Learning (testbeds/preference/methods/variational-preference.ts);
 * - `btl`: the unimodal Bradley–Terry MLP reward model of standard RLHF on the pooled pairs
 *   (testbeds/preference/methods/bradley-terry-mlp.ts);
 * - `oracle`: the user's gold reward (implementation check of the planner and the success metric).
 * Evaluation per user type u: `nEval` fresh contexts of K labelled pairs of that user (VPL's latent is the posterior
 * mean of one context, the code's `biased_latents`); on `nTest` fresh pairs without a tie for u, the accuracy of
 * the reward's preference; a greedy policy planned by value iteration on the learned reward (reward on entering a
 * cell, discount `gammaPlan`), rolled out from every non-goal cell for `horizon` steps: the fraction of starts that
 * reach u's goal (success); Pearson correlation of the learned and gold rewards over the cells.
 *
 * Record keys (`method/metric`, at = `@mix=<mix>`): `<m>/acc-u0`, `acc-u1`, `accMin` (worst user type),
 * `success-u0`, `success-u1`, `successMin`, `corr-u0`, `corr-u1`; `btl/pooledAcc` and `bayes/pooledAcc` (the expected
 * accuracy on pooled labels of BTL and of the Bayes-optimal pooled predictor); `vpl/kl`, `vpl/bce` (last 10% of
 * training), `vpl/latentGap` (distance between the mean latents of the two user types over their posterior s.d.).
 * Series: `<m>/lossCurve` per scenario.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { pearson } from '../../stats/correlation';
import { makeGridworld, type FeatureGridworld } from '../../testbeds/tabular/env/gridworld';
import { BtMlpReward } from '../../testbeds/preference/methods/bradley-terry-mlp';
import { VplRewardModel, type ContextBatch } from '../../testbeds/preference/methods/variational-preference';

export interface Config {
  /** Grid size. */
  height: number;
  width: number;
  /** Goal cells [row, col] of user types 0 and 1. */
  goals: [number, number][];
  /** Discount of the gold reward's optimal value γ_r^{dist} (the code's q-iteration discount). */
  gammaReward: number;
  /** Population mixes P(user type 0) (one scenario each). */
  mixes: number[];
  /** Labelled training contexts and pairs per context (the code's set_len). */
  nContexts: number;
  K: number;
  /** Hidden widths (encoder, decoder and BTL alike), latent dimension, KL weight. */
  hidden: number[];
  latent: number;
  beta: number;
  /** Adam learning rate, steps, contexts per batch. */
  lr: number;
  steps: number;
  batch: number;
  /** Evaluation: fresh contexts per user type, test pairs per context, planning discount, rollout horizon. */
  nEval: number;
  nTest: number;
  gammaPlan: number;
  horizon: number;
}

export const DEFAULTS: Config = {
  height: 7,
  width: 7,
  goals: [
    [3, 0],
    [3, 6],
  ],
  gammaReward: 0.99,
  mixes: [0.5, 0.8],
  nContexts: 512,
  K: 8,
  hidden: [64, 64],
  latent: 8,
  beta: 1,
  lr: 1e-3,
  steps: 2000,
  batch: 32,
  nEval: 16,
  nTest: 128,
  gammaPlan: 0.95,
  horizon: 30,
};

export const METHODS = ['vpl', 'btl', 'oracle'] as const;

/** The world: grid, per-cell features, BFS distances and gold rewards per user type. */
export interface World {
  grid: FeatureGridworld;
  nS: number;
  /** Normalised (row, col) of each state, nS × 2. */
  feat: Float32Array;
  goalState: number[];
  /** Gold reward of user type u at state s: gold[u][s] ∈ [0, 1]. */
  gold: Float64Array[];
}

/** BFS distances from `target` on a deterministic grid (moves are reversible on an open grid). */
export function bfsDistances(grid: FeatureGridworld, target: number): Int32Array {
  const next = grid.next;
  if (!next) throw new Error('bfsDistances: the grid must be deterministic (slip 0)');
  const dist = new Int32Array(grid.nS).fill(-1);
  dist[target] = 0;
  const queue = [target];
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q];
    for (let a = 0; a < grid.nA; a++) {
      const t = next[s * grid.nA + a];
      if (dist[t] < 0) {
        dist[t] = dist[s] + 1;
        queue.push(t);
      }
    }
  }
  return dist;
}

export function makeWorld(c: Pick<Config, 'height' | 'width' | 'goals' | 'gammaReward'>): World {
  const grid = makeGridworld({
    height: c.height,
    width: c.width,
    cells: new Int8Array(c.height * c.width),
    gamma: 0.99,
  });
  const nS = grid.nS;
  const feat = new Float32Array(nS * 2);
  for (let s = 0; s < nS; s++) {
    const cell = grid.stateCell[s];
    feat[2 * s] = Math.floor(cell / c.width) / Math.max(1, c.height - 1);
    feat[2 * s + 1] = (cell % c.width) / Math.max(1, c.width - 1);
  }
  const goalState = c.goals.map(([r, col]) => {
    if (r < 0 || r >= c.height || col < 0 || col >= c.width)
      throw new RangeError(`personalizing-rlhf: goal [${r}, ${col}] lies outside the ${c.height}×${c.width} grid`);
    return grid.cellState[r * c.width + col];
  });
  const gold = goalState.map((g) => {
    const d = bfsDistances(grid, g);
    const v = Float64Array.from(d, (x) => Math.pow(c.gammaReward, x));
    let lo = Infinity,
      hi = -Infinity;
    for (const x of v) {
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
    return v.map((x) => (x - lo) / (hi - lo));
  });
  return { grid, nS, feat, goalState, gold };
}

/** The label of a pair for user type u: 1 if the first state's gold reward is higher, 0 if lower, ½ on a tie. */
export function label(w: World, u: number, s1: number, s2: number): number {
  const a = w.gold[u][s1],
    b = w.gold[u][s2];
  return a > b ? 1 : a < b ? 0 : 0.5;
}

/** K uniformly drawn pairs of distinct states. */
function drawPairs(w: World, rng: Rng, K: number): [number, number][] {
  const out: [number, number][] = [];
  while (out.length < K) {
    const s1 = rng.int(w.nS),
      s2 = rng.int(w.nS);
    if (s1 !== s2) out.push([s1, s2]);
  }
  return out;
}

/** A batch of contexts from (user, pairs) lists. */
function toBatch(w: World, ctx: { u: number; pairs: [number, number][] }[]): ContextBatch {
  const K = ctx[0].pairs.length;
  const N = ctx.length * K;
  const x1 = new Float32Array(N * 2),
    x2 = new Float32Array(N * 2),
    y = new Float32Array(N);
  ctx.forEach((c, b) =>
    c.pairs.forEach(([s1, s2], k) => {
      const i = b * K + k;
      x1.set(w.feat.subarray(2 * s1, 2 * s1 + 2), 2 * i);
      x2.set(w.feat.subarray(2 * s2, 2 * s2 + 2), 2 * i);
      y[i] = label(w, c.u, s1, s2);
    }),
  );
  return { x1, x2, y, B: ctx.length };
}

/**
 * Greedy policy of value iteration on a state reward r (reward on entering s'), deterministic grid; returns the
 * fraction of non-goal start states whose rollout of `horizon` steps reaches `goal`.
 */
export function planSuccess(w: World, r: ArrayLike<number>, gamma: number, horizon: number, goal: number): number {
  const { nS } = w;
  const nA = w.grid.nA,
    next = w.grid.next!;
  const V = new Float64Array(nS);
  for (let it = 0; it < 10000; it++) {
    let delta = 0;
    for (let s = 0; s < nS; s++) {
      let best = -Infinity;
      for (let a = 0; a < nA; a++) {
        const t = next[s * nA + a];
        best = Math.max(best, r[t] + gamma * V[t]);
      }
      delta = Math.max(delta, Math.abs(best - V[s]));
      V[s] = best;
    }
    if (delta < 1e-10) break;
  }
  let hits = 0,
    starts = 0;
  for (let s0 = 0; s0 < nS; s0++) {
    if (w.goalState.includes(s0)) continue;
    starts++;
    let s = s0;
    for (let t = 0; t < horizon && s !== goal; t++) {
      let best = -Infinity,
        arg = 0;
      for (let a = 0; a < nA; a++) {
        const q = r[next[s * nA + a]] + gamma * V[next[s * nA + a]];
        if (q > best + 1e-12) {
          best = q;
          arg = a;
        }
      }
      s = next[s * nA + arg];
    }
    if (s === goal) hits++;
  }
  return hits / starts;
}

/** Accuracy of a state reward's preferences on pairs without a tie for user u. */
function accuracy(w: World, u: number, r: ArrayLike<number>, pairs: [number, number][]): number {
  let ok = 0,
    n = 0;
  for (const [s1, s2] of pairs) {
    const y = label(w, u, s1, s2);
    if (y === 0.5) continue;
    n++;
    if ((r[s1] > r[s2] ? 1 : 0) === y) ok++;
  }
  return n ? ok / n : NaN;
}

/** One scenario (population mix) of one seed. */
function runScenario(
  c: Config,
  w: World,
  mix: number,
  rng: Rng,
  metrics: Record<string, number>,
  series: Record<string, number[]>,
) {
  const at = `@mix=${mix}`;
  const dataRng = rng.split('data');
  const train = Array.from({ length: c.nContexts }, () => ({
    u: dataRng.bernoulli(mix) ? 0 : 1,
    pairs: drawPairs(w, dataRng, c.K),
  }));
  const vpl = new VplRewardModel(
    { dIn: 2, K: c.K, latent: c.latent, hidden: c.hidden, beta: c.beta, lr: c.lr },
    rng.split('vpl-init'),
  );
  const btl = new BtMlpReward({ dIn: 2, hidden: c.hidden, lr: c.lr }, rng.split('btl-init'));
  const order = rng.split('batches');
  const noise = rng.split('reparam');
  const vplCurve: number[] = [],
    btlCurve: number[] = [];
  const tail = Math.max(1, Math.floor(c.steps / 10));
  let klTail = 0,
    bceTail = 0;
  for (let t = 0; t < c.steps; t++) {
    // The same contexts for both methods at every step (BTL sees their pairs pooled).
    const ctx = Array.from({ length: c.batch }, () => train[order.int(train.length)]);
    const batch = toBatch(w, ctx);
    const v = vpl.step(batch, noise);
    const b = btl.step(batch.x1, batch.x2, batch.y, batch.B * c.K);
    if (t >= c.steps - tail) {
      klTail += v.kl / tail;
      bceTail += v.bce / tail;
    }
    if (t % Math.max(1, Math.floor(c.steps / 50)) === 0) {
      vplCurve.push(v.bce + c.beta * v.kl);
      btlCurve.push(b * c.K); // per context of K pairs, like VPL's BCE
    }
  }
  series[`vpl/lossCurve${at}`] = vplCurve;
  series[`btl/lossCurve${at}`] = btlCurve;
  metrics[`vpl/kl${at}`] = klTail;
  metrics[`vpl/bce${at}`] = bceTail;

  const evalRng = rng.split('eval');
  const rBtl = Array.from(btl.reward(w.feat, w.nS));
  const latentMeans: number[][] = [];
  let sdSum = 0,
    sdN = 0;
  for (let u = 0; u < 2; u++) {
    let accV = 0,
      accB = 0,
      accO = 0,
      sucV = 0,
      corV = 0;
    const muMean = new Array(c.latent).fill(0);
    const tests: [number, number][][] = [];
    for (let e = 0; e < c.nEval; e++) {
      const ctx = toBatch(w, [{ u, pairs: drawPairs(w, evalRng, c.K) }]);
      const { mu, logvar } = vpl.encode(ctx);
      for (let j = 0; j < c.latent; j++) {
        muMean[j] += mu[j] / c.nEval;
        sdSum += Math.exp(0.5 * logvar[j]);
        sdN++;
      }
      const rV = Array.from(vpl.reward(w.feat, w.nS, mu));
      const test = drawPairs(w, evalRng, c.nTest);
      tests.push(test);
      accV += accuracy(w, u, rV, test) / c.nEval;
      accB += accuracy(w, u, rBtl, test) / c.nEval;
      accO += accuracy(w, u, w.gold[u], test) / c.nEval;
      sucV += planSuccess(w, rV, c.gammaPlan, c.horizon, w.goalState[u]) / c.nEval;
      corV += pearson(rV, w.gold[u]) / c.nEval;
    }
    latentMeans.push(muMean);
    metrics[`vpl/acc-u${u}${at}`] = accV;
    metrics[`btl/acc-u${u}${at}`] = accB;
    metrics[`oracle/acc-u${u}${at}`] = accO;
    metrics[`vpl/success-u${u}${at}`] = sucV;
    metrics[`btl/success-u${u}${at}`] = planSuccess(w, rBtl, c.gammaPlan, c.horizon, w.goalState[u]);
    metrics[`oracle/success-u${u}${at}`] = planSuccess(w, w.gold[u], c.gammaPlan, c.horizon, w.goalState[u]);
    metrics[`vpl/corr-u${u}${at}`] = corV;
    metrics[`btl/corr-u${u}${at}`] = pearson(rBtl, w.gold[u]);
  }
  for (const m of METHODS) {
    metrics[`${m}/accMin${at}`] = Math.min(metrics[`${m}/acc-u0${at}`], metrics[`${m}/acc-u1${at}`]);
    metrics[`${m}/successMin${at}`] = Math.min(metrics[`${m}/success-u0${at}`], metrics[`${m}/success-u1${at}`]);
  }
  const sd = sdSum / sdN;
  metrics[`vpl/latentGap${at}`] =
    Math.sqrt(latentMeans[0].reduce((s, x, j) => s + (x - latentMeans[1][j]) ** 2, 0)) / sd;

  // Pooled labels: expected accuracy of BTL's preferences and of the Bayes-optimal pooled predictor.
  let pb = 0,
    pbayes = 0;
  const pooled = drawPairs(w, evalRng, 4 * c.nTest);
  for (const [s1, s2] of pooled) {
    const p = mix * label(w, 0, s1, s2) + (1 - mix) * label(w, 1, s1, s2);
    pb += (rBtl[s1] > rBtl[s2] ? p : rBtl[s1] < rBtl[s2] ? 1 - p : 0.5) / pooled.length;
    pbayes += Math.max(p, 1 - p) / pooled.length;
  }
  metrics[`btl/pooledAcc${at}`] = pb;
  metrics[`bayes/pooledAcc${at}`] = pbayes;
}

export function runSeed(config: Config, seed: number): RunResult {
  const w = makeWorld(config);
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const rng = new Rng(seed).split('personalizing-rlhf');
  for (const mix of config.mixes) runScenario(config, w, mix, rng.split(`mix=${mix}`), metrics, series);
  return { metrics, series };
}
