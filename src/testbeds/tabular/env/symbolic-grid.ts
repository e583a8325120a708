/**
 * A symbolic gridworld kit: worlds drawn as ASCII maps (walls, start, goal, lava, coloured keys and doors,
 * landmarks, a noisy-TV cell), a simulator on the structured state, and an exporter that writes every world's
 * finite MDP in the tabular kit's format (`TabularEnv`, CSR transitions, `./mdp`). The local-view POMDP of these
 * worlds is in `./symbolic-grid-pomdp`.
 *
 * Import path (not re-exported from the testbed index, so existing papers keep their record keys):
 *   import { makeSymbolicGrid, exportSymbolicMdp, stepSymbolicGrid } from '<src>/testbeds/tabular/env/symbolic-grid';
 *
 * Map glyphs (one row per line; every row the same width; cells outside the map count as walls):
 *   #  wall                 .  floor                S  start (exactly one; a floor cell)
 *   G  goal (≥ 1)           L  lava                 T  noisy TV (any number; floor otherwise)
 *   a–f  the key of colour a–f (at most one key per colour; colour names in SYMBOLIC_KEY_COLOURS)
 *   A–F  a door of colour A–F (any number; its key must be on the map)
 *   0–9  landmark 0–9 (each at most once; the ids used must be 0, 1, …, n−1)
 * A string map may be indented and surrounded by blank lines (template literals): blank lines at both ends and
 * the common indentation are removed, and trailing spaces are ignored. Parse errors name the map row ("line",
 * counted from the first non-blank line, 1-based) and the column (1-based), and say what to do.
 *
 * Structured state (`SymbolicState`): position × keys held (bitmask over colours) × doors opened (bitmask over the
 * doors in reading order) × landmarks visited (bitmask over landmark ids) × TV channel (0 = not watching,
 * 1..C = the channel on screen).
 *
 * Actions (`SYMBOLIC_ACTIONS`): 0 up, 1 down, 2 left, 3 right, 4 stay, 5 open.
 * - Moves: into a wall, a closed door or off the map the agent stays where it is.
 * - Keys are picked up automatically on entering their cell (the key leaves the map; keys are never dropped or
 *   used up: one key opens every door of its colour).
 * - `open` opens every closed door among the four neighbours whose colour's key is held (a no-op otherwise). An
 *   opened door stays open and is a floor cell from then on. Opening is a separate action, so "doors opened" is a
 *   real state component: holding the key is not enough to pass.
 * - Landmarks are marked visited on entering their cell; each first visit pays `landmarkReward`.
 * - Slip (the tabular gridworld kit's convention, `./gridworld`): with probability `slip` the executed action is
 *   uniform over all six actions, so the chosen action is executed with probability 1 − slip + slip/6.
 * - Noisy TV: whenever the agent's position after a step is a TV cell (entering it or staying on it), the next
 *   channel is drawn uniformly from 1..C (`tvChannels`); off the TV the channel is 0. The channel affects no
 *   reward and no other component: a stochastic, reward-irrelevant part of the state that a novelty-seeking agent
 *   finds endlessly new (C states on one cell), and that an optimal agent ignores.
 * - Traps: lava, and the goal (with `goalNeedsAllLandmarks`, only once every landmark is visited; before that the
 *   goal is floor). As in `./gridworld`, with `traps: 'terminal'` (default) a trap state is terminal and absorbing:
 *   every action stays, reward 0. With `traps: 'continuing'` trap states are absorbing but not terminal: every
 *   step there pays the trap's reward − stepCost.
 * - Reward of a step from a non-trap state: −stepCost, + landmarkReward per newly visited landmark, + goalReward on
 *   entering a goal trap, + lavaReward on entering lava. It depends on (s, s') only, so entries of the exported
 *   MDP that merge several executed actions keep one well-defined reward (`entryReward`).
 *
 * Two code paths, on purpose: `stepSymbolicGrid` samples one step with row/column arithmetic on the map; the
 * exporter `exportSymbolicMdp` enumerates every outcome with its probability from a precomputed neighbour table
 * on packed integer states (breadth-first from the start, so only reachable states are exported). The tests
 * compare the two.
 */
import type { Rng } from '../../../core/rng';
import type { SparseTransitions, TabularEnv } from './mdp';

// ---------------------------------------------------------------------------------------------
// Maps
// ---------------------------------------------------------------------------------------------

