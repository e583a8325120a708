/**
 * Gridworlds with rewarding and penalising terminal cells and a set of start cells: the grid-world of Deshmukh et
 * al., "Explaining RL Decisions with Trajectories" (ICLR 2023), as the reproducibility study of Abdel Sadek, Nulli,
 * Velja & Vincenti (TMLR 2024) recovered it from the original authors' partial code
 * (github.com/karim-abdel/Explaining-RL-Decisions-with-Trajectories, Grid-World/env.py and the 7×7 definition in
 * Grid-World/table1_and_DTDAclaim.ipynb):
 *   every step from a non-terminal cell costs −0.1; entering a goal cell pays +1 and ends the episode; entering a
 *   lava cell pays −1 and ends the episode; obstacles cannot be entered (the agent stays); episodes start uniformly
 *   at one of the start cells; with probability `slip` (the code's `stoc`) the executed action is uniform.
 * Built on the tabular gridworld kit: goals are `goal` cells, lava cells are terminal `sheep` cells, obstacles are
 * `house` cells; w = (alive −0.1, goal 1.1, sheep −0.9) gives −0.1 per step and ±1 in total on entering a terminal.
 * Cells are (row, col) with row 0 at the top, as in the original code.
 */
import { CELL, entryRewards, gridReward, makeGridworld, type FeatureGridworld } from '../../tabular/env/gridworld';
import type { OfflineMdp } from './tasks';

export interface LavaGridSpec {
  height: number;
  width: number;
  /** Terminal cells paying +1 on entry. */
  goals: readonly (readonly [number, number])[];
  /** Terminal cells paying −1 on entry. */
  lava: readonly (readonly [number, number])[];
  obstacles: readonly (readonly [number, number])[];
  /** Start cells (μ₀ uniform over them). */
  starts: readonly (readonly [number, number])[];
  /** Probability that the executed action is uniformly random (the original code's `stoc`). */
  slip: number;
  gamma: number;
}

/** The original 7×7 grid-world (two goals, one lava cell, seven obstacles, three starts; the code: stoc = 0). */
export const ORIGINAL_7X7: LavaGridSpec = {
  height: 7,
  width: 7,
  goals: [
    [0, 6],
    [6, 6],
  ],
  lava: [[4, 3]],
  obstacles: [
    [1, 1],
    [1, 3],
    [3, 1],
    [3, 3],
    [4, 4],
    [6, 4],
    [4, 6],
  ],
  starts: [
    [2, 0],
    [6, 2],
    [2, 4],
  ],
  slip: 0,
  gamma: 0.95,
};

/** Reward weights over the gridworld features (alive, goal, sheep, coin, roadblock, mud). */
export const LAVA_GRID_WEIGHTS: readonly number[] = [-0.1, 1.1, -0.9, 0, 0, 0];

export interface LavaGridTask extends OfflineMdp {
  readonly spec: LavaGridSpec;
  readonly env: FeatureGridworld;
  /** State of each start cell. */
  readonly starts: Int32Array;
  /** 1 at goal states, −1 at lava states, 0 elsewhere. */
  readonly outcome: Int8Array;
}

export function lavaGridworld(spec: LavaGridSpec): LavaGridTask {
  const { height, width } = spec;
  const cells = new Int8Array(height * width);
  const at = (rc: readonly [number, number], what: string): number => {
    const [r, c] = rc;
    if (!(Number.isInteger(r) && Number.isInteger(c) && r >= 0 && r < height && c >= 0 && c < width))
      throw new RangeError(`lavaGridworld: ${what} cell (${r}, ${c}) is off the ${height}×${width} grid`);
    return r * width + c;
  };
  for (const o of spec.obstacles) cells[at(o, 'obstacle')] = CELL.house;
  for (const g of spec.goals) cells[at(g, 'goal')] = CELL.goal;
  for (const l of spec.lava) cells[at(l, 'lava')] = CELL.sheep;
  const world = makeGridworld({ height, width, cells, gamma: spec.gamma, slip: spec.slip });
  const starts = Int32Array.from(spec.starts, (rc) => {
    const s = world.cellState[at(rc, 'start')];
    if (s < 0 || world.terminal[s]) throw new RangeError(`lavaGridworld: start cell (${rc}) is blocked or terminal`);
    return s;
  });
  const init = new Float64Array(world.nS);
  for (const s of starts) init[s] += 1 / starts.length;
  const env: FeatureGridworld = { ...world, init };
  const outcome = new Int8Array(world.nS);
  for (let s = 0; s < world.nS; s++) {
    const k = cells[world.stateCell[s]];
    outcome[s] = k === CELL.goal ? 1 : k === CELL.sheep ? -1 : 0;
  }
  return {
    spec,
    env,
    starts,
    outcome,
    reward: gridReward(env, LAVA_GRID_WEIGHTS),
    entryReward: entryRewards(env, LAVA_GRID_WEIGHTS),
    terminal: world.terminal,
  };
}
