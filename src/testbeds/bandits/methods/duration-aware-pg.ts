/**
 * Asynchronous policy gradient over variable-duration actions (a K-armed bandit whose arm a takes d_a time units
 * to evaluate and pays a Bernoulli(μ_a) reward), with the duration-aware update of Yang et al., "Reinforcement
 * Learning for Machine Learning Engineering Agents" (arXiv:2509.01684): each sample's policy-gradient term is
 * weighted by its action's duration Δt.
 *
 * Softmax policy π = softmax(θ). W workers each draw an action from the current policy when idle, run it for d_a
 * time units and hand (a, r, Δt = d_a) to the learner, which takes a gradient step every B arrivals:
 * - `naive`: g = (1/B) Σ_i r_i ∇log π(a_i) (REINFORCE on whatever finished first);
 * - `duration`: g = Σ_i Δt_i r_i ∇log π(a_i) / Σ_i Δt_i (duration-aware: each term weighted by Δt_i, normalised by
 *   the batch's total duration so that the step size is comparable);
 * - `sync`: all W workers draw with the same policy, the learner waits for the slowest and steps on the W samples
 *   with g = (1/W) Σ_i r_i ∇log π(a_i) (synchronous wait-for-all).
 *
 * Two ways the asynchronous learner can gather a batch (`mode`):
 * - `stream`: every result is used when it arrives (slow results come back with a stale policy). At a fixed policy
 *   the completions are i.i.d. π (renewal-reward: arm a completes at rate W π_a / Σ_b π_b d_b, proportional to π_a),
 *   so the naive step's mean is ∇J, J = Σ π_a μ_a, and the duration-weighted ratio's mean (large B) is
 *   ∇(Σ π_a d_a μ_a) / Σ π_b d_b, which favours argmax d_a μ_a.
 * - `race`: each round W jobs are launched from the current policy, the learner steps on the first B to finish
 *   (equal durations in random order) and the unfinished ones are cancelled. A draw of arm a makes the batch with
 *   probability ι_a(π) (closed form below), so the naive step's mean is (W/B) Σ_a π_a ι_a μ_a (e_a − π): fast arms are
 *   over-weighted.
 */
import { Rng } from '../../../core/rng';

/** A variable-duration bandit: per-arm duration d_a (time units) and mean Bernoulli reward μ_a. */
export interface VariableDurationBandit {
  durations: Float64Array;
  means: Float64Array;
}

export type AsyncUpdateRule = 'naive' | 'duration' | 'sync';
export type AsyncBatchMode = 'stream' | 'race';

export interface AsyncPgOptions {
  /** Number of parallel workers W. */
  workers: number;
  /** Arrivals per learner step B (async rules); the sync rule steps on the W samples of a round. */
  batch: number;
  /** Learning rate η of the gradient ascent step θ ← θ + η g. */
  lr: number;
  /** Wall-clock budget T (simulated time units). */
  horizon: number;
  /** How asynchronous results are batched (default `stream`). */
  mode?: AsyncBatchMode;
  /** Times at which π is recorded (ascending, ≤ horizon). */
  checkpoints: readonly number[];
}

export interface AsyncPgResult {
  /** Final policy π_T. */
  pi: Float64Array;
  /** π at each checkpoint, row-major [checkpoint][arm]. */
  piAt: Float64Array;
  /** Learner steps taken and results received. */
  updates: number;
  completions: number;
  /** Completions per arm. */
  counts: Float64Array;
  /** Sum over steps of the step's gradient g (before η), for checking the mean update. */
  gradSum: Float64Array;
}

/** π = softmax(θ). */
export function durationSoftmax(theta: Float64Array): Float64Array {
  let m = -Infinity;
  for (const t of theta) m = Math.max(m, t);
  const p = Float64Array.from(theta, (t) => Math.exp(t - m));
  let s = 0;
  for (const x of p) s += x;
  for (let i = 0; i < p.length; i++) p[i] /= s;
  return p;
}

function sample(pi: Float64Array, u: number): number {
  let c = 0;
  for (let a = 0; a < pi.length; a++) {
    c += pi[a];
    if (u < c) return a;
  }
  return pi.length - 1;
}

/** Exact expected reward J(π) = Σ_a π_a μ_a. */
export function durationBanditValue(env: VariableDurationBandit, pi: ArrayLike<number>): number {
  let j = 0;
  for (let a = 0; a < pi.length; a++) j += pi[a] * env.means[a];
  return j;
}

