/**
 * Hierarchical implicit Q-learning's policies, tabular (Park, Ghosh, Eysenbach & Levine, "HIQL: Offline
 * Goal-Conditioned RL with Latent States as Actions", NeurIPS 2023, arXiv:2307.11949, eqs. (6)–(7); OGBench's
 * agents/hiql.py `high_actor_loss`, `low_actor_loss` and utils/datasets.py `HGCDataset.sample`), extracted from a
 * goal-conditioned value table V(s, g) (methods/gc-value.ts) by advantage-weighted regression:
 *   high level  J(π^h) = E[ exp(α_h A^h) log π^h(s_{t+k} | s_t, g) ],  A^h = V^h(s_{t+k}, g) − V^h(s_t, g)   (6)
 *   low level   J(π^ℓ) = E[ exp(α_ℓ A^ℓ) log π^ℓ(a_t | s_t, w) ],     A^ℓ = V(s_{t+1}, w) − V(s_t, w)        (7)
 * with exp(·) clipped at 100 (the code's). The subgoal target s_{t+k} of a trajectory goal is clipped to the goal
 * (the code's min(t + k, goal index)); here, with discrete states, a target is the goal g itself whenever the
 * trajectory reaches g within k steps of t, and s_{min(t+k, end)} otherwise. HIQL uses one value for both levels;
 * OTA (methods/ota.ts) replaces V^h by its option-aware value and keeps V at the low level.
 *
 * Tabular minimisers: the high level is the distribution over the data's subgoal targets from s,
 *   π^h(w | s, g) ∝ Σ_{t: s_t = s, w_t(g) = w} min(exp(α_h A^h(s, w, g)), 100),
 * the AWR solution when the actor's goals are drawn independently of the trajectory (the code's random goals); the
 * low level likewise reweights the actions taken at s,
 *   π^ℓ(a | s, w) ∝ Σ_{t: s_t = s, a_t = a} min(exp(α_ℓ (V(s_{t+1}, w) − V(s, w))), 100),
 * for any subgoal w (the network's low level generalises across subgoals; a table relabels every sample at s). The
 * executed policy queries the high level at every step and acts with the low level toward the subgoal:
 *   π(a | s, g) = Σ_w π^h(w | s, g) π^ℓ(a | s, w),
 * a Markov policy for each goal, scored exactly (success probability within a time limit by forward propagation of
 * the state distribution; no rollout noise). States without data act uniformly.
 */
import type { TabularEnv } from '../../tabular/env/mdp';
import type { GcTrajectories } from './gc-value';

export interface HierarchyOptions {
  /** Subgoal steps k (OGBench: 25 in the mazes). */
  subgoalSteps: number;
  /** AWR inverse temperatures α_h, α_ℓ (OGBench: 3.0 and 3.0). */
  alphaHigh: number;
  alphaLow: number;
  /** Cap on exp(α A) (default 100, the code's). */
  maxWeight?: number;
}

/** Candidate subgoals of each state for one goal: CSR over states (ptr), subgoal states w and probabilities p. */
export interface SubgoalPolicy {
  readonly goal: number;
  readonly ptr: Int32Array;
  readonly w: Int32Array;
  readonly p: Float64Array;
}

/** The subgoal target w_t(g) of index t: g if the trajectory reaches g within k steps, else s_{min(t+k, end)}. */
export function subgoalTarget(traj: GcTrajectories, t: number, k: number, g: number): number {
  const end = Math.min(t + k, traj.final[t]);
  for (let j = t + 1; j <= end; j++) if (traj.obs[j] === g) return g;
  return traj.obs[end];
}

/** Per state, the data indices starting there (valid indices only), as CSR. */
export interface StateIndex {
  readonly ptr: Int32Array;
  readonly idx: Int32Array;
}

export function stateIndex(traj: GcTrajectories): StateIndex {
  const nS = traj.nS;
  const ptr = new Int32Array(nS + 1);
  for (const i of traj.valid) ptr[traj.obs[i] + 1]++;
  for (let s = 0; s < nS; s++) ptr[s + 1] += ptr[s];
  const fill = ptr.slice(0, nS);
  const idx = new Int32Array(traj.valid.length);
  for (const i of traj.valid) idx[fill[traj.obs[i]]++] = i;
  return { ptr, idx };
}

