/**
 * The bandit testbed's standard protocol: every bandit algorithm of the kit's papers plays the same bandit
 * families for the same horizon with the same seeds, scored by its exact pseudo-regret normalised by that of the
 * uniformly random policy (reports/compare/bandits.html). The paper notebooks stay the tests of their claims.
 *
 * Tasks (a seed draws one instance of each family; the best arm / action is at a random position):
 *   bernoulli-easy   K = 10 Bernoulli arms, μ* = 0.7, gaps Δ_i ~ U[0.1, 0.5] (the minimum gap set to 0.1)
 *   bernoulli-hard   K = 10 Bernoulli arms, μ* = 0.55, gaps Δ_i ~ U[0.02, 0.1] (the minimum gap set to 0.02)
 *   gaussian         K = 10 Gaussian arms, σ = 1, means μ_i ~ U[0, 1]
 *   linear           finite-action linear bandit, d = 5, K = 20 actions uniform on the unit sphere, θ* uniform on
 *                    the unit sphere, reward noise σ = 0.5
 *   dynamical        the dynamical linear bandit of the DLB paper notebook (Mussi et al. 2023, official synthetic
 *                    case with ρ = 0.6): hidden state x_{t+1} = A x_t + B a_t + η_t, y_t = ⟨ω, x_t⟩ + ⟨θ, a_t⟩ + ε_t,
 *                    6 budget allocations as actions, σ = 0.01; the system is fixed, a seed draws the noise
 * Every task has a finite action set; an action's value μ_k is its mean reward (the steady-state value ⟨h, a_k⟩
 * on `dynamical`, h the steady-state gain of solvers/steady-state.ts).
 * Score (higher is better, 1 = the optimal action every round, 0 = no better than uniform random):
 *   1 − R_T / R_T(unif),  R_T = Σ_{t<T} (μ* − μ_{A_t})  (exact pseudo-regret from the known values),
 *   R_T(unif) = T (μ* − mean_k μ_k)  (the exact expected pseudo-regret of the uniformly random policy).
 * Also recorded: R_T itself and the fraction of rounds on the optimal action.
 * Budget: T rounds for every method, one reward observed per round. No method is tuned on the protocol: each runs
 * with the settings of its paper (UCB1 c = 1; Thompson sampling with a Beta(1, 1) prior on Bernoulli tasks and
 * Agrawal–Goyal's Gaussian sampler with the task's noise scale elsewhere; Exp3 with Auer et al.'s γ and η = γ/K;
 * OFUL / DynLin-UCB with the DLB notebook's λ = ln T, δ = 1/T and bounds computed from the true instance, as the
 * official DLB code does).
 * Applicability: every method plays every task. A K-armed method treats the actions of a linear or dynamical task
 * as K independent arms; the linear methods treat a K-armed task as a linear bandit with one-hot actions (d = K);
 * DynLin-UCB on a static task is a dynamical bandit with A = 0, ω = 0, where its blocks have length 1 and its bias
 * term vanishes, so it reduces exactly to OFUL.
 */
import { Rng } from '../../../core/rng';
import type { RunResult } from '../../../core/records';
import { metricKey } from '../../../core/metric-keys';
import { bernoulliBandit, gaussianBandit, pull, type KArmedBandit } from '../env/k-armed';
import { actionOf, dot, linearBandit, linearMeans, pullLinear, type LinearBandit } from '../env/linear';
import { DLB_ACTIONS, dlbSystem, initialState, stepDlb, type DynamicalLinearBandit } from '../env/dynamical-linear';
import { phiConstant, spectralNorm, spectralRadius, steadyStateGain } from '../solvers/steady-state';
import type { DynLinBounds } from '../methods/dynlin-ucb';

export const PROTOCOL_TASKS = ['bernoulli-easy', 'bernoulli-hard', 'gaussian', 'linear', 'dynamical'] as const;
export type ProtocolTask = (typeof PROTOCOL_TASKS)[number];

type TaskSpec =
  | { kind: 'bernoulli'; K: number; best: number; minGap: number; maxGap: number }
  | { kind: 'gaussian'; K: number; std: number }
  | { kind: 'linear'; d: number; K: number; std: number }
  | { kind: 'dynamical'; rho: number; std: number };

/** The bandit family of each task. */
export const TASK_SPECS: Record<ProtocolTask, TaskSpec> = {
  'bernoulli-easy': { kind: 'bernoulli', K: 10, best: 0.7, minGap: 0.1, maxGap: 0.5 },
  'bernoulli-hard': { kind: 'bernoulli', K: 10, best: 0.55, minGap: 0.02, maxGap: 0.1 },
  gaussian: { kind: 'gaussian', K: 10, std: 1 },
  linear: { kind: 'linear', d: 5, K: 20, std: 0.5 },
  dynamical: { kind: 'dynamical', rho: 0.6, std: 0.01 },
};

