/**
 * Offline datasets of stated quality, drawn from a finite MDP (`OfflineMdp`) by a behaviour policy, on typed
 * arrays; and hindsight goal relabelling (Andrychowicz et al., "Hindsight Experience Replay", NeurIPS 2017, §3.3
 * "future" strategy) for goal-conditioned data.
 *
 * A dataset is a list of transitions (s, a, r, s', done) grouped in episodes (contiguous, in time order; `episode`
 * and `step` index them). `done` is 1 when s' is terminal (no bootstrapping past it); an episode that stops at the
 * horizon without reaching a terminal state is truncated (its last transition has done = 0).
 *
 * Behaviour qualities (`behaviourPolicy`):
 *   optimal      uniform over the optimal actions of Q* (value iteration; ties within 1e-9 relative)
 *   epsilon      (1 − ε)·optimal + ε·uniform
 *   random       uniform over actions
 * and goal-reaching (`collectGoalReaching`): on a goal-free world, each episode commands a goal drawn uniformly
 * among the states and follows an ε-noisy shortest-path policy to it (uniform over the actions that lower the BFS
 * distance), drawing a new goal when it arrives (the "navigate" collection of goal-conditioned benchmarks).
 * All randomness comes from the `Rng` passed in.
 */
import type { Rng } from '../../../core/rng';
import type { TabularEnv } from '../../tabular/env/mdp';
import { rollouts, type EpisodeBatch } from '../../tabular/loops/learners';
import { valueIteration } from '../../tabular/solvers/exact';
import { greedyPolicyWithTies } from '../../tabular/solvers/policy-iteration';
import { denseEntryReward, type OfflineMdp } from '../env/tasks';
import { bfsDistances } from '../solvers/evaluation';

export interface OfflineDataset {
  readonly nS: number;
  readonly nA: number;
  readonly gamma: number;
  /** Number of transitions. */
  readonly size: number;
  readonly s: Int32Array;
  readonly a: Int32Array;
  readonly r: Float64Array;
  readonly sp: Int32Array;
  /** 1 when s' is terminal. */
  readonly done: Uint8Array;
  /** Episode index of each transition (episodes are contiguous, in time order). */
  readonly episode: Int32Array;
  /** Time step of each transition within its episode. */
  readonly step: Int32Array;
  /** Goal of each transition in goal-conditioned data (commanded or relabelled); absent otherwise. */
  readonly goal?: Int32Array;
  /** What the data is, e.g. 'random', 'epsilon-0.3', 'optimal', 'goal-reaching+future'. */
  readonly quality: string;
}

export type BehaviourQuality = { kind: 'optimal' } | { kind: 'epsilon'; epsilon: number } | { kind: 'random' };

/** Name of a quality, as used in `quality` and record keys ('optimal', 'epsilon-0.3', 'random'). */
export function qualityName(q: BehaviourQuality): string {
  return q.kind === 'epsilon' ? `epsilon-${q.epsilon}` : q.kind;
}

/** π(a|s) (length nS·nA) of a behaviour of stated quality on `mdp`. */
export function behaviourPolicy(mdp: OfflineMdp, q: BehaviourQuality): Float64Array {
  const { nS, nA } = mdp.env;
  const uniform = new Float64Array(nS * nA).fill(1 / nA);
  if (q.kind === 'random') return uniform;
  if (q.kind !== 'optimal' && q.kind !== 'epsilon')
    throw new RangeError(`behaviourPolicy: unknown quality '${String((q as { kind: unknown }).kind)}'`);
  const opt = greedyPolicyWithTies(valueIteration(mdp.env, mdp.reward, { tol: 1e-12 }).Q, nS, nA);
  if (q.kind === 'optimal') return opt;
  const e = q.epsilon;
  if (!(e >= 0 && e <= 1)) throw new RangeError(`behaviourPolicy: epsilon must lie in [0, 1], got ${e}`);
  for (let i = 0; i < nS * nA; i++) opt[i] = (1 - e) * opt[i] + e * uniform[i];
  return opt;
}

