/**
 * Policy iteration (Howard 1960; Sutton & Barto 2018, §4.3) for finite discounted MDPs, with an
 * O(|S|·d) exact policy evaluation when both the transitions and the policy are deterministic.
 *
 * Near-undiscounted episodic tasks (γ = 0.999, as in the authors' code of Knox et al. 2024,
 * arXiv:2206.02231) make value iteration slow (a 0.999-contraction); policy iteration terminates in
 * a handful of exact evaluations. With deterministic successors next(s) under a deterministic
 * policy, the evaluation V(s) = r(s) + γ V(next(s)) lives on a functional graph: every path ends in
 * a cycle c₀ → … → c_{L−1} → c₀, whose values are V(c₀) = Σ_{i<L} γ^i r(c_i) / (1 − γ^L), and the
 * values along the path follow backwards. `evaluateDeterministic` solves it exactly for d reward
 * channels at once (d = 1: values; d = #features: successor features).
 */
import { policyEvaluation, qFromV } from './exact';
import type { TabularEnv } from '../env/mdp';

/** Scratch buffers for `evaluateDeterministic` (reuse across calls on the same number of states). */
export interface FunctionalGraphWorkspace {
  state: Uint8Array;
  pathPos: Int32Array;
  path: Int32Array;
}

export function functionalGraphWorkspace(nS: number): FunctionalGraphWorkspace {
  return { state: new Uint8Array(nS), pathPos: new Int32Array(nS).fill(-1), path: new Int32Array(nS) };
}

/**
 * Exact V for V(s) = r(s) + γ V(next(s)) with d channels: r and the result are row-major nS × d.
 * Requires 0 ≤ γ < 1. `out` and `ws` may be passed to avoid allocation.
 */
export function evaluateDeterministic(
  next: Int32Array,
  r: Float64Array,
  d: number,
  gamma: number,
  out?: Float64Array,
  ws?: FunctionalGraphWorkspace,
): Float64Array {
  const nS = next.length;
  if (r.length !== nS * d)
    throw new RangeError(`evaluateDeterministic: r has length ${r.length}, expected nS·d = ${nS * d}`);
  if (!(gamma >= 0 && gamma < 1)) throw new RangeError(`evaluateDeterministic: gamma must lie in [0, 1), got ${gamma}`);
  const V = out ?? new Float64Array(nS * d);
  const w = ws ?? functionalGraphWorkspace(nS);
  const { state, pathPos, path } = w;
  state.fill(0); // 0 unvisited, 1 on the current path, 2 done
  for (let s0 = 0; s0 < nS; s0++) {
    if (state[s0] === 2) continue;
    let len = 0;
    let s = s0;
    while (state[s] === 0) {
      state[s] = 1;
      pathPos[s] = len;
      path[len++] = s;
      s = next[s];
    }
    let end = len; // path[0..end) still to be valued backwards
    if (state[s] === 1) {
      // Cycle path[start..len): value its head c₀ = Σ γ^i r(c_i) / (1 − γ^L), then the rest backwards.
      const start = pathPos[s];
      const head = path[start];
      for (let j = 0; j < d; j++) {
        let acc = 0,
          g = 1;
        for (let i = start; i < len; i++) {
          acc += g * r[path[i] * d + j];
          g *= gamma;
        }
        V[head * d + j] = acc / (1 - g);
      }
      state[head] = 2;
      let after = head;
      for (let i = len - 1; i > start; i--) {
        const u = path[i];
        for (let j = 0; j < d; j++) V[u * d + j] = r[u * d + j] + gamma * V[after * d + j];
        state[u] = 2;
        after = u;
      }
      end = start;
    }
    for (let i = end - 1; i >= 0; i--) {
      const u = path[i];
      const v = next[u];
      for (let j = 0; j < d; j++) V[u * d + j] = r[u * d + j] + gamma * V[v * d + j];
      state[u] = 2;
    }
  }
  return V;
}

export interface DeterministicPIResult {
  /** Optimal deterministic policy (action per state). */
  policy: Int32Array;
  V: Float64Array;
  /** Q*(s,a) = r(s,a) + γ V*(next(s,a)), length nS·nA. */
  Q: Float64Array;
  iterations: number;
}

/**
 * Policy iteration on deterministic transitions: next(s,a) (length nS·nA) and reward r(s,a).
 * Improvement switches an action only when it is better by more than `tieTol`·(1 + |Q|), so it
 * terminates; `init` warm-starts from a previous policy.
 */
