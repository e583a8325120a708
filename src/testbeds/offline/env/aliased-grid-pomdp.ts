/**
 * A deterministic goal-reaching gridworld seen through an aliasing observation: the agent observes only which of
 * its four neighbours are blocked (a 4-bit wall mask, 16 observations), so every interior cell of an open room
 * looks the same. The start cell is fixed and moves are deterministic, so the observation–action history
 * determines the true cell, but the last observation does not: a policy must condition on history (or on a
 * learned summary of it). Entering the goal pays 1 and ends the episode; every other step pays 0.
 *
 * Actions follow the gridworld kit (0 up, 1 down, 2 left, 3 right); a move into a wall or the border stays put.
 */
import { ACTION_DELTAS } from '../../tabular/env/gridworld';

export interface AliasedGridSpec {
  width: number;
  height: number;
  /** Blocked cells as [row, col]. */
  walls: readonly (readonly [number, number])[];
  start: readonly [number, number];
  goal: readonly [number, number];
  gamma: number;
}

export interface AliasedGridPomdp {
  readonly spec: AliasedGridSpec;
  /** Number of cells (states), row-major; blocked cells exist but are never entered. */
  readonly nS: number;
  readonly nA: number;
  readonly nObs: number;
  readonly gamma: number;
  /** Deterministic successor next[s·nA + a]. */
  readonly next: Int32Array;
  /** Reward r(s, a) = 1 when next[s·nA + a] is the goal (and s is not). */
  readonly reward: Float64Array;
  /** Observation of each cell (the wall mask: bit 0 up, 1 down, 2 left, 3 right blocked). */
  readonly obs: Int32Array;
  readonly start: number;
  readonly goal: number;
  /** 1 at blocked cells. */
  readonly blocked: Uint8Array;
}

export function aliasedGridPomdp(spec: AliasedGridSpec): AliasedGridPomdp {
  const { width: W, height: H } = spec;
  if (!(W >= 2 && H >= 2)) throw new RangeError(`aliasedGridPomdp: grid must be at least 2×2, got ${W}×${H}`);
  const nS = W * H,
    nA = 4;
  const id = (r: number, c: number) => r * W + c;
  const blocked = new Uint8Array(nS);
  for (const [r, c] of spec.walls) blocked[id(r, c)] = 1;
  const start = id(spec.start[0], spec.start[1]);
  const goal = id(spec.goal[0], spec.goal[1]);
  if (blocked[start] || blocked[goal] || start === goal)
    throw new RangeError('aliasedGridPomdp: start and goal must be distinct free cells');
  const free = (r: number, c: number) => r >= 0 && r < H && c >= 0 && c < W && !blocked[id(r, c)];
  const next = new Int32Array(nS * nA);
  const reward = new Float64Array(nS * nA);
  const obs = new Int32Array(nS);
  for (let r = 0; r < H; r++)
    for (let c = 0; c < W; c++) {
      const s = id(r, c);
      let mask = 0;
      for (let a = 0; a < nA; a++) {
        const [dr, dc] = ACTION_DELTAS[a];
        const ok = free(r + dr, c + dc);
        if (!ok) mask |= 1 << a;
        const sp = s === goal ? s : ok ? id(r + dr, c + dc) : s;
        next[s * nA + a] = sp;
        reward[s * nA + a] = sp === goal && s !== goal ? 1 : 0;
      }
      obs[s] = mask;
    }
  return { spec, nS, nA, nObs: 16, gamma: spec.gamma, next, reward, obs, start, goal, blocked };
}

/** BFS distance (in moves) from every cell to `target` (−1 when unreachable), never passing through `avoid`. */
export function gridDistancesTo(p: AliasedGridPomdp, target: number, avoid = -1): Int32Array {
  const d = new Int32Array(p.nS).fill(-1);
  d[target] = 0;
  const queue = [target];
  for (let k = 0; k < queue.length; k++) {
    const u = queue[k];
    for (let s = 0; s < p.nS; s++)
      if (!p.blocked[s] && d[s] < 0 && s !== avoid)
        for (let a = 0; a < p.nA; a++)
          if (p.next[s * p.nA + a] === u && s !== u) {
            d[s] = d[u] + 1;
            queue.push(s);
            break;
          }
  }
  return d;
}

/** The optimal discounted return within `horizon` steps from the start (exact: γ^(d−1) for a goal d moves away). */
export function optimalGridReturn(p: AliasedGridPomdp, horizon: number): number {
  const d = gridDistancesTo(p, p.goal)[p.start];
  return d > 0 && d <= horizon ? p.gamma ** (d - 1) : 0;
}