/** Draw the transition entry k of (s, a) from τ (its successor is T.col[k]). */
export function drawEntry(env: TabularEnv, rng: Rng, s: number, a: number): number {
  const { rowPtr, prob } = env.T;
  const row = s * env.nA + a;
  const lo = rowPtr[row],
    hi = rowPtr[row + 1];
  let u = rng.uniform();
  for (let k = lo; k < hi - 1; k++) {
    u -= prob[k];
    if (u < 0) return k;
  }
  return hi - 1;
}

/** Draw a state from a distribution (length nS). */
function drawState(p: Float64Array, rng: Rng): number {
  let u = rng.uniform();
  for (let s = 0; s < p.length - 1; s++) {
    u -= p[s];
    if (u < 0) return s;
  }
  return p.length - 1;
}

export interface CollectOptions {
  /** Number of episodes. */
  episodes: number;
  /** Steps per episode at most (an episode also ends on entering a terminal state). */
  horizon: number;
}

function checkCollect(o: CollectOptions, where: string): void {
  if (!(Number.isInteger(o.episodes) && o.episodes >= 1))
    throw new RangeError(`${where}: episodes must be a positive integer, got ${o.episodes}`);
  if (!(Number.isInteger(o.horizon) && o.horizon >= 1))
    throw new RangeError(`${where}: horizon must be a positive integer, got ${o.horizon}`);
}

/** Growable transition buffer. */
class Buffer {
  s: number[] = [];
  a: number[] = [];
  r: number[] = [];
  sp: number[] = [];
  done: number[] = [];
  episode: number[] = [];
  step: number[] = [];
  goal: number[] = [];
  finish(env: TabularEnv, quality: string, withGoal: boolean): OfflineDataset {
    return {
      nS: env.nS,
      nA: env.nA,
      gamma: env.gamma,
      size: this.s.length,
      s: Int32Array.from(this.s),
      a: Int32Array.from(this.a),
      r: Float64Array.from(this.r),
      sp: Int32Array.from(this.sp),
      done: Uint8Array.from(this.done),
      episode: Int32Array.from(this.episode),
      step: Int32Array.from(this.step),
      goal: withGoal ? Int32Array.from(this.goal) : undefined,
      quality,
    };
  }
}

/**
 * Episodes of a behaviour π (length nS·nA) on `mdp`, drawn with the tabular testbed's `rollouts`: s₀ ∼ μ₀,
 * a ∼ π(·|s), s' ∼ τ(s, a), reward R(s, a, s'); an episode ends on entering a terminal state (done = 1) or after
 * `horizon` steps (truncated).
 */
export function collectDataset(
  mdp: OfflineMdp,
  behaviour: Float64Array,
  opts: CollectOptions & { quality: string },
  rng: Rng,
): OfflineDataset {
  checkCollect(opts, 'collectDataset');
  const { env, terminal } = mdp;
  const { nS, nA } = env;
  if (behaviour.length !== nS * nA)
    throw new RangeError(
      `collectDataset: behaviour must be π(a|s) of length nS·nA = ${nS * nA}, got ${behaviour.length}`,
    );
  const batch = rollouts(env, behaviour, {
    episodes: opts.episodes,
    horizon: opts.horizon,
    rng,
    rewards: [denseEntryReward(mdp)],
    terminal,
  });
  const n = batch.states.length;
  const episode = new Int32Array(n),
    step = new Int32Array(n),
    done = new Uint8Array(n);
  for (let e = 0; e < batch.nEpisodes; e++)
    for (let i = batch.offsets[e]; i < batch.offsets[e + 1]; i++) {
      episode[i] = e;
      step[i] = i - batch.offsets[e];
      done[i] = terminal[batch.nextStates[i]];
    }
  return {
    nS,
    nA,
    gamma: env.gamma,
    size: n,
    s: batch.states,
    a: batch.actions,
    r: batch.rewards[0],
    sp: batch.nextStates,
    done,
    episode,
    step,
    quality: opts.quality,
  };
}

