/**
 * The tabular miniature of R. Devidze, "Reward Design for Reinforcement Learning Agents" (PhD thesis,
 * arXiv:2503.21949), teacher-driven part: explicable reward design (ExpRD; Devidze, Radanovic, Kamalaruban &
 * Singla, NeurIPS 2021) against the original sparse reward and potential-based shaping with Φ = V*, on the
 * four-room navigation task, with the paper's learner (tabular Q-learning, step 0.5, ε = 0.1, episodes of at most
 * 50 steps, 2^15 episodes as the official script), trained on the designed reward and evaluated on the original one.
 * One seed = every reward × every learner setting, one Q-learning run each, with the same episodes,
 * hyperparameters and evaluation schedule.
 *
 * Rewards (all state-action rewards r̂(s,a), as the official code uses them):
 * - `orig`: the original reward (goalReward at the goal, 0 elsewhere);
 * - `pbrs`: potential-based shaping with the optimal value, r̄(s,a) + γ E[V*(S')] − V*(s) (the code's
 *   `get_potential_based_reward`);
 * - `exprd-goal`: ExpRD with its support restricted to the goal state (B = 1);
 * - `exprd`: ExpRD with B = `design.budget` states, chosen by the iterative greedy algorithm.
 * The designs do not depend on the seed (they are computed once per thread and reused).
 *
 * Record keys, per learner setting S (`settings`: `rooms` = the official learner, first-action ties;
 * `rooms-randomties` = ties broken at random): `<m>/episodesTo@S` (episodes until the greedy policy's exact return
 * under the original reward first reaches `threshold`·J*; `learner.episodes` + `learner.evalEvery` if never),
 * `<m>/reached@S` (1 if it did), `<m>/auc@S` (mean normalised return J/J* over all evaluation points),
 * `<m>/final@S`, `<m>/episodes@S` (the budget). Per reward (`@design`): `<m>/nonzeroStates`,
 * `<m>/informativeness` (I_H of the reward), `<m>/invariant` (1 if every optimal action under the reward is optimal
 * under the original reward), `<m>/minGap` (min over states and non-optimal actions of Q^π(s,π(s)) − Q^π(s,a) − δ_s
 * under the reward, exact policy evaluation; ≥ 0 means the ExpRD invariance constraints hold);
 * `exprd/lpObjective`, `exprd/lpConsistency` (|LP optimum + I_H(r̂)|), `exprd/lpSolved`, `exprd-goal/lpObjective`,
 * `exprd-goal/lpConsistency`. Series: `<m>/curve@S` (J/J* at the episodes of `curveEpisodes`),
 * `exprd/supportStates@design`.
 */
import { Rng } from '../../core/rng';
import type { RunResult } from '../../core/records';
import { makeFourRooms, type FourRooms, type FourRoomsSpec } from '../../testbeds/tabular/env/four-rooms';
import { policyQ, policyReturn, valueIteration } from '../../testbeds/tabular/solvers/exact';
import {
  designExplicableReward,
  gapOperators,
  greedyExplicableReward,
  informativeness,
  loadLpSolver,
  targetFromReward,
  type GapOperators,
  type TargetPolicy,
} from '../../testbeds/tabular/methods/explicable-reward-lp';

export interface Config {
  /** The four-room task (the official code: 7×7, slip 0.1, γ = 0.95, goal reward R_max = 10). */
  env: FourRoomsSpec;
  /** ExpRD: horizons H, reward bound R_max and support budget B (the code: {1, 4, 8, 16, 32}, 10, 6). */
  design: { horizons: number[]; rMax: number; budget: number };
  /** Q-learning (the paper: step 0.5, ε = 0.1, ≤ 50 steps per episode) and its evaluation schedule. */
  learner: { alpha: number; epsilon: number; horizon: number; episodes: number; evalEvery: number };
  /**
   * Learner variants (settings), each run for every reward: how the ε-greedy learner breaks ties between equal
   * Q-values — 'first' (the first maximal action, numpy's argmax, as the official code) or 'random' (uniformly).
   * With all-zero initial values the tie rule decides how a learner explores before it has seen any reward.
   */
  settings: { name: string; tieBreak: TieBreak }[];
  /** Fraction of the optimal return that counts as converged. */
  threshold: number;
}

export const DEFAULTS: Config = {
  env: { size: 7, slip: 0.1, gamma: 0.95, goalReward: 10 },
  design: { horizons: [1, 4, 8, 16, 32], rMax: 10, budget: 6 },
  learner: { alpha: 0.5, epsilon: 0.1, horizon: 50, episodes: 32768, evalEvery: 10 },
  settings: [
    { name: 'rooms', tieBreak: 'first' },
    { name: 'rooms-randomties', tieBreak: 'random' },
  ],
  threshold: 0.95,
};

export type TieBreak = 'first' | 'random';