/** Steady-state reward per unit time per worker of a fixed policy: Σ π_a μ_a / Σ π_a d_a (renewal-reward). */
export function rewardRate(env: VariableDurationBandit, pi: ArrayLike<number>): number {
  let t = 0;
  for (let a = 0; a < pi.length; a++) t += pi[a] * env.durations[a];
  return durationBanditValue(env, pi) / t;
}

/**
 * Race mode: probability ι_a that a draw of arm a is among the first B of W draws to finish (distinct durations per
 * arm assumed; ties between draws of the same arm broken uniformly). With L other draws strictly faster and E other
 * draws of the same arm, the draw is kept with probability clamp((B − L)/(E + 1), 0, 1).
 */
export function raceInclusion(env: VariableDurationBandit, pi: ArrayLike<number>, W: number, B: number): Float64Array {
  const K = pi.length;
  const lf = [0];
  for (let n = 1; n <= W; n++) lf.push(lf[n - 1] + Math.log(n));
  const out = new Float64Array(K);
  for (let a = 0; a < K; a++) {
    let pl = 0;
    for (let b = 0; b < K; b++) if (env.durations[b] < env.durations[a]) pl += pi[b];
    const pe = pi[a],
      pg = Math.max(0, 1 - pl - pe);
    const n = W - 1;
    let inc = 0;
    for (let L = 0; L <= n; L++)
      for (let E = 0; E + L <= n; E++) {
        const G = n - L - E;
        const lp =
          lf[n] -
          lf[L] -
          lf[E] -
          lf[G] +
          L * Math.log(pl || 1e-300) +
          E * Math.log(pe || 1e-300) +
          G * Math.log(pg || 1e-300);
        const pr = (L === 0 || pl > 0) && (E === 0 || pe > 0) && (G === 0 || pg > 0) ? Math.exp(lp) : 0;
        inc += pr * Math.min(1, Math.max(0, (B - L) / (E + 1)));
      }
    out[a] = inc;
  }
  return out;
}

/** Softmax gradient of Σ_a π_a v_a with respect to θ: π_k (v_k − Σ_a π_a v_a). */
export function softmaxObjectiveGradient(pi: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  let m = 0;
  for (let a = 0; a < pi.length; a++) m += pi[a] * v[a];
  return Float64Array.from({ length: pi.length }, (_, k) => pi[k] * (v[k] - m));
}

/**
 * Closed-form mean of one learner step's gradient at a fixed policy π (before η). sync: ∇J; stream naive: ∇J;
 * stream duration (large-B limit of the ratio): Σ_a π_a d_a μ_a (e_a − π) / Σ_a π_a d_a; race naive:
 * (W/B) Σ_a π_a ι_a μ_a (e_a − π). Race duration has no closed form (a ratio of dependent sums): throws.
 */
export function meanUpdate(
  env: VariableDurationBandit,
  pi: ArrayLike<number>,
  rule: AsyncUpdateRule,
  mode: AsyncBatchMode = 'stream',
  W = 1,
  B = 1,
): Float64Array {
  const K = pi.length;
  if (rule === 'sync' || (rule === 'naive' && mode === 'stream')) return softmaxObjectiveGradient(pi, env.means);
  const g = new Float64Array(K);
  let w: Float64Array, norm: number;
  if (mode === 'stream') {
    w = Float64Array.from({ length: K }, (_, a) => pi[a] * env.durations[a] * env.means[a]);
    norm = 0;
    for (let a = 0; a < K; a++) norm += pi[a] * env.durations[a];
  } else {
    if (rule === 'duration') throw new RangeError('meanUpdate: no closed form for race + duration');
    const inc = raceInclusion(env, pi, W, B);
    w = Float64Array.from({ length: K }, (_, a) => W * pi[a] * inc[a] * env.means[a]);
    norm = B;
  }
  let tot = 0;
  for (const x of w) tot += x;
  for (let k = 0; k < K; k++) g[k] = (w[k] - pi[k] * tot) / norm;
  return g;
}

/**
 * Simulates asynchronous (or synchronous) policy-gradient training for `horizon` time units. `rng` drives action
 * draws and rewards. The policy starts uniform (θ = 0) unless `theta0` is given.
 */