/**
 * A dataset as the tabular testbed's `EpisodeBatch` (one reward channel), so its episode tools (returnsToGo, …)
 * apply: a new segment starts wherever the episode index changes, the time step does not advance by one, s does not
 * continue the previous s', or the previous transition was done.
 */
export function asEpisodeBatch(data: OfflineDataset): EpisodeBatch {
  const starts: number[] = [];
  for (let i = 0; i < data.size; i++) {
    const cont =
      i > 0 &&
      !data.done[i - 1] &&
      data.episode[i] === data.episode[i - 1] &&
      data.step[i] === data.step[i - 1] + 1 &&
      data.s[i] === data.sp[i - 1];
    if (!cont) starts.push(i);
  }
  const offsets = Int32Array.from([...starts, data.size]);
  const terminated = new Uint8Array(starts.length);
  for (let e = 0; e < starts.length; e++) terminated[e] = data.size > 0 ? data.done[offsets[e + 1] - 1] : 0;
  return {
    nEpisodes: starts.length,
    offsets,
    states: data.s,
    actions: data.a,
    nextStates: data.sp,
    rewards: [data.r],
    terminated,
  };
}

/** Rewards of goal-conditioned data: `step` per transition, `reached` on the transition that enters the goal. */
export interface GoalRewardConvention {
  step: number;
  reached: number;
}

/** The −1-per-step, 0-on-success convention of env/tasks.ts. */
export const STEP_COST_GOAL_REWARD: GoalRewardConvention = { step: -1, reached: 0 };

/**
 * Goal-reaching data on a goal-free world `env` (no terminal states): each episode draws a goal uniformly among
 * the states and follows an ε-noisy shortest-path policy to it (with probability ε a uniform action, otherwise
 * uniform over the actions whose most likely successor is strictly closer by BFS distance); on arrival a new goal
 * is drawn. Each transition stores its commanded goal; reward and done follow `convention` w.r.t. that goal
 * (done = 0 throughout: the world goes on; relabel to score other goals).
 */
export function collectGoalReaching(
  env: TabularEnv,
  opts: CollectOptions & { epsilon: number; convention?: GoalRewardConvention },
  rng: Rng,
): OfflineDataset {
  checkCollect(opts, 'collectGoalReaching');
  const { nS, nA, T } = env;
  const eps = opts.epsilon;
  if (!(eps >= 0 && eps <= 1)) throw new RangeError(`collectGoalReaching: epsilon must lie in [0, 1], got ${eps}`);
  const conv = opts.convention ?? STEP_COST_GOAL_REWARD;
  // Most likely successor of each (s, a).
  const likely = new Int32Array(nS * nA);
  for (let row = 0; row < nS * nA; row++) {
    let best = T.rowPtr[row];
    for (let k = T.rowPtr[row] + 1; k < T.rowPtr[row + 1]; k++) if (T.prob[k] > T.prob[best]) best = k;
    likely[row] = T.col[best];
  }
  const distCache = new Map<number, Int32Array>();
  const dist = (g: number): Int32Array => {
    let d = distCache.get(g);
    if (!d) distCache.set(g, (d = bfsDistances(env, g)));
    return d;
  };
  const buf = new Buffer();
  const closer: number[] = [];
  for (let ep = 0; ep < opts.episodes; ep++) {
    let s = drawState(env.init, rng);
    let g = rng.int(nS);
    for (let t = 0; t < opts.horizon; t++) {
      while (g === s) g = rng.int(nS);
      const d = dist(g);
      closer.length = 0;
      for (let a = 0; a < nA; a++) {
        const n = likely[s * nA + a];
        if (d[n] >= 0 && d[n] < d[s]) closer.push(a);
      }
      const a = rng.uniform() < eps || closer.length === 0 ? rng.int(nA) : closer[rng.int(closer.length)];
      const k = drawEntry(env, rng, s, a);
      const sp = T.col[k];
      buf.s.push(s);
      buf.a.push(a);
      buf.r.push(sp === g ? conv.reached : conv.step);
      buf.sp.push(sp);
      buf.done.push(0);
      buf.episode.push(ep);
      buf.step.push(t);
      buf.goal.push(g);
      s = sp;
    }
  }
  return buf.finish(env, `goal-reaching-${eps}`, true);
}