/**
 * A subgoal policy from per-sample scores: π(w | s) ∝ Σ_{t at s} weight(s, w_t(g)). `weight` returns the unnormalised
 * weight of one sample with target w.
 */
function subgoalPolicyFrom(
  traj: GcTrajectories,
  si: StateIndex,
  g: number,
  k: number,
  weight: (s: number, w: number) => number,
): SubgoalPolicy {
  const nS = traj.nS;
  const ptr = new Int32Array(nS + 1);
  const ws: number[] = [],
    ps: number[] = [];
  const acc = new Map<number, number>();
  for (let s = 0; s < nS; s++) {
    acc.clear();
    for (let m = si.ptr[s]; m < si.ptr[s + 1]; m++) {
      const w = subgoalTarget(traj, si.idx[m], k, g);
      acc.set(w, (acc.get(w) ?? 0) + weight(s, w));
    }
    let z = 0;
    for (const v of acc.values()) z += v;
    if (z > 0)
      for (const [w, v] of acc) {
        if (v <= 0) continue;
        ws.push(w);
        ps.push(v / z);
      }
    ptr[s + 1] = ws.length;
  }
  return { goal: g, ptr, w: Int32Array.from(ws), p: Float64Array.from(ps) };
}

/** The AWR high level of eq. (6) from a value table Vh (index s·nS + g) for goal g. */
export function highLevelPolicy(
  traj: GcTrajectories,
  si: StateIndex,
  Vh: Float64Array,
  g: number,
  o: HierarchyOptions,
): SubgoalPolicy {
  const nS = traj.nS;
  const cap = o.maxWeight ?? 100;
  return subgoalPolicyFrom(traj, si, g, o.subgoalSteps, (s, w) =>
    Math.min(Math.exp(o.alphaHigh * (Vh[w * nS + g] - Vh[s * nS + g])), cap),
  );
}

/**
 * The oracle high level (the paper's bottleneck analysis): among the data's subgoal targets from s, those with the
 * smallest true distance to g, in proportion to their counts. `distToGoal[s]` = shortest-path distance from s to g.
 */
export function oracleHighLevel(
  traj: GcTrajectories,
  si: StateIndex,
  distToGoal: Int32Array,
  g: number,
  k: number,
): SubgoalPolicy {
  const nS = traj.nS;
  const best = new Int32Array(nS).fill(2 ** 30);
  for (let s = 0; s < nS; s++)
    for (let m = si.ptr[s]; m < si.ptr[s + 1]; m++) {
      const d = distToGoal[subgoalTarget(traj, si.idx[m], k, g)];
      if (d >= 0 && d < best[s]) best[s] = d;
    }
  return subgoalPolicyFrom(traj, si, g, k, (s, w) => (distToGoal[w] === best[s] ? 1 : 0));
}

/** Per state, the actions taken there and their successors in the data: (a, s') with counts. */
export interface ActionData {
  readonly ptr: Int32Array;
  readonly a: Int32Array;
  readonly next: Int32Array;
  readonly count: Float64Array;
}