/** Cell kinds of a parsed map. */
export const SYMBOLIC_CELL = { floor: 0, wall: 1, goal: 2, lava: 3, key: 4, door: 5, landmark: 6, tv: 7 } as const;
/** Colour names of the key letters a–f (door letters A–F). */
export const SYMBOLIC_KEY_COLOURS = ['red', 'green', 'blue', 'yellow', 'purple', 'grey'] as const;
export const SYMBOLIC_ACTIONS = ['up', 'down', 'left', 'right', 'stay', 'open'] as const;
export const SYMBOLIC_N_ACTIONS = SYMBOLIC_ACTIONS.length;
/** Most doors a map may hold (bits of the doors-opened mask). */
export const SYMBOLIC_MAX_DOORS = 12;

const MAX_COLOURS = SYMBOLIC_KEY_COLOURS.length;
const A_UP = 0,
  A_DOWN = 1,
  A_LEFT = 2,
  A_RIGHT = 3,
  A_OPEN = 5;

/** A parsed map. Cells are row-major, index row·width + col. */
export interface SymbolicMap {
  readonly height: number;
  readonly width: number;
  /** Kind of each cell (SYMBOLIC_CELL; the start cell is floor). */
  readonly kind: Uint8Array;
  /** Colour (keys, doors) or landmark id of each cell, −1 elsewhere. */
  readonly arg: Int8Array;
  /** Door index of each cell (reading order), −1 elsewhere. */
  readonly doorIndex: Int32Array;
  readonly start: number;
  /** Key cell of each colour a–f, −1 where the colour has no key. */
  readonly keyCell: Int32Array;
  /** Cell of each door (index = bit of the doors-opened mask). */
  readonly doorCells: Int32Array;
  /** Colour of each door. */
  readonly doorColour: Int32Array;
  /** Cell of each landmark id. */
  readonly landmarkCells: Int32Array;
  /** TV cells. */
  readonly tvCells: Int32Array;
}