export type RelabelStrategy = 'future' | 'geometric' | 'random';

/**
 * Hindsight goal relabelling: every transition i (step t of its episode, which ends at step t_end) gets a goal
 *   'future'     s'_{t+k}, k uniform in {0, …, t_end − t} (HER's "future" strategy)
 *   'geometric'  s'_{t+k}, k ∼ Geometric(1 − γ) on {0, 1, …}, capped at the episode end (the discounted future-
 *                state distribution used by goal-conditioned value learners such as HIQL)
 *   'random'     the s' of a transition drawn uniformly from the whole dataset
 * and its reward and done are recomputed w.r.t. that goal: `reached` and done = 1 when s' is the goal, `step`
 * otherwise. Returns a new goal-conditioned dataset (the input is not modified).
 */
export function relabelGoals(
  data: OfflineDataset,
  strategy: RelabelStrategy,
  rng: Rng,
  convention: GoalRewardConvention = STEP_COST_GOAL_REWARD,
): OfflineDataset {
  const n = data.size;
  const goal = new Int32Array(n);
  const r = new Float64Array(n);
  const done = new Uint8Array(n);
  // Last index of each transition's episode.
  const last = new Int32Array(n);
  for (let i = n - 1; i >= 0; i--)
    last[i] = i === n - 1 || data.episode[i + 1] !== data.episode[i] ? i : last[i + 1];
  const p = 1 - data.gamma;
  for (let i = 0; i < n; i++) {
    let j: number;
    if (strategy === 'future') j = i + rng.int(last[i] - i + 1);
    else if (strategy === 'geometric') {
      let k = 0;
      if (p < 1) k = Math.floor(Math.log(1 - rng.uniform()) / Math.log(1 - p));
      j = Math.min(i + k, last[i]);
    } else if (strategy === 'random') j = rng.int(n);
    else throw new RangeError(`relabelGoals: unknown strategy '${String(strategy)}' (use future | geometric | random)`);
    goal[i] = data.sp[j];
    const hit = data.sp[i] === goal[i];
    r[i] = hit ? convention.reached : convention.step;
    done[i] = hit ? 1 : 0;
  }
  return { ...data, r, done, goal, quality: `${data.quality}+${strategy}` };
}

/**
 * The single-goal dataset of goal g from goal-conditioned (or any) data: reward and done recomputed w.r.t. g, and
 * transitions that start at g dropped (g is absorbing in the goal task).
 */
export function datasetForGoal(
  data: OfflineDataset,
  g: number,
  convention: GoalRewardConvention = STEP_COST_GOAL_REWARD,
): OfflineDataset {
  const keep: number[] = [];
  for (let i = 0; i < data.size; i++) if (data.s[i] !== g) keep.push(i);
  const pick = <A extends Int32Array | Float64Array | Uint8Array>(x: A, make: (n: number) => A): A => {
    const out = make(keep.length);
    keep.forEach((i, k) => (out[k] = x[i]));
    return out;
  };
  const sp = pick(data.sp, (m) => new Int32Array(m));
  const r = new Float64Array(keep.length);
  const done = new Uint8Array(keep.length);
  for (let k = 0; k < keep.length; k++) {
    done[k] = sp[k] === g ? 1 : 0;
    r[k] = done[k] ? convention.reached : convention.step;
  }
  return {
    nS: data.nS,
    nA: data.nA,
    gamma: data.gamma,
    size: keep.length,
    s: pick(data.s, (m) => new Int32Array(m)),
    a: pick(data.a, (m) => new Int32Array(m)),
    r,
    sp,
    done,
    episode: pick(data.episode, (m) => new Int32Array(m)),
    step: pick(data.step, (m) => new Int32Array(m)),
    goal: new Int32Array(keep.length).fill(g),
    quality: `${data.quality}@goal-${g}`,
  };
}
