/**
 * Tabular learners on typed arrays: batched episode rollouts, sample-based REINFORCE (± baseline,
 * ± γ^t correction), one-step actor-critic (online, and batched with RMSprop) and Q-learning, for
 * the softmax policy of `policies/softmax.ts`. No tensors: every inner loop is a loop over
 * Float64Array / Int32Array. Exact gradients to check them against: `solvers/policy-gradient.ts`.
 *
 * REINFORCE (Williams 1992) estimates the episodic gradient without bias by
 *   ĝ = Σ_t γ^t ∇ log π(A_t|S_t) (G_t − b(S_t)),   G_t = Σ_{k≥t} γ^{k−t} R_k.
 * Dropping the γ^t factor (`discountWeights: false`) gives the estimator most implementations use,
 * which is not the gradient of any objective (Thomas 2014; Nota & Thomas 2020, "Is the policy
 * gradient a gradient?"); the BARFI paper (Gupta et al., NeurIPS 2023) calls this an algorithm bias.
 */

import type { Rng } from '../../../core/rng';
import type { TabularEnv } from '../env/mdp';
import { identityObs, softmaxPolicy } from '../policies/softmax';
import { RmsProp } from './optimize';

// ---------------------------------------------------------------------------------------------
// Batched episode rollouts
// ---------------------------------------------------------------------------------------------

/** A batch of episodes stored flat: episode e spans steps offsets[e] .. offsets[e+1]−1. */
export interface EpisodeBatch {
  nEpisodes: number;
  /** Length nEpisodes + 1. */
  offsets: Int32Array;
  states: Int32Array;
  actions: Int32Array;
  nextStates: Int32Array;
  /** One Float64Array per reward channel passed to `rollouts`, one entry per step. */
  rewards: Float64Array[];
  /** 1 where the episode ended by entering a terminal state (not by the horizon). */
  terminated: Uint8Array;
}

export interface RolloutOptions {
  episodes: number;
  /** Maximum steps per episode. */
  horizon: number;
  rng: Rng;
  /** Reward channels, each dense R(s,a,s') (length nS·nA·nS) or r̄(s,a) (length nS·nA). */
  rewards: Float64Array[];
  /** Absorbing terminal states (1 = episode ends on entering it). Default: none. */
  terminal?: Uint8Array;
  /** Start state per episode; default: drawn from env.init. */
  start?: number;
}

/** Sample an index from a probability row p[off .. off+n). */
function sampleRow(p: Float64Array, off: number, n: number, u: number): number {
  let acc = 0;
  for (let i = 0; i < n - 1; i++) {
    acc += p[off + i];
    if (u < acc) return i;
  }
  return n - 1;
}

/**
 * Roll out `episodes` episodes of at most `horizon` steps under the stochastic policy matrix `pi`
 * (length nS·nA). Episodes end on entering a terminal state. Steps are written to flat typed arrays.
 */
export function rollouts(env: TabularEnv, pi: Float64Array, opts: RolloutOptions): EpisodeBatch {
  const { nS, nA, T } = env;
  const { episodes, horizon, rng } = opts;
  if (pi.length !== nS * nA)
    throw new RangeError(`rollouts: π must be a stochastic matrix of length nS·nA = ${nS * nA}, got ${pi.length}`);
  if (!(Number.isInteger(horizon) && horizon >= 1))
    throw new RangeError(`rollouts: horizon must be a positive integer, got ${horizon}`);
  const channels = opts.rewards.map((R, i) => {
    if (R.length === nS * nA * nS) return { dense: true, R };
    if (R.length === nS * nA) return { dense: false, R };
    throw new RangeError(
      `rollouts: reward channel ${i} has length ${R.length}; expected nS·nA·nS = ${nS * nA * nS} or nS·nA = ${nS * nA}`,
    );
  });
  const cap = episodes * horizon;
  const states = new Int32Array(cap);
  const actions = new Int32Array(cap);
  const nextStates = new Int32Array(cap);
  const rewards = channels.map(() => new Float64Array(cap));
  const offsets = new Int32Array(episodes + 1);
  const terminated = new Uint8Array(episodes);
  const term = opts.terminal;
  let n = 0;
  for (let e = 0; e < episodes; e++) {
    let s = opts.start ?? sampleRow(env.init, 0, nS, rng.uniform());
    for (let t = 0; t < horizon; t++) {
      if (term && term[s]) {
        terminated[e] = 1;
        break;
      }
      const a = sampleRow(pi, s * nA, nA, rng.uniform());
      const r = s * nA + a;
      const lo = T.rowPtr[r],
        hi = T.rowPtr[r + 1];
      let sp = T.col[hi - 1];
      const u = rng.uniform();
      let acc = 0;
      for (let k = lo; k < hi - 1; k++) {
        acc += T.prob[k];
        if (u < acc) {
          sp = T.col[k];
          break;
        }
      }
      states[n] = s;
      actions[n] = a;
      nextStates[n] = sp;
      for (let c = 0; c < channels.length; c++) {
        const ch = channels[c];
        rewards[c][n] = ch.dense ? ch.R[r * nS + sp] : ch.R[r];
      }
      n++;
      s = sp;
      if (term && term[s]) {
        terminated[e] = 1;
        break;
      }
    }
    offsets[e + 1] = n;
  }
  return {
    nEpisodes: episodes,
    offsets,
    states: states.slice(0, n),
    actions: actions.slice(0, n),
    nextStates: nextStates.slice(0, n),
    rewards: rewards.map((x) => x.slice(0, n)),
    terminated,
  };
}