export function actionData(traj: GcTrajectories): ActionData {
  const nS = traj.nS;
  const maps: Map<number, number>[] = Array.from({ length: nS }, () => new Map());
  for (const i of traj.valid) {
    const key = traj.act[i] * nS + traj.obs[i + 1];
    const m = maps[traj.obs[i]];
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  const ptr = new Int32Array(nS + 1);
  const a: number[] = [],
    next: number[] = [],
    count: number[] = [];
  for (let s = 0; s < nS; s++) {
    for (const [key, c] of maps[s]) {
      a.push(Math.floor(key / nS));
      next.push(key % nS);
      count.push(c);
    }
    ptr[s + 1] = a.length;
  }
  return { ptr, a: Int32Array.from(a), next: Int32Array.from(next), count: Float64Array.from(count) };
}

/** π^ℓ(· | s, w) of eq. (7) into out (length nA); uniform at states without data. */
export function lowLevelAction(
  ad: ActionData,
  V: Float64Array,
  nS: number,
  nA: number,
  s: number,
  w: number,
  o: HierarchyOptions,
  out: Float64Array,
): Float64Array {
  const cap = o.maxWeight ?? 100;
  out.fill(0);
  if (ad.ptr[s] === ad.ptr[s + 1]) return out.fill(1 / nA);
  const v0 = V[s * nS + w];
  let z = 0;
  for (let m = ad.ptr[s]; m < ad.ptr[s + 1]; m++) {
    const x = ad.count[m] * Math.min(Math.exp(o.alphaLow * (V[ad.next[m] * nS + w] - v0)), cap);
    out[ad.a[m]] += x;
    z += x;
  }
  for (let a = 0; a < nA; a++) out[a] /= z;
  return out;
}

/** π(a | s, g) = Σ_w π^h(w | s, g) π^ℓ(a | s, w) (length nS·nA); uniform where the high level has no candidate. */
export function compositePolicy(
  hi: SubgoalPolicy,
  ad: ActionData,
  V: Float64Array,
  nS: number,
  nA: number,
  o: HierarchyOptions,
): Float64Array {
  const pi = new Float64Array(nS * nA);
  const tmp = new Float64Array(nA);
  for (let s = 0; s < nS; s++) {
    if (hi.ptr[s] === hi.ptr[s + 1]) {
      for (let a = 0; a < nA; a++) pi[s * nA + a] = 1 / nA;
      continue;
    }
    for (let m = hi.ptr[s]; m < hi.ptr[s + 1]; m++) {
      lowLevelAction(ad, V, nS, nA, s, hi.w[m], o, tmp);
      for (let a = 0; a < nA; a++) pi[s * nA + a] += hi.p[m] * tmp[a];
    }
  }
  return pi;
}

/**
 * Exact probability that π (length nS·nA) reaches `goal` from `start` within `limit` steps on `env` (the goal
 * absorbs): forward propagation of the state distribution.
 */
export function successWithin(env: TabularEnv, pi: Float64Array, start: number, goal: number, limit: number): number {
  const { nS, nA, T } = env;
  let p = new Float64Array(nS),
    q = new Float64Array(nS);
  p[start] = 1;
  for (let t = 0; t < limit; t++) {
    q.fill(0);
    q[goal] = p[goal];
    for (let s = 0; s < nS; s++) {
      const ps = p[s];
      if (ps === 0 || s === goal) continue;
      for (let a = 0; a < nA; a++) {
        const pa = ps * pi[s * nA + a];
        if (pa === 0) continue;
        const row = s * nA + a;
        for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++) q[T.col[k]] += pa * T.prob[k];
      }
    }
    [p, q] = [q, p];
  }
  return p[goal];
}

/**
 * The paper's diagnostic of the high-level advantage: over data pairs (s_t, s_{t+k}) (t in `indices`) and every goal
 * g, whether sign(V(s_{t+k}, g) − V(s_t, g)) matches the true sign(d(s_t, g) − d(s_{t+k}, g)) (does the subgoal bring
 * the agent closer?). Pairs at equal true distance are skipped; a zero estimate counts as wrong (no signal).
 * `dist[s·nS + g]` is the shortest-path distance; bins are [edges[b], edges[b+1]) of d(s_t, g).
 * Returns per bin the number of pairs and of wrong signs.
 */
export function advantageSignErrors(
  traj: GcTrajectories,
  V: Float64Array,
  dist: Int32Array,
  k: number,
  indices: ArrayLike<number>,
  edges: readonly number[],
): { total: Float64Array; wrong: Float64Array } {
  const nS = traj.nS;
  const nb = edges.length - 1;
  const total = new Float64Array(nb),
    wrong = new Float64Array(nb);
  for (let m = 0; m < indices.length; m++) {
    const t = indices[m];
    const s = traj.obs[t];
    const w = traj.obs[Math.min(t + k, traj.final[t])];
    for (let g = 0; g < nS; g++) {
      const ds = dist[s * nS + g],
        dw = dist[w * nS + g];
      if (ds < 0 || dw < 0 || ds === dw) continue;
      let b = -1;
      for (let j = 0; j < nb; j++)
        if (ds >= edges[j] && ds < edges[j + 1]) {
          b = j;
          break;
        }
      if (b < 0) continue;
      total[b]++;
      const est = V[w * nS + g] - V[s * nS + g];
      if (!(Math.sign(est) === Math.sign(ds - dw))) wrong[b]++;
    }
  }
  return { total, wrong };
}
