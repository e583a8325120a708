/**
 * The preference testbed's reward-model protocol: every reward-model learner of the testbed's papers learns from the
 * same labelled pairs of feature-vector responses (data/feature-preferences.ts), and is scored by how well the
 * KL-regularised policy of its reward serves the gold utility (reports/compare/preference.html, "reward models").
 * The paper notebooks stay the tests of their claims.
 *
 * Tasks (d = 16, responses x ~ N(0, I), gold utility u(x) = g⟨w, x⟩ with g = 1.5 and w a random unit vector; K = 5
 * datasets of `pairs` pairs each, labelled by Bradley–Terry draws; every learner sees the dataset id of a pair):
 *   clean           all datasets labelled from u
 *   flipped-20/-40  as clean, then each label flipped with probability 0.2 / 0.4
 *   diversified     dataset k labelled from u + g⟨w_k, x⟩ (its own component as large as the shared one; MORE's
 *                   setting, on-diversified-preferences-of-large at ρ = 1)
 *   diversified-small  the same with `smallPairs` pairs per dataset
 *   plural          dataset k is user k's: labelled from u_k(x) = g⟨w, x⟩ + g·s_k⟨o, x⟩ with s_k evenly spaced in
 *                   [−1, 1] and o a second random unit vector (users who agree on w and disagree along o); the target
 *                   is per user: each user is served by the policy of the reward the learner gives that user
 *                   (user-agnostic learners give every user the same reward), and the task's score is the mean over
 *                   users (the worst user's score is recorded as `worst@plural`)
 * User-conditioned learners (VPL, PAL) serve a shared-target task with the average of their users' rewards.
 * Score (higher is better): 1 − regret(π̂) / regret(π_ref) on `pools` pools of `poolSize` fresh responses with a
 * uniform reference, where π̂ ∝ π_ref·exp(r̂/β) is the KL-regularised optimum of the learned reward and regret(π) =
 * J(π*) − J(π), J(π) = E_π u − β KL(π‖π_ref), π* the optimum of the gold utility (solvers/kl-optimum.ts): 1 = the gold
 * optimum, 0 = no better than the reference policy. It depends on the reward's scale as well as its ranking, so a
 * miscalibrated reward loses score. Also recorded: accuracy against the true preference on held-out pairs and the
 * ECE against the true preference probabilities (src/stats/calibration.ts).
 * Budget: the same labelled pairs per task and seed for every learner; gradient learners take `steps` Adam steps of
 * `batch` pairs of every dataset (lr 1e-3, MLP 16-64-64-1); none is tuned on the protocol.
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { calibrationError } from '../../../stats/calibration';
import { dotRow, labelledPairs, responses, unitVector, type LabelledPairs } from '../data/feature-preferences';
import { klRegularisedOptimum } from '../solvers/kl-optimum';
import { kl, uniformTabularPolicy, type TabularPolicy } from '../policies/tabular-policy';

export const PROTOCOL_TASKS = [
  'clean',
  'flipped-20',
  'flipped-40',
  'diversified',
  'diversified-small',
  'plural',
] as const;
export type ProtocolTask = (typeof PROTOCOL_TASKS)[number];

export interface ProtocolConfig {
  d: number;
  K: number;
  gain: number;
  pairs: number;
  smallPairs: number;
  /** Gradient learners: Adam steps, pairs per dataset per step. */
  steps: number;
  batch: number;
  /** Evaluation: held-out pairs, pools, responses per pool, KL coefficient β. */
  nTest: number;
  pools: number;
  poolSize: number;
  beta: number;
  tasks: ProtocolTask[];
}

export const PROTOCOL_DEFAULTS: ProtocolConfig = {
  d: 16,
  K: 5,
  gain: 1.5,
  pairs: 2000,
  smallPairs: 400,
  steps: 500,
  batch: 16,
  nTest: 4000,
  pools: 200,
  poolSize: 16,
  beta: 1,
  tasks: [...PROTOCOL_TASKS],
};

/** The training data of a task: K datasets (dataset k = user k's labels on the plural task) and the target. */
export interface ProtocolData {
  d: number;
  K: number;
  datasets: LabelledPairs[];
  /** Gold utility of row i of a response matrix (the shared target; on the plural task the users' average). */
  gold: (x: Float32Array, i: number) => number;
  /** Per-user targets (plural task only): userGold[k] is user k's utility, the one dataset k is labelled from. */
  userGold?: ((x: Float32Array, i: number) => number)[];
}

/**
 * A learned reward of n responses (n × d, row-major). `user` (0..K−1) asks for user k's reward; a user-agnostic
 * learner ignores it, and a user-conditioned one returns the average of its users' rewards when it is undefined.
 */
export type LearnedReward = ((x: Float32Array, n: number, user?: number) => ArrayLike<number>) & {
  /** Optional method-specific diagnostics, recorded as `<name>/<key>@<task>`. */
  diagnostics?: Record<string, number>;
};

/** A method entered into the protocol: a reward model learned from the datasets. */
export interface ProtocolRecipe {
  name: string;
  summary: string;
  budget?: 'labels' | 'exact';
  /** Returns the learned reward. */
  learn(data: ProtocolData, config: ProtocolConfig, rng: Rng): LearnedReward;
}

