/**
 * A multi-stage gridworld (get the key → open the door → reach the goal) on an open size×size room: the tabular
 * stand-in for a long-horizon task made of ordered subtasks.
 *
 * State: (stage, cell) with stage k ∈ {0: seek the key, 1: seek the door, 2: seek the goal}, index k·nCells + cell,
 * plus one absorbing `success` state (index 3·nCells). Actions: 0 up, 1 right, 2 down, 3 left, 4 stay. With
 * probability `slip` the executed action is uniform over all five (the gridworld kit's convention); a move into the
 * outer wall leaves the cell unchanged. Entering the key cell in stage 0 moves to stage 1, entering the door cell in
 * stage 1 to stage 2, entering the goal cell in stage 2 to `success` (reward 1, the episode ends); every other
 * transition pays 0, so the finite-horizon value J_H(π) is the probability of completing the task within H steps.
 * The stage is part of the state (the key in hand and the open door are visible), so a state fixes its stage.
 *
 * `stepsToGo(s)`: the fewest moves that complete the task from s without slip (Manhattan distances through the
 * remaining subgoals; tested against BFS); `trueProgress(s) = clamp(1 − stepsToGo(s)/stepsToGo(s₀), 0, 1)`, the share
 * of the task's work done, the oracle that learned progress estimates are scored against.
 */
import { fromDenseTransitions, type TabularEnv } from '../../tabular/env/mdp';
import type { OfflineMdp } from './tasks';

export interface KeyDoorSpec {
  /** Side of the open room. */
  size: number;
  /** Cells as [row, col]. */
  start: readonly [number, number];
  key: readonly [number, number];
  door: readonly [number, number];
  goal: readonly [number, number];
  /** Probability that the executed action is uniform over the five actions. */
  slip: number;
}

export const KEY_DOOR_5X5: KeyDoorSpec = { size: 5, start: [0, 0], key: [4, 0], door: [0, 4], goal: [4, 4], slip: 0.1 };

/** Number of stages (subtasks) of the key–door task. */
export const KEY_DOOR_STAGES = 3;
export const KEY_DOOR_ACTIONS = 5;
export const KEY_DOOR_STAY = 4;
const DR = [-1, 0, 1, 0, 0];
const DC = [0, 1, 0, -1, 0];

export interface KeyDoorTask extends OfflineMdp {
  readonly spec: KeyDoorSpec;
  readonly nCells: number;
  /** The absorbing success state. */
  readonly success: number;
  /** Start state (stage 0 at the start cell). */
  readonly s0: number;
  /** Subgoal cell of each stage: [key, door, goal]. */
  readonly subgoal: Int32Array;
  /** Stage of each state (KEY_DOOR_STAGES at `success`). */
  readonly stageOf: Int32Array;
  /** Cell of each state (−1 at `success`). */
  readonly cellOf: Int32Array;
  /** Fewest slip-free moves to complete the task from each state. */
  readonly stepsToGo: Int32Array;
  /** clamp(1 − stepsToGo(s)/stepsToGo(s₀), 0, 1). */
  readonly trueProgress: Float64Array;
  /** The cell reached from `cell` by action a (walls: stay). */
  move(cell: number, a: number): number;
  /** The state entered from `s` when action a is executed (no slip). */
  nextState(s: number, a: number): number;
}

export function keyDoorTask(spec: KeyDoorSpec): KeyDoorTask {
  const n = spec.size;
  const nCells = n * n;
  const cellOfRc = (rc: readonly [number, number], what: string) => {
    const [r, c] = rc;
    if (!(Number.isInteger(r) && Number.isInteger(c) && r >= 0 && r < n && c >= 0 && c < n))
      throw new RangeError(`keyDoorTask: ${what} (${r}, ${c}) is off the ${n}×${n} room`);
    return r * n + c;
  };
  const subgoal = Int32Array.from([
    cellOfRc(spec.key, 'key'),
    cellOfRc(spec.door, 'door'),
    cellOfRc(spec.goal, 'goal'),
  ]);
  const start = cellOfRc(spec.start, 'start');
  if (start === subgoal[0]) throw new RangeError('keyDoorTask: the start cell must differ from the key cell');
  if (!(spec.slip >= 0 && spec.slip <= 1))
    throw new RangeError(`keyDoorTask: slip must lie in [0, 1], got ${spec.slip}`);
  const K = KEY_DOOR_STAGES;
  const nA = KEY_DOOR_ACTIONS;
  const nS = K * nCells + 1;
  const success = K * nCells;
  const move = (cell: number, a: number) => {
    const r = Math.floor(cell / n) + DR[a];
    const c = (cell % n) + DC[a];
    return r < 0 || r >= n || c < 0 || c >= n ? cell : r * n + c;
  };
  const nextState = (s: number, a: number) => {
    if (s === success) return success;
    let k = Math.floor(s / nCells);
    const cell = move(s % nCells, a);
    if (cell === subgoal[k]) k++;
    return k === K ? success : k * nCells + cell;
  };
  const dense = new Float64Array(nS * nA * nS);
  const entryDense = new Float64Array(nS * nA * nS);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      const row = (s * nA + a) * nS;
      for (let b = 0; b < nA; b++) {
        const p = (b === a ? 1 - spec.slip : 0) + spec.slip / nA;
        const sp = nextState(s, b);
        dense[row + sp] += p;
        if (s !== success && sp === success) entryDense[row + sp] = 1;
      }
    }
  const T = fromDenseTransitions(nS, nA, dense);
  const entryReward = new Float64Array(T.col.length);
  for (let r = 0; r < nS * nA; r++)
    for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) entryReward[k] = entryDense[r * nS + T.col[k]];
  const reward = new Float64Array(nS * nA);
  for (let r = 0; r < nS * nA; r++)
    for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) reward[r] += T.prob[k] * entryReward[k];
  const s0 = start;
  const init = new Float64Array(nS);
  init[s0] = 1;
  const env: TabularEnv = { nS, nA, gamma: 0.99, T, init };
  const terminal = new Uint8Array(nS);
  terminal[success] = 1;
  const manhattan = (x: number, y: number) =>
    Math.abs(Math.floor(x / n) - Math.floor(y / n)) + Math.abs((x % n) - (y % n));
  const stageOf = new Int32Array(nS);
  const cellOf = new Int32Array(nS);
  const stepsToGo = new Int32Array(nS);
  for (let s = 0; s < nS; s++) {
    if (s === success) {
      stageOf[s] = K;
      cellOf[s] = -1;
      continue;
    }
    const k = Math.floor(s / nCells);
    stageOf[s] = k;
    cellOf[s] = s % nCells;
    // On its own subgoal cell (unreachable: entering it advances the stage) one `stay` advances the stage.
    let d = cellOf[s] === subgoal[k] ? 1 : manhattan(cellOf[s], subgoal[k]);
    for (let j = k; j + 1 < K; j++) d += manhattan(subgoal[j], subgoal[j + 1]);
    stepsToGo[s] = d;
  }
  const trueProgress = new Float64Array(nS);
  for (let s = 0; s < nS; s++) trueProgress[s] = Math.min(1, Math.max(0, 1 - stepsToGo[s] / stepsToGo[s0]));
  return {
    spec,
    env,
    reward,
    entryReward,
    terminal,
    nCells,
    success,
    s0,
    subgoal,
    stageOf,
    cellOf,
    stepsToGo,
    trueProgress,
    move,
    nextState,
  };
}
