/**
 * A four-room navigation gridworld with a sparse goal reward, after the ROOMSNAVENV of Devidze, Radanovic,
 * Kamalaruban & Singla, "Explicable Reward Design for Reinforcement Learning Agents" (NeurIPS 2021; official code
 * github.com/adishs/neurips2021_explicable-reward-design_code, code_RoomsNavEnv/fourroom_env.py).
 *
 * Layout: a `size`×`size` grid (size odd, ≥ 5) split into four rooms by a wall cross on the middle row and column;
 * each of the four wall arms has one gate cell, `gateOffset(size)` cells from the outer wall.
 * States are the non-wall cells (row-major from the bottom-left corner, y up) plus one absorbing terminal state
 * (the last index). Actions up, left, down, right (the official code's order). An action moves to the
 * neighbouring cell with probability 1 − slip and, with probability slip, one of the other three actions is
 * executed instead (uniformly); a move into a wall or out of the grid stays put. The agent starts in the
 * bottom-left corner; the goal is the top-right corner: every action there earns `goalReward` and ends the episode
 * (moves to the terminal state, which is absorbing with reward 0). The original reward is zero everywhere else.
 */
import { makeEnv, type TabularEnv } from './mdp';

export interface FourRoomsSpec {
  /** Side length of the grid (odd, ≥ 5). */
  size: number;
  /** Probability that one of the other three actions is executed instead of the chosen one. */
  slip: number;
  gamma: number;
  /** Reward of every action at the goal cell (the only non-zero original reward). */
  goalReward: number;
}

export interface FourRooms extends TabularEnv {
  readonly spec: FourRoomsSpec;
  /** Cell (x, y) of each non-terminal state. */
  readonly cells: readonly (readonly [number, number])[];
  readonly start: number;
  readonly goal: number;
  readonly terminal: number;
  /** Gate states (the openings in the wall cross). */
  readonly gates: readonly number[];
  /** 1 at the terminal state (episodes end there). */
  readonly terminalMask: Uint8Array;
  /** The original reward r̄(s, a) (length nS·nA): goalReward at the goal, 0 elsewhere. */
  readonly reward: Float64Array;
}

export const FOUR_ROOMS_ACTIONS = ['up', 'left', 'down', 'right'] as const;
const DELTAS: readonly (readonly [number, number])[] = [
  [0, 1],
  [-1, 0],
  [0, -1],
  [1, 0],
];

/** Offset of each gate from the outer wall along its wall arm. */
export function gateOffset(size: number): number {
  return Math.max(1, Math.floor((size - 1) / 4));
}

export function makeFourRooms(spec: FourRoomsSpec): FourRooms {
  const { size, slip, gamma, goalReward } = spec;
  if (!Number.isInteger(size) || size < 5 || size % 2 === 0)
    throw new RangeError(`makeFourRooms: size must be an odd integer ≥ 5, got ${size}`);
  if (!(slip >= 0 && slip < 1)) throw new RangeError(`makeFourRooms: slip must lie in [0, 1), got ${slip}`);
  const mid = (size - 1) / 2;
  const g = gateOffset(size);
  const gateCells = [
    [mid, g],
    [mid, size - 1 - g],
    [g, mid],
    [size - 1 - g, mid],
  ];
  const isGate = (x: number, y: number) => gateCells.some(([gx, gy]) => gx === x && gy === y);
  const isWall = (x: number, y: number) => (x === mid || y === mid) && !isGate(x, y);
  const index = new Int32Array(size * size).fill(-1);
  const cells: [number, number][] = [];
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++)
      if (!isWall(x, y)) {
        index[y * size + x] = cells.length;
        cells.push([x, y]);
      }
  const nCells = cells.length;
  const nS = nCells + 1;
  const nA = 4;
  const terminal = nCells;
  const start = index[0];
  const goal = index[(size - 1) * size + (size - 1)];
  const move = (s: number, a: number): number => {
    const [x, y] = cells[s];
    const nx = x + DELTAS[a][0],
      ny = y + DELTAS[a][1];
    if (nx < 0 || ny < 0 || nx >= size || ny >= size) return s;
    const j = index[ny * size + nx];
    return j < 0 ? s : j;
  };
  const T = new Float64Array(nS * nA * nS);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      const row = (s * nA + a) * nS;
      if (s === terminal || s === goal) {
        T[row + terminal] = 1;
        continue;
      }
      for (let b = 0; b < nA; b++) T[row + move(s, b)] += b === a ? 1 - slip : slip / (nA - 1);
    }
  const init = new Float64Array(nS);
  init[start] = 1;
  const env = makeEnv({ nS, nA, gamma, T, init });
  const reward = new Float64Array(nS * nA);
  for (let a = 0; a < nA; a++) reward[goal * nA + a] = goalReward;
  const terminalMask = new Uint8Array(nS);
  terminalMask[terminal] = 1;
  const gates = gateCells.map(([x, y]) => index[y * size + x]);
  return { ...env, spec, cells, start, goal, terminal, gates, terminalMask, reward };
}
