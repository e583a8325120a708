/**
 * An "ordered waypoints" gridworld: the agent must visit waypoints W₀, W₁, …, W_{K−1} in this order. A finite,
 * deterministic MDP whose state is (cell, k), k ∈ {0..K} the number of waypoints visited in order so far: entering
 * W_k while at stage k advances to stage k+1; entering any other waypoint changes nothing. Stage K (all visited) is
 * success; it is absorbing in the stage but the agent keeps moving (fixed-horizon episodes, as in Meta-World).
 * Actions: up, down, left, right, stay (a move off the grid or into a wall stays). A task with a progress dependency
 * in the sense of Liu et al. (ICLR 2024, arXiv:2310.07433): behaviour after W_k only counts once W_k was reached.
 *
 * Observations for observation-only imitation: φ(s) = (row/(H−1), col/(W−1), w·k/K) — the position, and the stage as
 * a weakly weighted feature (w = `stageWeight`): the stand-in for how little a camera image changes when a subgoal
 * is achieved (a grasped ball) compared with when the arm moves.
 *
 * Expert demonstrations: shortest paths through the waypoints in order (breadth-first distances to success on the
 * product MDP), ties between optimal actions broken at random, then `stay` until the horizon.
 */
import type { Rng } from '../../../core/rng';
import type { TabularEnv } from './mdp';
import type { ObsSeq } from '../methods/ot-proxy-reward';

export const WAYPOINT_ACTIONS = ['up', 'down', 'left', 'right', 'stay'] as const;
const DELTAS: readonly (readonly [number, number])[] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
  [0, 0],
];

export interface WaypointSpec {
  height: number;
  width: number;
  /** Start cell [row, col]. */
  start: [number, number];
  /** Waypoints [row, col] in the required order. */
  waypoints: [number, number][];
  /** Wall cells [row, col] (cannot be entered). */
  walls?: [number, number][];
  /** Weight w of the stage feature k/K in the observation (default 0.25). */
  stageWeight?: number;
}

export interface WaypointWorld {
  readonly spec: WaypointSpec;
  readonly height: number;
  readonly width: number;
  readonly K: number;
  /** States: (cell c, stage k) ↦ k·(H·W) + c. */
  readonly nS: number;
  readonly nA: number;
  readonly startState: number;
  /** Deterministic successor, index s·nA + a. */
  readonly next: Int32Array;
  /** Observation φ(s), row-major nS × 3. */
  readonly obs: Float64Array;
  readonly obsDim: number;
  /** 1 for wall cells (per cell). */
  readonly wall: Uint8Array;
}

export function cellOf(w: { height: number; width: number }, s: number): number {
  return s % (w.height * w.width);
}
export function stageOf(w: { height: number; width: number }, s: number): number {
  return Math.floor(s / (w.height * w.width));
}

export function makeWaypointWorld(spec: WaypointSpec): WaypointWorld {
  const { height, width, waypoints } = spec;
  const nC = height * width;
  const K = waypoints.length;
  if (K < 1) throw new RangeError('makeWaypointWorld: need at least one waypoint');
  const inGrid = ([r, c]: [number, number]) => r >= 0 && r < height && c >= 0 && c < width;
  const wall = new Uint8Array(nC);
  for (const w of spec.walls ?? []) {
    if (!inGrid(w)) throw new RangeError(`makeWaypointWorld: wall ${JSON.stringify(w)} is off the grid`);
    wall[w[0] * width + w[1]] = 1;
  }
  for (const p of [spec.start, ...waypoints]) {
    if (!inGrid(p)) throw new RangeError(`makeWaypointWorld: cell ${JSON.stringify(p)} is off the grid`);
    if (wall[p[0] * width + p[1]]) throw new RangeError(`makeWaypointWorld: cell ${JSON.stringify(p)} is a wall`);
  }
  const wpCell = waypoints.map(([r, c]) => r * width + c);
  const startCell = spec.start[0] * width + spec.start[1];
  if (wpCell[0] === startCell) throw new RangeError('makeWaypointWorld: the first waypoint is the start cell');
  const nS = nC * (K + 1);
  const nA = DELTAS.length;
  const next = new Int32Array(nS * nA);
  for (let k = 0; k <= K; k++)
    for (let c = 0; c < nC; c++) {
      const s = k * nC + c;
      const r = Math.floor(c / width),
        col = c % width;
      for (let a = 0; a < nA; a++) {
        const r2 = r + DELTAS[a][0],
          c2 = col + DELTAS[a][1];
        let c3 = c;
        if (r2 >= 0 && r2 < height && c2 >= 0 && c2 < width && !wall[r2 * width + c2]) c3 = r2 * width + c2;
        const k2 = k < K && c3 === wpCell[k] ? k + 1 : k;
        next[s * nA + a] = k2 * nC + c3;
      }
    }
  const w = spec.stageWeight ?? 0.25;
  const obsDim = 3;
  const obs = new Float64Array(nS * obsDim);
  for (let s = 0; s < nS; s++) {
    const c = s % nC,
      k = Math.floor(s / nC);
    obs[s * 3] = height > 1 ? Math.floor(c / width) / (height - 1) : 0;
    obs[s * 3 + 1] = width > 1 ? (c % width) / (width - 1) : 0;
    obs[s * 3 + 2] = (w * k) / K;
  }
  return { spec, height, width, K, nS, nA, startState: startCell, next, obs, obsDim, wall };
}