/**
 * The evaluation points kept in the records' learning curves: episode 0 and a geometric grid (ratio 1.15) of
 * evaluation points up to the last one (episodes are multiples of `evalEvery`). The metrics use every evaluation.
 */
export function curveEpisodes(learner: Config['learner']): number[] {
  const last = Math.floor(learner.episodes / learner.evalEvery);
  const idx = new Set<number>([0, last]);
  for (let x = 1; x < last; x *= 1.15) idx.add(Math.round(x));
  return [...idx]
    .filter((i) => i <= last)
    .sort((a, b) => a - b)
    .map((i) => i * learner.evalEvery);
}

export const METHODS = ['orig', 'pbrs', 'exprd-goal', 'exprd'] as const;
export type Method = (typeof METHODS)[number];

export interface Designs {
  env: FourRooms;
  target: TargetPolicy;
  ops: GapOperators;
  optimalReturn: number;
  rewards: Record<Method, Float64Array>;
  lp: {
    goal: { objective: number };
    greedy: { objective: number; support: number[]; lpSolved: number };
  };
}

const cache = new Map<string, Promise<Designs>>();

/** The four rewards of a config (memoised per thread: they do not depend on the seed). */
export function designs(config: Config): Promise<Designs> {
  const key = JSON.stringify([config.env, config.design]);
  let d = cache.get(key);
  if (!d) {
    d = computeDesigns(config);
    cache.set(key, d);
  }
  return d;
}

async function computeDesigns(config: Config): Promise<Designs> {
  const env = makeFourRooms(config.env);
  const { nS, nA, gamma, T } = env;
  const target = targetFromReward(env, env.reward);
  const ops = gapOperators(env, target.policy, config.design.horizons);
  const vi = valueIteration(env, env.reward, { tol: 1e-12 });
  const pbrs = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      let ev = 0;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) ev += T.prob[k] * vi.V[T.col[k]];
      pbrs[r] = env.reward[r] + gamma * ev - vi.V[s];
    }
  const solver = await loadLpSolver();
  const { rMax, budget } = config.design;
  const goal = designExplicableReward(solver, env, target, ops, { support: [env.goal], rMax });
  const candidates: number[] = [];
  for (let s = 0; s < nS; s++) if (s !== env.goal && s !== env.terminal) candidates.push(s);
  const greedy = greedyExplicableReward(solver, env, target, ops, { budget, rMax, initial: [env.goal], candidates });
  return {
    env,
    target,
    ops,
    optimalReturn: policyReturn(env, env.reward, vi.policy),
    rewards: { orig: env.reward, pbrs, 'exprd-goal': goal.reward, exprd: greedy.result.reward },
    lp: {
      goal: { objective: goal.objective },
      greedy: { objective: greedy.result.objective, support: greedy.result.support, lpSolved: greedy.lpSolved },
    },
  };
}

/**
 * Tabular Q-learning (Watkins & Dayan 1992) with a constant step size, as in the paper: Q(S,A) += α (R̂(S,A) +
 * γ max_a' Q(S',a') − Q(S,A)), ε-greedy behaviour (ties broken by `tieBreak`), episodes from the start state that end
 * at the terminal state or after `horizon` steps. Every `evalEvery` episodes (and before the first), `evaluate`
 * receives the greedy policy (first maximal action). The update is that of `learners.qLearning`; this loop adds
 * the constant step, the tie rule and the evaluation hook.
 */
export function qLearningCurve(
  env: FourRooms,
  reward: Float64Array,
  opts: Config['learner'],
  tieBreak: TieBreak,
  rng: Rng,
  evaluate: (policy: Int32Array) => number,
): number[] {
  const { nS, nA, T, gamma } = env;
  const Q = new Float64Array(nS * nA);
  const curve: number[] = [];
  const greedy = () => {
    const pi = new Int32Array(nS);
    for (let s = 0; s < nS; s++) {
      let b = 0;
      for (let a = 1; a < nA; a++) if (Q[s * nA + a] > Q[s * nA + b]) b = a;
      pi[s] = b;
    }
    return pi;
  };
  curve.push(evaluate(greedy()));
  const ties = new Int32Array(nA);
  for (let ep = 1; ep <= opts.episodes; ep++) {
    let s = env.start;
    for (let t = 0; t < opts.horizon && !env.terminalMask[s]; t++) {
      let a: number;
      if (rng.uniform() < opts.epsilon) a = rng.int(nA);
      else {
        let best = -Infinity,
          n = 0;
        for (let b = 0; b < nA; b++) {
          const q = Q[s * nA + b];
          if (q > best) {
            best = q;
            n = 0;
          }
          if (q === best) ties[n++] = b;
        }
        a = n === 1 || tieBreak === 'first' ? ties[0] : ties[rng.int(n)];
      }
      const r = s * nA + a;
      const u = rng.uniform();
      let sp = T.col[T.rowPtr[r + 1] - 1];
      let acc = 0;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1] - 1; k++) {
        acc += T.prob[k];
        if (u < acc) {
          sp = T.col[k];
          break;
        }
      }
      let next = 0;
      if (!env.terminalMask[sp]) {
        next = Q[sp * nA];
        for (let b = 1; b < nA; b++) next = Math.max(next, Q[sp * nA + b]);
      }
      Q[r] += opts.alpha * (reward[r] + gamma * next - Q[r]);
      s = sp;
    }
    if (ep % opts.evalEvery === 0) curve.push(evaluate(greedy()));
  }
  return curve;
}