export interface ProtocolConfig {
  /** Horizon T: rounds every method plays on every task. */
  T: number;
  /** The tasks to run (default: all). */
  tasks: ProtocolTask[];
}

export const PROTOCOL_DEFAULTS: ProtocolConfig = { T: 10000, tasks: [...PROTOCOL_TASKS] };

/**
 * One task instance as every method sees it: a finite action set with feature vectors (one-hot on K-armed tasks),
 * the values μ_k (evaluation only), the facts a method's paper lets it use (noise scale, reward range, norm
 * bounds), and `start(rng)`, which returns the environment's reward function for one run.
 */
export interface ProtocolWorld {
  task: ProtocolTask;
  K: number;
  d: number;
  /** K × d action features, row-major (one-hot rows on K-armed tasks). */
  actions: Float64Array;
  /** Mean (steady-state) value μ_k of every action. */
  values: Float64Array;
  /** Index of the optimal action. */
  best: number;
  /** Bernoulli rewards (0/1) or not. */
  bernoulli: boolean;
  /** Sub-Gaussian noise scale of a reward (1/2 for Bernoulli rewards). */
  noiseStd: number;
  /** A range that holds the rewards with high probability: [lo, hi] (Exp3's rescaling to [0, 1]). */
  rewardRange: [number, number];
  /** Bounds on the system given to OFUL / DynLin-UCB (static tasks: ρ̄ = 0, ω = 0, B = 0). */
  bounds: DynLinBounds;
  /** Begin a run: the reward of playing action k at the next round (rounds in order). */
  start(rng: Rng): (k: number) => number;
}

function argmaxOf(v: Float64Array): number {
  let b = 0;
  for (let i = 1; i < v.length; i++) if (v[i] > v[b]) b = i;
  return b;
}

function maxNorm(actions: Float64Array, d: number): number {
  let U = 0;
  for (let k = 0; k < actions.length / d; k++) U = Math.max(U, Math.hypot(...actionOf({ actions, d }, k)));
  return U;
}

function staticBounds(theta: ArrayLike<number>, actions: Float64Array, d: number, sigma: number): DynLinBounds {
  return {
    rhoBar: 0,
    phi: 0,
    omegaNorm: 0,
    thetaNorm: Math.hypot(...Array.from(theta)),
    bNorm: 0,
    U: maxNorm(actions, d),
    sigma,
  };
}

function oneHot(K: number): Float64Array {
  const a = new Float64Array(K * K);
  for (let k = 0; k < K; k++) a[k * K + k] = 1;
  return a;
}