/** The world as a TabularEnv (deterministic τ, μ₀ = the start state, discount γ). */
export function waypointEnv(w: WaypointWorld, gamma: number): TabularEnv {
  const { nS, nA } = w;
  const rowPtr = new Int32Array(nS * nA + 1);
  const col = new Int32Array(nS * nA);
  const prob = new Float64Array(nS * nA).fill(1);
  for (let r = 0; r < nS * nA; r++) {
    rowPtr[r + 1] = r + 1;
    col[r] = w.next[r];
  }
  const init = new Float64Array(nS);
  init[w.startState] = 1;
  return { nS, nA, gamma, T: { nS, nA, rowPtr, col, prob }, init };
}

/** Steps to success (stage K) from every state under optimal play; −1 where unreachable. */
export function distanceToSuccess(w: WaypointWorld): Int32Array {
  const { nS, nA, next } = w;
  const nC = w.height * w.width;
  const dist = new Int32Array(nS).fill(-1);
  // Reverse edges.
  const preds: number[][] = Array.from({ length: nS }, () => []);
  for (let s = 0; s < nS; s++) for (let a = 0; a < nA; a++) preds[next[s * nA + a]].push(s);
  const queue: number[] = [];
  for (let c = 0; c < nC; c++)
    if (!w.wall[c]) {
      dist[w.K * nC + c] = 0;
      queue.push(w.K * nC + c);
    }
  for (let h = 0; h < queue.length; h++) {
    const s = queue[h];
    for (const p of preds[s])
      if (dist[p] < 0) {
        dist[p] = dist[s] + 1;
        queue.push(p);
      }
  }
  return dist;
}

/** A state sequence s_0..s_T as observations o_1..o_T (the states after each of the T steps), as an ObsSeq. */
export function observe(w: WaypointWorld, states: ArrayLike<number>): ObsSeq {
  const n = states.length - 1;
  const x = new Float64Array(n * w.obsDim);
  for (let t = 0; t < n; t++)
    for (let k = 0; k < w.obsDim; k++) x[t * w.obsDim + k] = w.obs[states[t + 1] * w.obsDim + k];
  return { n, d: w.obsDim, x };
}

/**
 * One expert demonstration of `horizon` steps: from the start, an optimal action (ties at random) until success, then
 * `stay`. Returns the state sequence s_0..s_T (length horizon + 1). Throws if success needs more than `horizon` steps.
 */
export function expertDemo(w: WaypointWorld, horizon: number, rng: Rng, dist = distanceToSuccess(w)): Int32Array {
  const d0 = dist[w.startState];
  if (d0 < 0) throw new RangeError('expertDemo: success is unreachable from the start');
  if (d0 > horizon) throw new RangeError(`expertDemo: success needs ${d0} steps, horizon is ${horizon}`);
  const states = new Int32Array(horizon + 1);
  let s = w.startState;
  states[0] = s;
  for (let t = 1; t <= horizon; t++) {
    if (dist[s] === 0) {
      s = w.next[s * w.nA + 4];
    } else {
      const best: number[] = [];
      for (let a = 0; a < w.nA; a++) if (dist[w.next[s * w.nA + a]] === dist[s] - 1) best.push(a);
      s = w.next[s * w.nA + best[rng.int(best.length)]];
    }
    states[t] = s;
  }
  return states;
}