function mapLines(text: string | readonly string[]): string[] {
  let lines = typeof text === 'string' ? text.split('\n') : [...text];
  lines = lines.map((l) => l.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let indent = Infinity;
  for (const l of lines) if (l !== '') indent = Math.min(indent, l.length - l.trimStart().length);
  if (!Number.isFinite(indent)) indent = 0;
  return lines.map((l) => l.slice(indent));
}

const GLYPH_HELP =
  "use '#' wall, '.' floor, 'S' start, 'G' goal, 'L' lava, 'T' noisy TV, 'a'–'f' keys, 'A'–'F' doors, " +
  "'0'–'9' landmarks";

/**
 * Parse an ASCII map (glyphs in the file header). Throws a RangeError naming the line and column of the problem
 * and what to do.
 */
export function parseSymbolicMap(text: string | readonly string[]): SymbolicMap {
  const lines = mapLines(text);
  const where = (r: number, c: number) => `symbolic grid map, line ${r + 1}, column ${c + 1}`;
  if (lines.length === 0) throw new RangeError('symbolic grid map: the map is empty (draw at least one row)');
  const width = lines[0].length;
  const height = lines.length;
  for (let r = 0; r < height; r++) {
    if (lines[r].length !== width)
      throw new RangeError(
        `symbolic grid map, line ${r + 1}: ${lines[r].length} columns, but line 1 has ${width} ` +
          `(make every row the same width; pad with '#' or '.')`,
      );
  }
  const n = height * width;
  const kind = new Uint8Array(n);
  const arg = new Int8Array(n).fill(-1);
  const doorIndex = new Int32Array(n).fill(-1);
  const keyCell = new Int32Array(MAX_COLOURS).fill(-1);
  const doors: number[] = [];
  const doorColour: number[] = [];
  const landmarkAt = new Int32Array(10).fill(-1);
  const tv: number[] = [];
  let start = -1;
  for (let r = 0; r < height; r++)
    for (let c = 0; c < width; c++) {
      const ch = lines[r][c];
      const cell = r * width + c;
      if (ch === '#') kind[cell] = SYMBOLIC_CELL.wall;
      else if (ch === '.') kind[cell] = SYMBOLIC_CELL.floor;
      else if (ch === 'S') {
        if (start >= 0) {
          const r0 = Math.floor(start / width) + 1,
            c0 = (start % width) + 1;
          throw new RangeError(
            `${where(r, c)}: a second start 'S' (the first is at line ${r0}, column ${c0}); keep exactly one`,
          );
        }
        start = cell;
      } else if (ch === 'G') kind[cell] = SYMBOLIC_CELL.goal;
      else if (ch === 'L') kind[cell] = SYMBOLIC_CELL.lava;
      else if (ch === 'T') {
        kind[cell] = SYMBOLIC_CELL.tv;
        tv.push(cell);
      } else if (ch >= 'a' && ch <= 'f') {
        const colour = ch.charCodeAt(0) - 97;
        if (keyCell[colour] >= 0) {
          const k = keyCell[colour];
          throw new RangeError(
            `${where(r, c)}: a second key '${ch}' (the first is at line ${Math.floor(k / width) + 1}, column ` +
              `${(k % width) + 1}); keep one key per colour (one key opens every door of its colour)`,
          );
        }
        kind[cell] = SYMBOLIC_CELL.key;
        arg[cell] = colour;
        keyCell[colour] = cell;
      } else if (ch >= 'A' && ch <= 'F') {
        if (doors.length >= SYMBOLIC_MAX_DOORS)
          throw new RangeError(`${where(r, c)}: more than ${SYMBOLIC_MAX_DOORS} doors; use fewer doors`);
        kind[cell] = SYMBOLIC_CELL.door;
        arg[cell] = ch.charCodeAt(0) - 65;
        doorIndex[cell] = doors.length;
        doors.push(cell);
        doorColour.push(ch.charCodeAt(0) - 65);
      } else if (ch >= '0' && ch <= '9') {
        const id = ch.charCodeAt(0) - 48;
        if (landmarkAt[id] >= 0)
          throw new RangeError(`${where(r, c)}: landmark '${ch}' appears twice; give each landmark its own digit`);
        kind[cell] = SYMBOLIC_CELL.landmark;
        arg[cell] = id;
        landmarkAt[id] = cell;
      } else {
        throw new RangeError(`${where(r, c)}: unknown glyph '${ch}' (${GLYPH_HELP})`);
      }
    }
  if (start < 0) throw new RangeError("symbolic grid map: no start 'S'; mark exactly one floor cell 'S'");
  for (let d = 0; d < doors.length; d++)
    if (keyCell[doorColour[d]] < 0) {
      const cell = doors[d];
      const letter = String.fromCharCode(65 + doorColour[d]);
      throw new RangeError(
        `${where(Math.floor(cell / width), cell % width)}: door '${letter}' has no key ` +
          `'${letter.toLowerCase()}' on the map; add the key or replace the door by '#'`,
      );
    }
  let nLandmarks = 0;
  while (nLandmarks < 10 && landmarkAt[nLandmarks] >= 0) nLandmarks++;
  for (let id = nLandmarks + 1; id < 10; id++)
    if (landmarkAt[id] >= 0) {
      const cell = landmarkAt[id];
      throw new RangeError(
        `${where(Math.floor(cell / width), cell % width)}: landmark '${id}' but no landmark '${nLandmarks}'; ` +
          'number the landmarks 0, 1, …, n−1 without gaps',
      );
    }
  return {
    height,
    width,
    kind,
    arg,
    doorIndex,
    start,
    keyCell,
    doorCells: Int32Array.from(doors),
    doorColour: Int32Array.from(doorColour),
    landmarkCells: landmarkAt.slice(0, nLandmarks),
    tvCells: Int32Array.from(tv),
  };
}

// ---------------------------------------------------------------------------------------------
// Worlds and the simulator
// ---------------------------------------------------------------------------------------------

export interface SymbolicGridOptions {
  /** Probability that the executed action is uniform over all six actions (default 0). */
  slip?: number;
  /** Cost paid on every step from a non-trap state (default 0; the reward is −stepCost). */
  stepCost?: number;
  /** Reward for entering a goal trap (default 1). */
  goalReward?: number;
  /** Reward for entering lava (default −1). */
  lavaReward?: number;
  /** Reward for each first visit of a landmark (default 0). */
  landmarkReward?: number;
  /** The goal is a trap only once every landmark has been visited (default false). */
  goalNeedsAllLandmarks?: boolean;
  /** Number C of TV channels (default 4; 1–16). */
  tvChannels?: number;
  /** 'terminal' (default): traps end the episode (absorbing, reward 0); 'continuing': absorbing, keep paying. */
  traps?: 'terminal' | 'continuing';
  /** Discount of the exported MDP (default 0.99). */
  gamma?: number;
}

export const SYMBOLIC_GRID_DEFAULTS: Required<SymbolicGridOptions> = {
  slip: 0,
  stepCost: 0,
  goalReward: 1,
  lavaReward: -1,
  landmarkReward: 0,
  goalNeedsAllLandmarks: false,
  tvChannels: 4,
  traps: 'terminal',
  gamma: 0.99,
};

/** A world: its map and options. */
export interface SymbolicGrid {
  readonly map: SymbolicMap;
  readonly options: Readonly<Required<SymbolicGridOptions>>;
}

/** The structured state. */
export interface SymbolicState {
  /** Cell row·width + col. */
  readonly pos: number;
  /** Keys held: bit c for colour c. */
  readonly keys: number;
  /** Doors opened: bit d for door d (reading order). */
  readonly doors: number;
  /** Landmarks visited: bit i for landmark i. */
  readonly landmarks: number;
  /** TV channel: 0 off the TV, 1..C on it. */
  readonly tv: number;
}

/** Build a world from a map (text or parsed) and options; validates the options. */
export function makeSymbolicGrid(
  map: string | readonly string[] | SymbolicMap,
  opts: SymbolicGridOptions = {},
): SymbolicGrid {
  const parsed = typeof map === 'object' && 'kind' in map ? map : parseSymbolicMap(map);
  const o = { ...SYMBOLIC_GRID_DEFAULTS, ...opts };
  const bad = (name: string, v: unknown, want: string) =>
    new RangeError(`makeSymbolicGrid: option ${name} = ${String(v)} is invalid; ${want}`);
  if (!(o.slip >= 0 && o.slip <= 1)) throw bad('slip', o.slip, 'use a probability in [0, 1]');
  if (!(o.gamma >= 0 && o.gamma < 1)) throw bad('gamma', o.gamma, 'use a discount in [0, 1)');
  if (!(Number.isInteger(o.tvChannels) && o.tvChannels >= 1 && o.tvChannels <= 16))
    throw bad('tvChannels', o.tvChannels, 'use an integer from 1 to 16');
  for (const k of ['stepCost', 'goalReward', 'lavaReward', 'landmarkReward'] as const)
    if (!Number.isFinite(o[k])) throw bad(k, o[k], 'use a finite number');
  if (o.traps !== 'terminal' && o.traps !== 'continuing') throw bad('traps', o.traps, "use 'terminal' or 'continuing'");
  const world: SymbolicGrid = { map: parsed, options: o };
  return world;
}

/** The start state (start cell, nothing held, opened or visited, TV off). */
export function symbolicStartState(world: SymbolicGrid): SymbolicState {
  return { pos: world.map.start, keys: 0, doors: 0, landmarks: 0, tv: 0 };
}

/** One simulated step. */
export interface SymbolicStep {
  readonly state: SymbolicState;
  readonly reward: number;
  /** The new state is terminal (a trap, with traps: 'terminal'). */
  readonly terminal: boolean;
}

/**
 * Simulate one step from `state` with `action` (SYMBOLIC_ACTIONS index), sampling the slip and the TV channel
 * from `rng`. Works on rows and columns of the map; independent of the exporter's code.
 */
export function stepSymbolicGrid(world: SymbolicGrid, state: SymbolicState, action: number, rng: Rng): SymbolicStep {
  const { map, options: o } = world;
  if (!(Number.isInteger(action) && action >= 0 && action < SYMBOLIC_N_ACTIONS))
    throw new RangeError(`stepSymbolicGrid: action ${action} is not one of 0..5 (${SYMBOLIC_ACTIONS.join(', ')})`);
  const { height: H, width: W, kind, arg } = map;
  const allVisited = (1 << map.landmarkCells.length) - 1;
  const trapAt = (cell: number, visited: number) =>
    kind[cell] === SYMBOLIC_CELL.lava ||
    (kind[cell] === SYMBOLIC_CELL.goal && (!o.goalNeedsAllLandmarks || visited === allVisited));
  if (trapAt(state.pos, state.landmarks)) {
    const continuing = o.traps === 'continuing';
    const pay = kind[state.pos] === SYMBOLIC_CELL.goal ? o.goalReward : o.lavaReward;
    return { state: { ...state }, reward: continuing ? pay - o.stepCost : 0, terminal: !continuing };
  }
  const executed = o.slip > 0 && rng.uniform() < o.slip ? rng.int(SYMBOLIC_N_ACTIONS) : action;
  let row = Math.floor(state.pos / W),
    col = state.pos % W;
  let { keys, doors, landmarks } = state;
  const isClosedDoor = (r: number, c: number) => {
    const cell = r * W + c;
    return kind[cell] === SYMBOLIC_CELL.door && ((doors >> map.doorIndex[cell]) & 1) === 0;
  };
  const enterable = (r: number, c: number) =>
    r >= 0 && r < H && c >= 0 && c < W && kind[r * W + c] !== SYMBOLIC_CELL.wall && !isClosedDoor(r, c);
  let dr = 0,
    dc = 0;
  if (executed === A_UP) dr = -1;
  else if (executed === A_DOWN) dr = 1;
  else if (executed === A_LEFT) dc = -1;
  else if (executed === A_RIGHT) dc = 1;
  if ((dr !== 0 || dc !== 0) && enterable(row + dr, col + dc)) {
    row += dr;
    col += dc;
  } else if (executed === A_OPEN) {
    for (const [r, c] of [
      [row - 1, col],
      [row + 1, col],
      [row, col - 1],
      [row, col + 1],
    ]) {
      if (r < 0 || r >= H || c < 0 || c >= W || !isClosedDoor(r, c)) continue;
      const cell = r * W + c;
      if ((keys >> arg[cell]) & 1) doors |= 1 << map.doorIndex[cell];
    }
  }
  const pos = row * W + col;
  let reward = 0 - o.stepCost; // (0 − 0 = +0, as in the exporter; −0 would differ under Object.is)
  if (kind[pos] === SYMBOLIC_CELL.key) keys |= 1 << arg[pos];
  if (kind[pos] === SYMBOLIC_CELL.landmark && ((landmarks >> arg[pos]) & 1) === 0) {
    landmarks |= 1 << arg[pos];
    reward += o.landmarkReward;
  }
  const trap = trapAt(pos, landmarks);
  if (trap) reward += kind[pos] === SYMBOLIC_CELL.goal ? o.goalReward : o.lavaReward;
  const tv = kind[pos] === SYMBOLIC_CELL.tv ? 1 + rng.int(o.tvChannels) : 0;
  return { state: { pos, keys, doors, landmarks, tv }, reward, terminal: trap && o.traps === 'terminal' };
}

// ---------------------------------------------------------------------------------------------
// The exporter
// ---------------------------------------------------------------------------------------------

/** The finite MDP of a world: the reachable structured states, their transitions and rewards. */
export interface SymbolicMdp extends TabularEnv {
  readonly world: SymbolicGrid;
  /** State index of the start state (μ₀ is a point mass on it). */
  readonly start: number;
  /** 1 for terminal states (traps with traps: 'terminal'; absorbing with reward 0). */
  readonly terminal: Uint8Array;
  /** 1 for trap states (goal reached, lava), terminal or continuing. */
  readonly trap: Uint8Array;
  /** Reward of every stored transition entry, aligned with T.col (R depends on (s, s') only). */
  readonly entryReward: Float64Array;
  /** Expected reward r̄(s, a) = Σ_{s'} τ(s,a,s') R(s,a,s'), length nS·nA (what the solvers take). */
  readonly reward: Float64Array;
  /** Components of each state (decode for rendering): cell, keys, doors, landmarks, TV channel. */
  readonly pos: Int32Array;
  readonly keys: Int32Array;
  readonly doors: Int32Array;
  readonly landmarks: Int32Array;
  readonly tv: Int32Array;
  /** The structured state of index s. */
  stateOf(s: number): SymbolicState;
  /** The index of a structured state, −1 when it is not reachable from the start. */
  indexOf(state: SymbolicState): number;
}

/**
 * Enumerate the states reachable from the start (breadth-first; index = discovery order, the start is 0) and
 * write the world's finite MDP. Every (s, a) lists its successors with their exact probabilities: the six
 * executed actions with (1 − slip)·[e = a] + slip/6, each followed by the C channels with 1/C on a TV cell.
 */
export function exportSymbolicMdp(world: SymbolicGrid): SymbolicMdp {
  const { map, options: o } = world;
  const { height: H, width: W, kind, arg, doorIndex, doorColour } = map;
  const nCells = H * W;
  const nA = SYMBOLIC_N_ACTIONS;
  const C = o.tvChannels;
  const nD = map.doorCells.length;
  const nL = map.landmarkCells.length;
  const allLandmarks = 2 ** nL - 1;
  // Neighbour table: the cell entered by moving in direction d (up, down, left, right) from a cell, −1 for a wall
  // or the map's edge. Doors are resolved at run time from the doors-opened mask.
  const step4 = [-W, W, -1, 1];
  const nbr = new Int32Array(nCells * 4).fill(-1);
  for (let cell = 0; cell < nCells; cell++) {
    const r = Math.floor(cell / W),
      c = cell % W;
    const inside = [r > 0, r < H - 1, c > 0, c < W - 1];
    for (let d = 0; d < 4; d++) {
      if (!inside[d]) continue;
      const t = cell + step4[d];
      if (kind[t] !== SYMBOLIC_CELL.wall) nbr[cell * 4 + d] = t;
    }
  }
  // Packed state: pos + nCells·(keys + 2^6·(doors + 2^nD·(landmarks + 2^nL·tv))).
  const bK = nCells,
    bD = bK * 2 ** MAX_COLOURS,
    bL = bD * 2 ** nD,
    bT = bL * 2 ** nL;
  const pack = (pos: number, keys: number, doors: number, lm: number, tv: number) =>
    pos + bK * keys + bD * doors + bL * lm + bT * tv;
  const isTrap = (pos: number, lm: number) =>
    kind[pos] === SYMBOLIC_CELL.lava ||
    (kind[pos] === SYMBOLIC_CELL.goal && (!o.goalNeedsAllLandmarks || lm === allLandmarks));
  const popcount = (x: number) => {
    let n = 0;
    for (; x; x &= x - 1) n++;
    return n;
  };

  const index = new Map<number, number>();
  const packedOf: number[] = [];
  const comps: number[][] = []; // [pos, keys, doors, lm, tv] per state
  const visit = (pos: number, keys: number, doors: number, lm: number, tv: number): number => {
    const p = pack(pos, keys, doors, lm, tv);
    let s = index.get(p);
    if (s === undefined) {
      s = packedOf.length;
      index.set(p, s);
      packedOf.push(p);
      comps.push([pos, keys, doors, lm, tv]);
    }
    return s;
  };
  visit(map.start, 0, 0, 0, 0);
  // Rows of (successor, probability) per (s, a), in state order; the successors' indices are final once visited.
  const rowSucc: number[][] = [];
  const rowProb: number[][] = [];
  const out = new Map<number, number>();
  const add = (s: number, p: number) => out.set(s, (out.get(s) ?? 0) + p);
  for (let s = 0; s < comps.length; s++) {
    const [pos, keys, doors, lm] = comps[s];
    const trapped = isTrap(pos, lm);
    for (let a = 0; a < nA; a++) {
      out.clear();
      if (trapped) add(s, 1);
      else
        for (let e = 0; e < nA; e++) {
          const p = (e === a ? 1 - o.slip : 0) + o.slip / nA;
          if (p <= 0) continue;
          let pos2 = pos,
            doors2 = doors;
          if (e < 4) {
            const t = nbr[pos * 4 + e];
            if (t >= 0 && (doorIndex[t] < 0 || (doors >> doorIndex[t]) & 1)) pos2 = t;
          } else if (e === A_OPEN) {
            for (let d = 0; d < 4; d++) {
              const t = nbr[pos * 4 + d];
              if (t >= 0 && doorIndex[t] >= 0 && (keys >> doorColour[doorIndex[t]]) & 1) doors2 |= 1 << doorIndex[t];
            }
          }
          const keys2 = kind[pos2] === SYMBOLIC_CELL.key ? keys | (1 << arg[pos2]) : keys;
          const lm2 = kind[pos2] === SYMBOLIC_CELL.landmark ? lm | (1 << arg[pos2]) : lm;
          if (kind[pos2] === SYMBOLIC_CELL.tv)
            for (let ch = 1; ch <= C; ch++) add(visit(pos2, keys2, doors2, lm2, ch), p / C);
          else add(visit(pos2, keys2, doors2, lm2, 0), p);
        }
      const succ = [...out.keys()].sort((x, y) => x - y);
      rowSucc.push(succ);
      rowProb.push(succ.map((x) => out.get(x) as number));
    }
  }
  const nS = comps.length;
  const rowPtr = new Int32Array(nS * nA + 1);
  for (let r = 0; r < nS * nA; r++) rowPtr[r + 1] = rowPtr[r] + rowSucc[r].length;
  const col = new Int32Array(rowPtr[nS * nA]);
  const prob = new Float64Array(rowPtr[nS * nA]);
  const entryReward = new Float64Array(rowPtr[nS * nA]);
  const reward = new Float64Array(nS * nA);
  const trap = new Uint8Array(nS);
  for (let s = 0; s < nS; s++) trap[s] = isTrap(comps[s][0], comps[s][3]) ? 1 : 0;
  const trapPay = (pos: number) => (kind[pos] === SYMBOLIC_CELL.goal ? o.goalReward : o.lavaReward);
  const transitionReward = (s: number, sp: number) => {
    if (trap[s]) return o.traps === 'continuing' ? trapPay(comps[s][0]) - o.stepCost : 0;
    let r = -o.stepCost + o.landmarkReward * popcount(comps[sp][3] & ~comps[s][3]);
    if (trap[sp]) r += trapPay(comps[sp][0]);
    return r;
  };
  for (let r = 0; r < nS * nA; r++) {
    const s = Math.floor(r / nA);
    for (let i = 0; i < rowSucc[r].length; i++) {
      const k = rowPtr[r] + i;
      col[k] = rowSucc[r][i];
      prob[k] = rowProb[r][i];
      entryReward[k] = transitionReward(s, col[k]);
      reward[r] += prob[k] * entryReward[k];
    }
  }
  const T: SparseTransitions = { nS, nA, rowPtr, col, prob };
  const init = new Float64Array(nS);
  init[0] = 1;
  const terminal = o.traps === 'terminal' ? Uint8Array.from(trap) : new Uint8Array(nS);
  const column = (j: number) => Int32Array.from(comps, (x) => x[j]);
  const [posA, keysA, doorsA, lmA, tvA] = [0, 1, 2, 3, 4].map(column);
  return {
    nS,
    nA,
    gamma: o.gamma,
    T,
    init,
    world,
    start: 0,
    terminal,
    trap,
    entryReward,
    reward,
    pos: posA,
    keys: keysA,
    doors: doorsA,
    landmarks: lmA,
    tv: tvA,
    stateOf: (s: number) => {
      if (!(Number.isInteger(s) && s >= 0 && s < nS))
        throw new RangeError(`SymbolicMdp.stateOf: state ${s} is not in 0..${nS - 1}`);
      return { pos: posA[s], keys: keysA[s], doors: doorsA[s], landmarks: lmA[s], tv: tvA[s] };
    },
    indexOf: (x: SymbolicState) => index.get(pack(x.pos, x.keys, x.doors, x.landmarks, x.tv)) ?? -1,
  };
}

/** The dense reward R(s, a, s') (length nS·nA·nS) of an exported MDP, for tools that need it (small worlds). */
export function symbolicDenseReward(mdp: SymbolicMdp): Float64Array {
  const { nS, nA, T } = mdp;
  const R = new Float64Array(nS * nA * nS);
  for (let r = 0; r < nS * nA; r++)
    for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) R[r * nS + T.col[k]] = mdp.entryReward[k];
  return R;
}