function unitVector(rng: Rng, d: number): Float64Array {
  const v = rng.normals(d);
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function kArmedWorld(task: ProtocolTask, env: KArmedBandit, noiseStd: number, range: [number, number]): ProtocolWorld {
  const K = env.means.length;
  const actions = oneHot(K);
  return {
    task,
    K,
    d: K,
    actions,
    values: Float64Array.from(env.means),
    best: argmaxOf(env.means),
    bernoulli: env.kind === 'bernoulli',
    noiseStd,
    rewardRange: range,
    bounds: staticBounds(env.means, actions, K, noiseStd),
    start: (rng) => (k) => pull(env, k, rng),
  };
}

/** The instance of a task for a seed (the same for every method: its randomness is split from the task). */
export function protocolWorld(task: ProtocolTask, seed: number): ProtocolWorld {
  const spec = TASK_SPECS[task];
  if (!spec)
    throw new RangeError(`bandits protocol: unknown task "${task}"; the tasks are ${PROTOCOL_TASKS.join(', ')}`);
  const rng = new Rng(seed).split('bandits-protocol').split(task).split('instance');
  if (spec.kind === 'bernoulli') {
    const star = rng.int(spec.K);
    const gaps = Float64Array.from({ length: spec.K }, () => rng.range(spec.minGap, spec.maxGap));
    const j = (star + 1 + rng.int(spec.K - 1)) % spec.K; // a suboptimal arm whose gap is the minimum gap
    gaps[j] = spec.minGap;
    gaps[star] = 0;
    return kArmedWorld(task, bernoulliBandit(gaps.map((g) => spec.best - g)), 0.5, [0, 1]);
  }
  if (spec.kind === 'gaussian') {
    const means = Float64Array.from({ length: spec.K }, () => rng.uniform());
    return kArmedWorld(task, gaussianBandit(means, spec.std), spec.std, [-3 * spec.std, 1 + 3 * spec.std]);
  }
  if (spec.kind === 'linear') {
    const theta = unitVector(rng.split('theta'), spec.d);
    const ar = rng.split('actions');
    const rows = Array.from({ length: spec.K }, () => Array.from(unitVector(ar, spec.d)));
    const env: LinearBandit = linearBandit(rows, Array.from(theta), spec.std);
    const values = linearMeans(env);
    return {
      task,
      K: env.K,
      d: env.d,
      actions: env.actions,
      values,
      best: argmaxOf(values),
      bernoulli: false,
      noiseStd: spec.std,
      rewardRange: [-1 - 3 * spec.std, 1 + 3 * spec.std],
      bounds: staticBounds(theta, env.actions, env.d, spec.std),
      start: (r) => (k) => pullLinear(env, k, r),
    };
  }
  const env = dlbSystem(spec.rho, spec.std);
  const d = env.d,
    actions = DLB_ACTIONS;
  const h = steadyStateGain(env);
  const K = actions.length / d;
  const values = Float64Array.from({ length: K }, (_, k) => dot(h, actionOf({ actions, d }, k)));
  const s = Math.max(env.n, env.d); // ‖B‖₂ via the square embedding
  const Bsq = new Float64Array(s * s);
  for (let i = 0; i < env.n; i++) for (let k = 0; k < env.d; k++) Bsq[i * s + k] = env.B[i * env.d + k];
  const bounds: DynLinBounds = {
    rhoBar: spectralRadius(env.A, env.n),
    phi: phiConstant(env.A, env.n),
    omegaNorm: Math.hypot(...env.omega),
    thetaNorm: Math.hypot(...env.theta),
    bNorm: spectralNorm(Bsq, s),
    U: maxNorm(actions, d),
    sigma: spec.std,
  };
  // The DLB notebook's Exp3 range [−2M, 2M], M = (‖θ‖ + ‖ω‖‖B‖/(1 − ρ̄)) U.
  const M = (bounds.thetaNorm + (bounds.omegaNorm * bounds.bNorm) / (1 - bounds.rhoBar)) * bounds.U;
  return {
    task,
    K,
    d,
    actions,
    values,
    best: argmaxOf(values),
    bernoulli: false,
    noiseStd: spec.std,
    rewardRange: [-2 * M, 2 * M],
    bounds,
    start: (r) => {
      const st = initialState(env);
      return (k) => stepDlb(env, st, actionOf({ actions, d }, k), r).reward;
    },
  };
}

/** A bandit learner over a task's K actions: choose the action of round t, then observe its reward. */
export interface Learner {
  select(t: number, rng: Rng): number;
  update(k: number, reward: number): void;
}

/** A method entered into the protocol: a named recipe of the testbed's method files. */
export interface ProtocolRecipe {
  /** Name on the leaderboard. */
  name: string;
  /** One line: what it is, as composed from the testbed's parts. */
  summary: string;
  /** A fresh learner for one run of T rounds on a task instance (`rng`: its own randomness, e.g. a first action). */
  learner(w: ProtocolWorld, T: number, rng: Rng): Learner;
}

export interface Outcome {
  score: number;
  regret: number;
  fracOptimal: number;
}

/** The exact expected pseudo-regret T (μ* − mean_k μ_k) of the uniformly random policy. */
export function uniformRegret(w: ProtocolWorld, T: number): number {
  let m = 0;
  for (const v of w.values) m += v / w.K;
  return T * (w.values[w.best] - m);
}

/**
 * Plays one learner for T rounds on a task instance. The environment's noise comes from
 * `seed → task → 'rewards'` (the same stream for every method), the learner's randomness from
 * `seed → task → 'policy'`.
 */
export function playTask(make: ProtocolRecipe['learner'], task: ProtocolTask, T: number, seed: number): Outcome {
  const w = protocolWorld(task, seed);
  const root = new Rng(seed).split('bandits-protocol').split(task);
  const reward = w.start(root.split('rewards'));
  const polRng = root.split('policy');
  const learner = make(w, T, polRng.split('init'));
  const star = w.values[w.best];
  let R = 0,
    onBest = 0;
  for (let t = 0; t < T; t++) {
    const k = learner.select(t, polRng);
    if (!(k >= 0 && k < w.K && Number.isInteger(k)))
      throw new RangeError(`bandits protocol (${task}): a learner chose action ${k}; actions are 0..${w.K - 1}`);
    learner.update(k, reward(k));
    R += star - w.values[k];
    if (k === w.best) onBest++;
  }
  return { score: 1 - R / uniformRegret(w, T), regret: R, fracOptimal: onBest / T };
}

/**
 * Run a method on every task of the config for one seed. Record keys `<name>/<metric>@<task>`: score
 * (1 − R_T / R_T(unif)), regret (R_T), fracOptimal.
 */
export function runRecipe(recipe: ProtocolRecipe, config: ProtocolConfig, seed: number): RunResult {
  const metrics: Record<string, number> = {};
  for (const task of config.tasks) {
    const o = playTask((w, T, rng) => recipe.learner(w, T, rng), task, config.T, seed);
    metrics[metricKey(recipe.name, `score@${task}`)] = o.score;
    metrics[metricKey(recipe.name, `regret@${task}`)] = o.regret;
    metrics[metricKey(recipe.name, `fracOptimal@${task}`)] = o.fracOptimal;
  }
  return { metrics };
}