/** Per-step discounted returns-to-go G_t = r_t + γ G_{t+1} within each episode (G after the last step = 0). */
export function returnsToGo(batch: EpisodeBatch, stepRewards: Float64Array, gamma: number): Float64Array {
  const G = new Float64Array(stepRewards.length);
  for (let e = 0; e < batch.nEpisodes; e++) {
    let g = 0;
    for (let i = batch.offsets[e + 1] - 1; i >= batch.offsets[e]; i--) {
      g = stepRewards[i] + gamma * g;
      G[i] = g;
    }
  }
  return G;
}

/** Undiscounted return of each episode for one reward array (one entry per step). */
export function episodeReturns(batch: EpisodeBatch, stepRewards: Float64Array): Float64Array {
  const out = new Float64Array(batch.nEpisodes);
  for (let e = 0; e < batch.nEpisodes; e++) {
    let g = 0;
    for (let i = batch.offsets[e]; i < batch.offsets[e + 1]; i++) g += stepRewards[i];
    out[e] = g;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// REINFORCE
// ---------------------------------------------------------------------------------------------

export interface ReinforceGradientOptions {
  /** Discount of the returns G_t. */
  gamma: number;
  /** true: weight step t by γ^t (unbiased); false: drop γ^t (the common, biased estimator). */
  discountWeights: boolean;
  /**
   * Baseline b subtracted from G_t: 'none'; 'time' = mean over the batch's episodes of G at the same
   * time step (leave-one-out, so the estimator stays unbiased); or per-state values V(s) (length nS).
   */
  baseline?: 'none' | 'time' | Float64Array;
}

/**
 * REINFORCE gradient estimate ĝ = (1/N) Σ_episodes Σ_t w_t ∇_θ log π(A_t|S_t) (G_t − b), w_t = γ^t
 * or 1, for the softmax policy (θ rows via `obs`). `stepRewards` has one entry per step of the batch.
 */
export function reinforceGradient(
  batch: EpisodeBatch,
  stepRewards: Float64Array,
  pi: Float64Array,
  nA: number,
  nThetaRows: number,
  obs: Int32Array,
  opts: ReinforceGradientOptions,
): Float64Array {
  const G = returnsToGo(batch, stepRewards, opts.gamma);
  const grad = new Float64Array(nThetaRows * nA);
  const N = batch.nEpisodes;
  let timeBase: Float64Array | null = null;
  let timeCount: Int32Array | null = null;
  const bl = opts.baseline ?? 'none';
  if (bl === 'time' && N > 1) {
    let maxLen = 0;
    for (let e = 0; e < N; e++) maxLen = Math.max(maxLen, batch.offsets[e + 1] - batch.offsets[e]);
    timeBase = new Float64Array(maxLen);
    timeCount = new Int32Array(maxLen);
    for (let e = 0; e < N; e++) {
      for (let i = batch.offsets[e]; i < batch.offsets[e + 1]; i++) {
        const t = i - batch.offsets[e];
        timeBase[t] += G[i];
        timeCount[t]++;
      }
    }
  }
  for (let e = 0; e < N; e++) {
    let w = 1;
    for (let i = batch.offsets[e]; i < batch.offsets[e + 1]; i++) {
      const t = i - batch.offsets[e];
      const s = batch.states[i];
      let b = 0;
      if (bl instanceof Float64Array) b = bl[s];
      else if (timeBase && timeCount) {
        // Leave-one-out mean over the other episodes that reached step t (0 if none did).
        const c = timeCount[t] - 1;
        b = c > 0 ? (timeBase[t] - G[i]) / c : 0;
      }
      const coef = (opts.discountWeights ? w : 1) * (G[i] - b);
      if (coef !== 0) {
        const row = obs[s] * nA;
        const a = batch.actions[i];
        for (let k = 0; k < nA; k++) grad[row + k] -= coef * pi[s * nA + k];
        grad[row + a] += coef;
      }
      w *= opts.gamma;
    }
  }
  if (N > 0) for (let i = 0; i < grad.length; i++) grad[i] /= N;
  return grad;
}

// ---------------------------------------------------------------------------------------------
// Training loops
// ---------------------------------------------------------------------------------------------

export interface ReinforceTrainOptions extends ReinforceGradientOptions {
  /** Total episodes. */
  episodes: number;
  /** Episodes per update (the batch). */
  batch: number;
  horizon: number;
  rng: Rng;
  /** The reward the learner optimises (dense R(s,a,s') or r̄(s,a)). */
  reward: Float64Array;
  terminal?: Uint8Array;
  obs?: Int32Array;
  /** Step rule: 'sgd' (θ += lr·ĝ) or 'rmsprop' (default). */
  optimiser?: 'sgd' | 'rmsprop';
  lr: number;
  theta0?: Float64Array;
  /** Called after every update with the episodes seen so far and the current policy matrix. */
  onUpdate?: (episodesSeen: number, pi: Float64Array, theta: Float64Array) => void;
}

/** REINFORCE training: sample a batch with π_θ, step along ĝ, repeat. Returns the final θ. */
export function trainReinforce(env: TabularEnv, opts: ReinforceTrainOptions): Float64Array {
  const { nS, nA } = env;
  const obs = opts.obs ?? identityObs(nS);
  let nRows = 0;
  for (let s = 0; s < nS; s++) nRows = Math.max(nRows, obs[s] + 1);
  const theta = opts.theta0 ? Float64Array.from(opts.theta0) : new Float64Array(nRows * nA);
  const opt = (opts.optimiser ?? 'rmsprop') === 'rmsprop' ? new RmsProp(theta.length, opts.lr) : null;
  let seen = 0;
  while (seen < opts.episodes) {
    const n = Math.min(opts.batch, opts.episodes - seen);
    const pi = softmaxPolicy(nS, nA, theta, obs);
    const batch = rollouts(env, pi, {
      episodes: n,
      horizon: opts.horizon,
      rng: opts.rng,
      rewards: [opts.reward],
      terminal: opts.terminal,
    });
    const g = reinforceGradient(batch, batch.rewards[0], pi, nA, nRows, obs, opts);
    if (opt) opt.step(theta, g);
    else for (let i = 0; i < theta.length; i++) theta[i] += opts.lr * g[i];
    seen += n;
    opts.onUpdate?.(seen, softmaxPolicy(nS, nA, theta, obs), theta);
  }
  return theta;
}

export interface ActorCriticOptions {
  episodes: number;
  horizon: number;
  rng: Rng;
  /** Dense R(s,a,s') or r̄(s,a). */
  reward: Float64Array;
  gamma: number;
  alphaActor: number;
  alphaCritic: number;
  /** Weight the actor step at time t by γ^t (Sutton & Barto 2018 §13.5); false drops it. */
  discountWeights: boolean;
  terminal?: Uint8Array;
  obs?: Int32Array;
  theta0?: Float64Array;
  onEpisode?: (episode: number, theta: Float64Array, V: Float64Array) => void;
}

/**
 * One-step actor-critic (Sutton & Barto 2018 §13.5), online and tabular:
 *   δ = R + γ V(S') − V(S) (V(S') = 0 when S' is terminal; the horizon is a time limit, not a terminal),
 *   V(S) += α_c δ,   θ[obs(S)] += α_a I δ ∇ log π(A|S),   I ← γ I (if discountWeights).
 */
export function trainActorCritic(env: TabularEnv, opts: ActorCriticOptions): { theta: Float64Array; V: Float64Array } {
  const { nS, nA, T } = env;
  const obs = opts.obs ?? identityObs(nS);
  let nRows = 0;
  for (let s = 0; s < nS; s++) nRows = Math.max(nRows, obs[s] + 1);
  const theta = opts.theta0 ? Float64Array.from(opts.theta0) : new Float64Array(nRows * nA);
  const V = new Float64Array(nS);
  const dense = opts.reward.length === nS * nA * nS;
  if (!dense && opts.reward.length !== nS * nA)
    throw new RangeError(`trainActorCritic: reward must have length nS·nA·nS or nS·nA, got ${opts.reward.length}`);
  const term = opts.terminal;
  const p = new Float64Array(nA);
  for (let ep = 0; ep < opts.episodes; ep++) {
    let s = sampleRow(env.init, 0, nS, opts.rng.uniform());
    let I = 1;
    for (let t = 0; t < opts.horizon; t++) {
      if (term && term[s]) break;
      const row = obs[s] * nA;
      let m = -Infinity;
      for (let a = 0; a < nA; a++) if (theta[row + a] > m) m = theta[row + a];
      let z = 0;
      for (let a = 0; a < nA; a++) {
        p[a] = Math.exp(theta[row + a] - m);
        z += p[a];
      }
      for (let a = 0; a < nA; a++) p[a] /= z;
      const a = sampleRow(p, 0, nA, opts.rng.uniform());
      const r = s * nA + a;
      const lo = T.rowPtr[r],
        hi = T.rowPtr[r + 1];
      let sp = T.col[hi - 1];
      const u = opts.rng.uniform();
      let acc = 0;
      for (let k = lo; k < hi - 1; k++) {
        acc += T.prob[k];
        if (u < acc) {
          sp = T.col[k];
          break;
        }
      }
      const rew = dense ? opts.reward[r * nS + sp] : opts.reward[r];
      const done = !!(term && term[sp]);
      const delta = rew + (done ? 0 : opts.gamma * V[sp]) - V[s];
      V[s] += opts.alphaCritic * delta;
      const step = opts.alphaActor * (opts.discountWeights ? I : 1) * delta;
      for (let k = 0; k < nA; k++) theta[row + k] -= step * p[k];
      theta[row + a] += step;
      I *= opts.gamma;
      s = sp;
      if (done) break;
    }
    opts.onEpisode?.(ep + 1, theta, V);
  }
  return { theta, V };
}

export interface BatchActorCriticOptions {
  /** Total episodes. */
  episodes: number;
  /** Episodes per update (the batch). */
  batch: number;
  horizon: number;
  rng: Rng;
  /** The reward the learner optimises (dense R(s,a,s') or r̄(s,a)). */
  reward: Float64Array;
  gamma: number;
  /** Weight the actor step at time t by γ^t (true) or drop it (false). */
  discountWeights: boolean;
  /** RMSprop learning rate of the actor. */
  lr: number;
  /** Step size of the tabular TD(0) critic. */
  lrCritic: number;
  terminal?: Uint8Array;
  obs?: Int32Array;
  theta0?: Float64Array;
  /** Called after every update with the episodes seen so far and the current policy matrix. */
  onUpdate?: (episodesSeen: number, pi: Float64Array, theta: Float64Array) => void;
}

/**
 * Batched one-step actor-critic, the baseline learner of the BARFI code (Gupta et al. 2023,
 * barfi-gw ActorCritic*.py; `trainActorCritic` is the online, plain-SGD form): every `batch` episodes, TD errors
 * δ_t = r_t + γ V(S_{t+1}) − V(S_t) (V = 0 after a terminal state; the horizon is a time limit), actor
 * step along (1/N) Σ_t w_t δ_t ∇ log π(A_t|S_t) with RMSprop, w_t = γ^t or 1), with a tabular
 * critic updated by TD(0) over the batch's steps: V(S_t) += lrCritic · δ_t.
 */
export function trainBatchActorCritic(
  env: TabularEnv,
  o: BatchActorCriticOptions,
): { theta: Float64Array; V: Float64Array } {
  const { nS, nA } = env;
  const obs = o.obs ?? identityObs(nS);
  let nRows = 0;
  for (let s = 0; s < nS; s++) nRows = Math.max(nRows, obs[s] + 1);
  const theta = o.theta0 ? Float64Array.from(o.theta0) : new Float64Array(nRows * nA);
  const V = new Float64Array(nS);
  const opt = new RmsProp(theta.length, o.lr);
  let seen = 0;
  while (seen < o.episodes) {
    const n = Math.min(o.batch, o.episodes - seen);
    const pi = softmaxPolicy(nS, nA, theta, obs);
    const batch = rollouts(env, pi, {
      episodes: n,
      horizon: o.horizon,
      rng: o.rng,
      rewards: [o.reward],
      terminal: o.terminal,
    });
    const grad = new Float64Array(theta.length);
    const r = batch.rewards[0];
    const td = new Float64Array(r.length);
    for (let e = 0; e < batch.nEpisodes; e++) {
      let w = 1;
      for (let i = batch.offsets[e]; i < batch.offsets[e + 1]; i++) {
        const s = batch.states[i],
          sp = batch.nextStates[i];
        const done = !!(o.terminal && o.terminal[sp]);
        const delta = r[i] + (done ? 0 : o.gamma * V[sp]) - V[s];
        td[i] = delta;
        const coef = (o.discountWeights ? w : 1) * delta;
        const row = obs[s] * nA;
        for (let k = 0; k < nA; k++) grad[row + k] -= coef * pi[s * nA + k];
        grad[row + batch.actions[i]] += coef;
        w *= o.gamma;
      }
    }
    for (let i = 0; i < grad.length; i++) grad[i] /= batch.nEpisodes;
    opt.step(theta, grad);
    for (let i = 0; i < r.length; i++) {
      const s = batch.states[i],
        sp = batch.nextStates[i];
      const done = !!(o.terminal && o.terminal[sp]);
      V[s] += o.lrCritic * (r[i] + (done ? 0 : o.gamma * V[sp]) - V[s]);
    }
    seen += n;
    o.onUpdate?.(seen, softmaxPolicy(nS, nA, theta, obs), theta);
  }
  return { theta, V };
}

export interface QLearningOptions {
  /** Number of episodes; each starts from μ₀ and lasts `horizon` steps (a time limit: Q bootstraps through it). */
  episodes: number;
  horizon: number;
  rng: Rng;
  /** Dense R(s,a,s') or r̄(s,a). */
  reward: Float64Array;
  /** ε of the ε-greedy behaviour policy (default 0.2). */
  epsilon?: number;
  /** Step size as a function of the visit count n(s,a) ≥ 1 (default n^−0.7, which satisfies Robbins–Monro). */
  stepSize?: (n: number) => number;
  terminal?: Uint8Array;
}

/**
 * Tabular Q-learning (Watkins & Dayan 1992): Q(S,A) += α (R + γ max_a' Q(S',a') − Q(S,A)), with an
 * ε-greedy behaviour policy. Converges to Q* when every (s,a) is visited infinitely often and the
 * step sizes satisfy Σα = ∞, Σα² < ∞.
 */
export function qLearning(env: TabularEnv, opts: QLearningOptions): { Q: Float64Array; visits: Int32Array } {
  const { nS, nA, T, gamma } = env;
  const eps = opts.epsilon ?? 0.2;
  const alpha = opts.stepSize ?? ((n: number) => Math.pow(n, -0.7));
  const dense = opts.reward.length === nS * nA * nS;
  if (!dense && opts.reward.length !== nS * nA)
    throw new RangeError(`qLearning: reward must have length nS·nA·nS or nS·nA, got ${opts.reward.length}`);
  const Q = new Float64Array(nS * nA);
  const visits = new Int32Array(nS * nA);
  const term = opts.terminal;
  for (let ep = 0; ep < opts.episodes; ep++) {
    let s = sampleRow(env.init, 0, nS, opts.rng.uniform());
    for (let t = 0; t < opts.horizon; t++) {
      if (term && term[s]) break;
      let a: number;
      if (opts.rng.uniform() < eps) a = opts.rng.int(nA);
      else {
        a = 0;
        for (let b = 1; b < nA; b++) if (Q[s * nA + b] > Q[s * nA + a]) a = b;
      }
      const r = s * nA + a;
      const lo = T.rowPtr[r],
        hi = T.rowPtr[r + 1];
      let sp = T.col[hi - 1];
      const u = opts.rng.uniform();
      let acc = 0;
      for (let k = lo; k < hi - 1; k++) {
        acc += T.prob[k];
        if (u < acc) {
          sp = T.col[k];
          break;
        }
      }
      const rew = dense ? opts.reward[r * nS + sp] : opts.reward[r];
      let next = 0;
      if (!(term && term[sp])) {
        next = Q[sp * nA];
        for (let b = 1; b < nA; b++) if (Q[sp * nA + b] > next) next = Q[sp * nA + b];
      }
      visits[r]++;
      Q[r] += alpha(visits[r]) * (rew + gamma * next - Q[r]);
      s = sp;
    }
  }
  return { Q, visits };
}