// ---------------------------------------------------------------------------------------------
// Rendering and presets
// ---------------------------------------------------------------------------------------------

/**
 * The map as text (the parser's glyphs; `parseSymbolicMap(renderSymbolicGrid(world))` gives the same map). With a
 * state: the agent is '@', picked-up keys are '.', opened doors '/', and a status line follows
 * (keys held, doors opened, landmarks visited, TV channel).
 */
export function renderSymbolicGrid(world: SymbolicGrid, state?: SymbolicState): string {
  const { map } = world;
  const lines: string[] = [];
  for (let r = 0; r < map.height; r++) {
    let line = '';
    for (let c = 0; c < map.width; c++) {
      const cell = r * map.width + c;
      const k = map.kind[cell];
      const a = map.arg[cell];
      let g = '.';
      if (state && cell === state.pos) g = '@';
      else if (cell === map.start && !state) g = 'S';
      else if (k === SYMBOLIC_CELL.wall) g = '#';
      else if (k === SYMBOLIC_CELL.goal) g = 'G';
      else if (k === SYMBOLIC_CELL.lava) g = 'L';
      else if (k === SYMBOLIC_CELL.tv) g = 'T';
      else if (k === SYMBOLIC_CELL.landmark) g = String(a);
      else if (k === SYMBOLIC_CELL.key) g = state && (state.keys >> a) & 1 ? '.' : String.fromCharCode(97 + a);
      else if (k === SYMBOLIC_CELL.door)
        g = state && (state.doors >> map.doorIndex[cell]) & 1 ? '/' : String.fromCharCode(65 + a);
      line += g;
    }
    lines.push(line);
  }
  if (state) {
    const held: string[] = [];
    for (let c = 0; c < MAX_COLOURS; c++) if ((state.keys >> c) & 1) held.push(String.fromCharCode(97 + c));
    let opened = 0;
    for (let d = 0; d < map.doorCells.length; d++) if ((state.doors >> d) & 1) opened++;
    const seen: number[] = [];
    for (let i = 0; i < map.landmarkCells.length; i++) if ((state.landmarks >> i) & 1) seen.push(i);
    lines.push(
      `keys: ${held.join(' ') || '-'} · doors open: ${opened}/${map.doorCells.length} · ` +
        `landmarks: ${seen.join(' ') || '-'} · tv: ${state.tv || 'off'}`,
    );
  }
  return lines.join('\n');
}