export function runAsyncPolicyGradient(
  env: VariableDurationBandit,
  rule: AsyncUpdateRule,
  opts: AsyncPgOptions,
  rng: Rng,
  theta0?: Float64Array,
): AsyncPgResult {
  const K = env.means.length;
  const theta = theta0 ? Float64Array.from(theta0) : new Float64Array(K);
  let pi = durationSoftmax(theta);
  const piAt = new Float64Array(opts.checkpoints.length * K);
  const counts = new Float64Array(K);
  const gradSum = new Float64Array(K);
  const g = new Float64Array(K);
  let updates = 0,
    completions = 0,
    nextCp = 0;
  const record = (time: number) => {
    while (nextCp < opts.checkpoints.length && opts.checkpoints[nextCp] <= time) {
      piAt.set(pi, nextCp * K);
      nextCp++;
    }
  };
  // Accumulates one sample's term w · r · ∇log π(a) = w r (e_a − π) into g.
  const addTerm = (a: number, r: number, w: number) => {
    if (r === 0 || w === 0) return;
    for (let k = 0; k < K; k++) g[k] -= w * r * pi[k];
    g[a] += w * r;
  };
  const step = (norm: number) => {
    for (let k = 0; k < K; k++) {
      g[k] /= norm;
      gradSum[k] += g[k];
      theta[k] += opts.lr * g[k];
      g[k] = 0;
    }
    pi = durationSoftmax(theta);
    updates++;
  };
  if (rule === 'sync') {
    let time = 0;
    record(0);
    for (;;) {
      let longest = 0;
      const acts: number[] = [];
      for (let w = 0; w < opts.workers; w++) {
        const a = sample(pi, rng.uniform());
        acts.push(a);
        longest = Math.max(longest, env.durations[a]);
      }
      if (time + longest > opts.horizon) break;
      time += longest;
      record(time - 1e-12);
      for (const a of acts) {
        const r = rng.uniform() < env.means[a] ? 1 : 0;
        counts[a]++;
        completions++;
        addTerm(a, r, 1);
      }
      step(opts.workers);
    }
    record(opts.horizon);
    return { pi, piAt, updates, completions, counts, gradSum };
  }
  if ((opts.mode ?? 'stream') === 'race') {
    let time = 0;
    record(0);
    const order = Array.from({ length: opts.workers }, (_, i) => i);
    for (;;) {
      const acts = Array.from({ length: opts.workers }, () => sample(pi, rng.uniform()));
      const keys = acts.map((a) => env.durations[a] + 1e-9 * rng.uniform());
      order.sort((x, y) => keys[x] - keys[y]);
      const end = env.durations[acts[order[opts.batch - 1]]];
      if (time + end > opts.horizon) break;
      time += end;
      record(time - 1e-12);
      let dur = 0;
      for (let i = 0; i < opts.batch; i++) {
        const a = acts[order[i]];
        const r = rng.uniform() < env.means[a] ? 1 : 0;
        counts[a]++;
        completions++;
        addTerm(a, r, rule === 'duration' ? env.durations[a] : 1);
        dur += env.durations[a];
      }
      step(rule === 'duration' ? dur : opts.batch);
    }
    record(opts.horizon);
    return { pi, piAt, updates, completions, counts, gradSum };
  }
  // Asynchronous (stream): an event queue of W finish times (W is small: linear scan).
  const finish = new Float64Array(opts.workers);
  const act = new Int32Array(opts.workers);
  for (let w = 0; w < opts.workers; w++) {
    act[w] = sample(pi, rng.uniform());
    finish[w] = env.durations[act[w]];
  }
  let inBatch = 0,
    batchDur = 0;
  record(0);
  for (;;) {
    let w = 0;
    for (let v = 1; v < opts.workers; v++) if (finish[v] < finish[w]) w = v;
    const time = finish[w];
    if (time > opts.horizon) break;
    record(time - 1e-12);
    const a = act[w];
    const dt = env.durations[a];
    const r = rng.uniform() < env.means[a] ? 1 : 0;
    counts[a]++;
    completions++;
    addTerm(a, r, rule === 'duration' ? dt : 1);
    batchDur += dt;
    inBatch++;
    if (inBatch === opts.batch) {
      step(rule === 'duration' ? batchDur : opts.batch);
      inBatch = 0;
      batchDur = 0;
    }
    act[w] = sample(pi, rng.uniform());
    finish[w] = time + env.durations[act[w]];
  }
  record(opts.horizon);
  return { pi, piAt, updates, completions, counts, gradSum };
}