/** The datasets of a task for a seed: the same for every method (split from seed → task). */
export function protocolData(task: ProtocolTask, config: ProtocolConfig, seed: number): ProtocolData {
  if (!PROTOCOL_TASKS.includes(task))
    throw new RangeError(`reward-model protocol: unknown task "${task}"; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
  const { d, K, gain } = config;
  const rng = new Rng(seed).split('reward-model-protocol').split(task);
  const world = rng.split('world');
  const w = unitVector(world, d);
  const own = Array.from({ length: K }, () => unitVector(world, d));
  const gold = (x: Float32Array, i: number) => gain * dotRow(w, x, i, d);
  if (task === 'plural') {
    const o = unitVector(world, d);
    const userGold = Array.from({ length: K }, (_, k) => {
      const sk = K === 1 ? 0 : -1 + (2 * k) / (K - 1);
      return (x: Float32Array, i: number) => gold(x, i) + gain * sk * dotRow(o, x, i, d);
    });
    const dataRng = rng.split('data');
    const datasets = userGold.map((u) => labelledPairs(dataRng, config.pairs, d, u));
    return { d, K, datasets, gold, userGold };
  }
  const n = task === 'diversified-small' ? config.smallPairs : config.pairs;
  const flip = task === 'flipped-20' ? 0.2 : task === 'flipped-40' ? 0.4 : 0;
  const dataRng = rng.split('data');
  const datasets = own.map((wk) => {
    const util = task.startsWith('diversified')
      ? (x: Float32Array, i: number) => gold(x, i) + gain * dotRow(wk, x, i, d)
      : gold;
    const pairs = labelledPairs(dataRng, n, d, util);
    if (flip > 0) for (let i = 0; i < n; i++) if (dataRng.uniform() < flip) pairs.y[i] = 1 - pairs.y[i];
    return pairs;
  });
  return { d, K, datasets, gold };
}

/** Score, accuracy and calibration inputs of one learned reward against one target utility. */
function scoreAgainst(
  reward: (x: Float32Array, n: number) => ArrayLike<number>,
  target: (x: Float32Array, i: number) => number,
  config: ProtocolConfig,
  evalRng: Rng,
): { score: number; acc: number; q: Float64Array; t: Float64Array } {
  const test = labelledPairs(evalRng, config.nTest, config.d, target);
  const m = config.pools * config.poolSize;
  const poolX = responses(evalRng, m, config.d);
  const goldPool = Float64Array.from({ length: m }, (_, i) => target(poolX, i));
  const ref = uniformTabularPolicy(config.pools, config.poolSize);
  const J = (pi: TabularPolicy) => {
    let e = 0;
    for (let i = 0; i < m; i++) e += (pi.probs[i] * goldPool[i]) / config.pools;
    return e - config.beta * kl(pi, ref);
  };
  const jStar = J(klRegularisedOptimum(ref, goldPool, config.beta));
  const jHat = J(klRegularisedOptimum(ref, Float64Array.from(reward(poolX, m)), config.beta));
  const r1 = reward(test.x1, config.nTest),
    r2 = reward(test.x2, config.nTest);
  const q = new Float64Array(2 * config.nTest),
    t = new Float64Array(2 * config.nTest);
  let acc = 0;
  for (let i = 0; i < config.nTest; i++) {
    const pHat = 1 / (1 + Math.exp(-(r1[i] - r2[i])));
    q[i] = pHat;
    q[config.nTest + i] = 1 - pHat;
    t[i] = test.p[i];
    t[config.nTest + i] = 1 - test.p[i];
    if (pHat > 0.5 === test.p[i] > 0.5) acc++;
  }
  return { score: 1 - (jStar - jHat) / (jStar - J(ref)), acc: acc / config.nTest, q, t };
}

/**
 * Run a method on every task of the config for one seed. Keys `<name>/<metric>@<task>`: score, acc, ece; on the
 * plural task score and acc are means over users, ece pools the users' held-out pairs, and `worst@plural` is the
 * lowest user's score.
 */
export function runRecipe(recipe: ProtocolRecipe, config: ProtocolConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  for (const task of config.tasks) {
    const data = protocolData(task, config, seed);
    const evalRng = new Rng(seed).split('reward-model-protocol').split(task).split('eval');
    const reward = recipe.learn(data, config, new Rng(seed).split('reward-model-protocol').split(task).split('init'));
    for (const [k, v] of Object.entries(reward.diagnostics ?? {})) metrics[metricKey(recipe.name, `${k}@${task}`)] = v;
    if (data.userGold) {
      const per = data.userGold.map((u, k) => scoreAgainst((x, n) => reward(x, n, k), u, config, evalRng));
      const mean = (f: (r: (typeof per)[number]) => number) => per.reduce((s, r) => s + f(r), 0) / per.length;
      const q = new Float64Array(per.reduce((s, r) => s + r.q.length, 0)),
        t = new Float64Array(q.length);
      let o = 0;
      for (const r of per) {
        q.set(r.q, o);
        t.set(r.t, o);
        o += r.q.length;
      }
      metrics[metricKey(recipe.name, `score@${task}`)] = mean((r) => r.score);
      metrics[metricKey(recipe.name, `worst@${task}`)] = Math.min(...per.map((r) => r.score));
      metrics[metricKey(recipe.name, `acc@${task}`)] = mean((r) => r.acc);
      metrics[metricKey(recipe.name, `ece@${task}`)] = calibrationError(t, q, 10).ece;
      continue;
    }
    const r = scoreAgainst((x, n) => reward(x, n), data.gold, config, evalRng);
    metrics[metricKey(recipe.name, `score@${task}`)] = r.score;
    metrics[metricKey(recipe.name, `acc@${task}`)] = r.acc;
    metrics[metricKey(recipe.name, `ece@${task}`)] = calibrationError(r.t, r.q, 10).ece;
  }
  return { metrics };
}
