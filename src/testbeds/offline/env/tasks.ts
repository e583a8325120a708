/**
 * Offline-RL tasks: goal-reaching gridworlds built with the tabular testbed's gridworld kit
 * (`tabular/env/gridworld.ts` makeGridworld: walls are `house` cells, the goal is a terminal `goal` cell).
 *
 * Reward (the AntMaze convention of Kostrikov, Nair & Levine, "Offline Reinforcement Learning with Implicit
 * Q-Learning", ICLR 2022, §5 / App. B: rewards shifted to −1 per step, 0 on success): every transition from a
 * non-terminal cell earns −1, entering the goal earns 0 and ends the episode (the goal cell is absorbing with
 * reward 0). In gridworld features, w = (alive −1, goal +1, 0, 0, 0, 0). On a deterministic grid the optimal value
 * is then V*(s) = −(1 − γ^{d(s)−1})/(1 − γ) with d(s) the BFS distance to the goal (tested).
 *
 * Goal-conditioned use: the goal is part of the task (`goalTask(spec, goalCell)` builds the task of any goal on one
 * layout); `goalFreeWorld(spec)` is the same layout without a goal, on which goal-reaching datasets are collected
 * and relabelled (data/dataset.ts).
 *
 * Layouts: 'open-room' (a size×size room) and 'four-rooms' (a size×size grid, size odd, split by a wall cross on
 * the middle row and column with one gate per wall arm, `gateOffset(size)` cells from the outer wall, as in the
 * tabular testbed's four-room environment, `tabular/env/four-rooms.ts`).
 */
import { CELL, entryRewards, gridReward, makeGridworld, type FeatureGridworld } from '../../tabular/env/gridworld';
import { gateOffset } from '../../tabular/env/four-rooms';
import type { TabularEnv } from '../../tabular/env/mdp';

export const OFFLINE_LAYOUTS = ['open-room', 'four-rooms'] as const;
export type OfflineLayout = (typeof OFFLINE_LAYOUTS)[number];

export interface OfflineWorldSpec {
  layout: OfflineLayout;
  /** Side length of the square grid (four-rooms: odd, ≥ 5). */
  size: number;
  gamma: number;
  /** Probability that the executed action is uniformly random (gridworld kit convention). */
  slip: number;
}

/**
 * A finite MDP with sampled rewards and terminal states: what datasets are drawn from and policies are scored on.
 * `reward` is r̄(s, a) (length nS·nA), `entryReward` the reward of each CSR transition entry (aligned with env.T.col).
 */
export interface OfflineMdp {
  readonly env: TabularEnv;
  readonly reward: Float64Array;
  readonly entryReward: Float64Array;
  /** 1 at absorbing states where episodes end (no bootstrapping past them). */
  readonly terminal: Uint8Array;
}

/** A goal-reaching task on a layout. */
export interface OfflineTask extends OfflineMdp {
  readonly name: string;
  readonly spec: OfflineWorldSpec;
  readonly env: FeatureGridworld;
  /** The goal state (terminal). */
  readonly goal: number;
}

/** The dense reward R(s, a, s') (length nS·nA·nS) of an MDP's per-entry rewards. */
export function denseEntryReward(mdp: OfflineMdp): Float64Array {
  const { nS, nA, T } = mdp.env;
  const R = new Float64Array(nS * nA * nS);
  for (let row = 0; row < nS * nA; row++)
    for (let k = T.rowPtr[row]; k < T.rowPtr[row + 1]; k++) R[row * nS + T.col[k]] = mdp.entryReward[k];
  return R;
}

/** Gridworld feature weights of the −1-per-step, 0-on-success reward (features: alive, goal, …). */
export const STEP_COST_WEIGHTS: readonly number[] = [-1, 1, 0, 0, 0, 0];

/** Cell kinds (row-major, CELL.empty or CELL.house) of a layout, without a goal. */
export function layoutCells(spec: OfflineWorldSpec): Int8Array {
  const { layout, size } = spec;
  if (!Number.isInteger(size) || size < 2)
    throw new RangeError(`offline layout '${layout}': size must be an integer ≥ 2, got ${size}`);
  const cells = new Int8Array(size * size);
  if (layout === 'open-room') return cells;
  if (layout !== 'four-rooms')
    throw new RangeError(`offline layout: unknown layout '${String(layout)}' (use ${OFFLINE_LAYOUTS.join(', ')})`);
  if (size < 5 || size % 2 === 0)
    throw new RangeError(`offline layout 'four-rooms': size must be an odd integer ≥ 5, got ${size}`);
  const mid = (size - 1) / 2;
  const g = gateOffset(size);
  const gates = new Set([mid * size + g, mid * size + (size - 1 - g), g * size + mid, (size - 1 - g) * size + mid]);
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++) {
      const i = r * size + c;
      if ((r === mid || c === mid) && !gates.has(i)) cells[i] = CELL.house;
    }
  return cells;
}

/** The default goal cell of a layout: the top-right corner (row 0, column size − 1). */
export function defaultGoalCell(spec: OfflineWorldSpec): number {
  return spec.size - 1;
}

/** The layout as a gridworld without a goal (no terminal state): the world of goal-conditioned data. */
export function goalFreeWorld(spec: OfflineWorldSpec): FeatureGridworld {
  return makeGridworld({
    height: spec.size,
    width: spec.size,
    cells: layoutCells(spec),
    gamma: spec.gamma,
    slip: spec.slip,
  });
}

/** The goal-reaching task of `goalCell` (row·size + col; default the top-right corner) on a layout. */
export function goalTask(spec: OfflineWorldSpec, goalCell = defaultGoalCell(spec)): OfflineTask {
  const cells = layoutCells(spec);
  if (!(Number.isInteger(goalCell) && goalCell >= 0 && goalCell < cells.length) || cells[goalCell] === CELL.house)
    throw new RangeError(
      `goalTask(${spec.layout}, size ${spec.size}): goal cell ${goalCell} is a wall or off the grid; pick an open ` +
        `cell (row·size + col)`,
    );
  cells[goalCell] = CELL.goal;
  const world = makeGridworld({ height: spec.size, width: spec.size, cells, gamma: spec.gamma, slip: spec.slip });
  return {
    name: `${spec.layout}-${spec.size}`,
    spec,
    env: world,
    goal: world.cellState[goalCell],
    reward: gridReward(world, STEP_COST_WEIGHTS),
    entryReward: entryRewards(world, STEP_COST_WEIGHTS),
    terminal: world.terminal,
  };
}