export function policyIterationDeterministic(
  next: Int32Array,
  r: Float64Array,
  nA: number,
  gamma: number,
  opts: { init?: Int32Array; tieTol?: number; maxIterations?: number } = {},
): DeterministicPIResult {
  const nS = next.length / nA;
  if (!Number.isInteger(nS) || r.length !== next.length)
    throw new RangeError(
      `policyIterationDeterministic: next and r must both have length nS·nA ` +
        `(got ${next.length}, ${r.length}, nA = ${nA})`,
    );
  const tieTol = opts.tieTol ?? 1e-12;
  const maxIt = opts.maxIterations ?? 10_000;
  const policy = opts.init ? Int32Array.from(opts.init) : new Int32Array(nS);
  const nextPi = new Int32Array(nS);
  const rPi = new Float64Array(nS);
  const Q = new Float64Array(nS * nA);
  const V = new Float64Array(nS);
  const ws = functionalGraphWorkspace(nS);
  let it = 0;
  for (; it < maxIt; it++) {
    for (let s = 0; s < nS; s++) {
      nextPi[s] = next[s * nA + policy[s]];
      rPi[s] = r[s * nA + policy[s]];
    }
    evaluateDeterministic(nextPi, rPi, 1, gamma, V, ws);
    let changed = false;
    for (let s = 0; s < nS; s++) {
      let best = policy[s];
      let bq = r[s * nA + best] + gamma * V[next[s * nA + best]];
      for (let a = 0; a < nA; a++) {
        const q = r[s * nA + a] + gamma * V[next[s * nA + a]];
        Q[s * nA + a] = q;
        if (q > bq + tieTol * (1 + Math.abs(bq))) {
          bq = q;
          best = a;
        }
      }
      if (best !== policy[s]) {
        policy[s] = best;
        changed = true;
      }
    }
    if (!changed) break;
  }
  if (it >= maxIt) throw new RangeError(`policyIterationDeterministic: no convergence in ${maxIt} iterations`);
  return { policy, V, Q, iterations: it + 1 };
}

/**
 * Policy iteration on a general (stochastic) environment with exact linear-solve evaluation.
 * rbar is the expected reward r̄(s,a) (length nS·nA). For small MDPs and tests.
 */
export function policyIteration(
  env: TabularEnv,
  rbar: Float64Array,
  opts: { init?: Int32Array; tieTol?: number; maxIterations?: number } = {},
): DeterministicPIResult {
  const { nS, nA } = env;
  if (rbar.length !== nS * nA)
    throw new RangeError(`policyIteration: rbar must have length nS·nA = ${nS * nA}, got ${rbar.length}`);
  const tieTol = opts.tieTol ?? 1e-12;
  const maxIt = opts.maxIterations ?? 10_000;
  const policy = opts.init ? Int32Array.from(opts.init) : new Int32Array(nS);
  let V = new Float64Array(nS);
  let Q = new Float64Array(nS * nA);
  let it = 0;
  for (; it < maxIt; it++) {
    V = policyEvaluation(env, rbar, policy) as Float64Array;
    Q = qFromV(env, rbar, V);
    let changed = false;
    for (let s = 0; s < nS; s++) {
      let best = policy[s];
      let bq = Q[s * nA + best];
      for (let a = 0; a < nA; a++)
        if (Q[s * nA + a] > bq + tieTol * (1 + Math.abs(bq))) {
          bq = Q[s * nA + a];
          best = a;
        }
      if (best !== policy[s]) {
        policy[s] = best;
        changed = true;
      }
    }
    if (!changed) break;
  }
  if (it >= maxIt) throw new RangeError(`policyIteration: no convergence in ${maxIt} iterations`);
  return { policy, V, Q, iterations: it + 1 };
}

/**
 * The stochastic policy that is uniform over the greedy actions of Q: actions within
 * `tol`·(1 + |max Q(s,·)|) of the maximum (length nS·nA). Used to turn a learned reward into a
 * policy without an arbitrary tie-break (a zero reward gives the uniformly random policy).
 */
export function greedyPolicyWithTies(Q: Float64Array, nS: number, nA: number, tol = 1e-9): Float64Array {
  const pi = new Float64Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    let m = -Infinity;
    for (let a = 0; a < nA; a++) if (Q[s * nA + a] > m) m = Q[s * nA + a];
    const thr = m - tol * (1 + Math.abs(m));
    let k = 0;
    for (let a = 0; a < nA; a++) if (Q[s * nA + a] >= thr) k++;
    for (let a = 0; a < nA; a++) pi[s * nA + a] = Q[s * nA + a] >= thr ? 1 / k : 0;
  }
  return pi;
}