/** A named preset: its map and the options it is meant for (override any of them). */
export interface SymbolicPreset {
  readonly map: string;
  readonly options: SymbolicGridOptions;
  /** What the preset is for, and its slip-free optimal path length (checked by the tests against BFS). */
  readonly note: string;
  readonly shortestPath: number;
}

export const SYMBOLIC_PRESETS = {
  /** Key, then door, then goal: 3 moves to the key, 1 more, open, through the door, 2 to the goal = 8 steps. */
  'key-door-room': {
    map: ['#########', '#S..#...#', '#...#...#', '#.a.A.G.#', '#...#...#', '#########'].join('\n'),
    options: {},
    note: 'one red key, one red door in a wall between two rooms; 8 steps (pick up, open, pass, reach)',
    shortestPath: 8,
  },
  'two-key-corridor': {
    map: ['#############', '#S..#.b.#...#', '#.a.A...B.G.#', '#...#...#...#', '#############'].join('\n'),
    options: {},
    note: 'red key opens the first door, the green key behind it the second; 14 steps',
    shortestPath: 14,
  },
  'landmarks-tour': {
    map: ['#########', '#0.....1#', '#.......#', '#...S...#', '#.......#', '#2.....G#', '#########'].join('\n'),
    options: { goalNeedsAllLandmarks: true },
    note: 'the goal counts only after visiting landmarks 0, 1, 2 (any order); 19 steps (2, 0, 1, goal)',
    shortestPath: 19,
  },
  'noisy-tv-room': {
    map: ['#########', '#S......#', '#.......#', '#.......#', '#.......#', '#T.....G#', '#########'].join('\n'),
    options: {},
    note: 'an open room with a noisy TV in the corner away from the goal; 10 steps',
    shortestPath: 10,
  },
  'four-rooms-tv': {
    map: [
      '#############',
      '#S....#.....#',
      '#.....#..T..#',
      '#...........#',
      '#.....#.....#',
      '#.....#.....#',
      '##.####.....#',
      '#.....###.###',
      '#.....#.....#',
      '#.....#.....#',
      '#...........#',
      '#.....#....G#',
      '#############',
    ].join('\n'),
    options: {},
    note: "Sutton's four rooms with a noisy TV in the north-east room; 20 steps",
    shortestPath: 20,
  },
} as const satisfies Record<string, SymbolicPreset>;

export type SymbolicPresetName = keyof typeof SYMBOLIC_PRESETS;

/** A preset world, with `overrides` applied over the preset's options. */
export function symbolicPreset(name: SymbolicPresetName, overrides: SymbolicGridOptions = {}): SymbolicGrid {
  const p: SymbolicPreset | undefined = (SYMBOLIC_PRESETS as Record<string, SymbolicPreset>)[name];
  if (!p)
    throw new RangeError(
      `symbolicPreset: unknown preset '${String(name)}' (use ${Object.keys(SYMBOLIC_PRESETS).join(', ')})`,
    );
  return makeSymbolicGrid(p.map, { ...p.options, ...overrides });
}