/** 1 if every action that is optimal under `reward` is optimal under the original reward (at every state). */
function preservesOptimalActions(d: Designs, reward: Float64Array): number {
  const { env, target } = d;
  const { nS, nA } = env;
  const vi = valueIteration(env, reward, { tol: 1e-12 });
  for (let s = 0; s < nS; s++) {
    let best = -Infinity;
    for (let a = 0; a < nA; a++) best = Math.max(best, vi.Q[s * nA + a]);
    for (let a = 0; a < nA; a++)
      if (vi.Q[s * nA + a] >= best - 1e-9 * Math.max(1, Math.abs(best)) && !target.optimal[s * nA + a]) return 0;
  }
  return 1;
}

/** min over states and non-optimal actions of Q^π(s,π(s)) − Q^π(s,a) − δ_s under `reward` (exact evaluation). */
function minGap(d: Designs, reward: Float64Array): number {
  const { env, target } = d;
  const { nS, nA } = env;
  const Q = policyQ(env, reward, target.policy);
  let m = Infinity;
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++)
      if (!target.optimal[s * nA + a]) m = Math.min(m, Q[s * nA + target.policy[s]] - Q[s * nA + a] - target.delta[s]);
  return m;
}

export async function runSeed(config: Config, seed: number): Promise<RunResult> {
  const d = await designs(config);
  const { env } = d;
  const root = new Rng(seed).split('reward-design');
  const metrics: Record<string, number> = {};
  const series: Record<string, number[]> = {};
  const J = (pi: Int32Array) => policyReturn(env, env.reward, pi) / d.optimalReturn;
  const { episodes, evalEvery } = config.learner;
  const grid = curveEpisodes(config.learner);
  for (const setting of config.settings) {
    const key = (m: string, metric: string) => `${m}/${metric}@${setting.name}`;
    for (const m of METHODS) {
      const reward = d.rewards[m];
      const curve = qLearningCurve(env, reward, config.learner, setting.tieBreak, root.split(setting.name).split(m), J);
      let first = -1;
      for (let i = 0; i < curve.length; i++)
        if (curve[i] >= config.threshold) {
          first = i;
          break;
        }
      metrics[key(m, 'episodesTo')] = first >= 0 ? first * evalEvery : episodes + evalEvery;
      metrics[key(m, 'reached')] = first >= 0 ? 1 : 0;
      metrics[key(m, 'auc')] = curve.reduce((a, x) => a + x, 0) / curve.length;
      metrics[key(m, 'final')] = curve[curve.length - 1];
      metrics[key(m, 'episodes')] = episodes;
      series[key(m, 'curve')] = grid.map((e) => curve[e / evalEvery]);
    }
  }
  const key = (m: string, metric: string) => `${m}/${metric}@design`;
  for (const m of METHODS) {
    const reward = d.rewards[m];
    let nz = 0;
    for (let s = 0; s < env.nS; s++) {
      let any = false;
      for (let a = 0; a < env.nA; a++) if (reward[s * env.nA + a] !== 0) any = true;
      if (any) nz++;
    }
    metrics[key(m, 'nonzeroStates')] = nz;
    metrics[key(m, 'informativeness')] = informativeness(env, d.target, d.ops, reward);
    metrics[key(m, 'invariant')] = preservesOptimalActions(d, reward);
    metrics[key(m, 'minGap')] = minGap(d, reward);
  }
  metrics[key('exprd', 'lpObjective')] = d.lp.greedy.objective;
  metrics[key('exprd', 'lpConsistency')] = Math.abs(
    d.lp.greedy.objective + informativeness(env, d.target, d.ops, d.rewards.exprd),
  );
  metrics[key('exprd', 'lpSolved')] = d.lp.greedy.lpSolved;
  metrics[key('exprd-goal', 'lpObjective')] = d.lp.goal.objective;
  metrics[key('exprd-goal', 'lpConsistency')] = Math.abs(
    d.lp.goal.objective + informativeness(env, d.target, d.ops, d.rewards['exprd-goal']),
  );
  series[key('exprd', 'supportStates')] = d.lp.greedy.support;
  return { metrics, series };
}
