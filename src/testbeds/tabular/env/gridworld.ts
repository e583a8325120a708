/**
 * Gridworlds with cell features, terminal cells and slips, as finite MDPs on typed arrays.
 *
 * The layout follows the "delivery" domain of Knox, Hatgis-Kessell, Booth, Niekum, Stone & Allievi,
 * "Models of human preference for learning reward functions" (TMLR 2024, arXiv:2206.02231, §4 and
 * the random-MDP generator of the authors' code, github.com/Stephanehk/Regret_Based_Reward_Learning,
 * Reward_Learning/generate_random_mdp.py): a grid of cells, each empty or holding a goal (terminal),
 * a sheep (terminal), a coin, a roadblock, mud, or a house (blocked, cannot be entered). Four actions
 * (up, down, left, right); a move off the grid or into a house leaves the agent in place.
 *
 * Reward features of a transition (s, a, s') — a linear reward is r = w·φ:
 *   0 alive      1 on every transition from a non-terminal cell
 *   1 goal       entering a goal cell
 *   2 sheep      entering a sheep cell
 *   3 coin       entering a coin cell
 *   4 roadblock  entering a roadblock cell
 *   5 mud        entering a mud cell, or staying in place in a mud cell
 * Terminal cells (goal, sheep) are absorbing: every action stays, with all features 0, so every
 * reward is 0 after termination (an episodic task written as an infinite-horizon MDP).
 * With `traps: 'continuing'` the goal and sheep cells are absorbing but not terminal: the agent stays
 * and collects alive + goal (or sheep) features every step (a continuing, fixed-horizon-free task;
 * no state is terminal).
 * The authors' code codes the same rewards with a "step" feature on empty, coin and roadblock
 * cells; w here is the same reward written with an always-on `alive` feature (w_goal = goal reward
 * + 1 etc., see `knoxRewardWeights`).
 *
 * Slips: with probability `slip` the executed action is drawn uniformly from all four actions (so
 * the intended move happens with probability 1 − slip + slip/4). φ(s, a, s') depends only on
 * (s, s'), so successors reached by several executed actions merge into one CSR entry.
 */
import type { Rng } from '../../../core/rng';
import type { SparseTransitions, TabularEnv } from './mdp';

export const CELL = { empty: 0, goal: 1, sheep: 2, coin: 3, roadblock: 4, mud: 5, house: 6 } as const;
export type CellKind = keyof typeof CELL;
export const CELL_NAMES: readonly CellKind[] = ['empty', 'goal', 'sheep', 'coin', 'roadblock', 'mud', 'house'];
export const FEATURE_NAMES = ['alive', 'goal', 'sheep', 'coin', 'roadblock', 'mud'] as const;
export const N_FEATURES = FEATURE_NAMES.length;
/** Action a moves by (dRow, dCol) = ACTION_DELTAS[a]: up, down, left, right. */
export const ACTION_DELTAS: readonly (readonly [number, number])[] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
];
export const ACTION_NAMES = ['up', 'down', 'left', 'right'] as const;

export interface GridSpec {
  height: number;
  width: number;
  /** Cell kinds, row-major (length height·width), values of CELL. */
  cells: ArrayLike<number>;
  gamma: number;
  /** Probability that the executed action is uniformly random (default 0: deterministic). */
  slip?: number;
  /**
   * 'terminal' (default): goal and sheep cells end the episode; 'continuing': they are absorbing traps that keep
   * paying.
   */
  traps?: 'terminal' | 'continuing';
}

/** A gridworld MDP: the environment plus its cell layout and transition features. */
export interface FeatureGridworld extends TabularEnv {
  readonly height: number;
  readonly width: number;
  readonly slip: number;
  readonly cells: Int8Array;
  /** Grid cell (row·width + col) of each state. */
  readonly stateCell: Int32Array;
  /** State of each grid cell, −1 for houses. */
  readonly cellState: Int32Array;
  /** 1 for terminal (absorbing, zero-reward) states. */
  readonly terminal: Uint8Array;
  /** 1 for goal and sheep cells (terminal, or continuing traps). */
  readonly trap: Uint8Array;
  /** States that are not traps (the start states of episodes and segments; μ₀ is uniform over them). */
  readonly startStates: Int32Array;
  readonly nF: number;
  /** φ of every stored transition entry k (aligned with T.col / T.prob), row-major nnz × nF. */
  readonly phiEntry: Float64Array;
  /** Expected features φ̄(s,a) = Σ_{s'} τ(s,a,s') φ(s,a,s'), row-major (nS·nA) × nF. */
  readonly phiSA: Float64Array;
  /** Deterministic successor of (s, a) (index s·nA + a) when slip = 0, else null. */
  readonly next: Int32Array | null;
}

function isTerminalKind(k: number): boolean {
  return k === CELL.goal || k === CELL.sheep;
}

/** Build a gridworld MDP from a layout. Throws if there is no non-terminal cell. */
export function makeGridworld(spec: GridSpec): FeatureGridworld {
  const { height, width, gamma } = spec;
  const slip = spec.slip ?? 0;
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1)
    throw new RangeError(`makeGridworld: height and width must be positive integers, got ${height}×${width}`);
  if (spec.cells.length !== height * width)
    throw new RangeError(
      `makeGridworld: cells has length ${spec.cells.length}, expected height·width = ${height * width}`,
    );
  if (!(gamma >= 0 && gamma < 1)) throw new RangeError(`makeGridworld: gamma must lie in [0, 1), got ${gamma}`);
  if (!(slip >= 0 && slip <= 1)) throw new RangeError(`makeGridworld: slip must lie in [0, 1], got ${slip}`);
  const cells = Int8Array.from(spec.cells as ArrayLike<number>);
  for (let i = 0; i < cells.length; i++)
    if (!(cells[i] >= 0 && cells[i] <= CELL.house))
      throw new RangeError(`makeGridworld: cell ${i} has unknown kind ${cells[i]} (use CELL.*)`);
  const cellState = new Int32Array(height * width).fill(-1);
  const stateCellList: number[] = [];
  for (let c = 0; c < height * width; c++)
    if (cells[c] !== CELL.house) {
      cellState[c] = stateCellList.length;
      stateCellList.push(c);
    }
  const nS = stateCellList.length;
  const nA = 4;
  const nF = N_FEATURES;
  const stateCell = Int32Array.from(stateCellList);
  const continuing = (spec.traps ?? 'terminal') === 'continuing';
  const trap = new Uint8Array(nS);
  for (let s = 0; s < nS; s++) trap[s] = isTerminalKind(cells[stateCell[s]]) ? 1 : 0;
  const terminal = continuing ? new Uint8Array(nS) : Uint8Array.from(trap);
  const startList: number[] = [];
  for (let s = 0; s < nS; s++) if (!trap[s]) startList.push(s);
  if (startList.length === 0)
    throw new RangeError('makeGridworld: every cell is terminal or a house; there is no start state');

  // Intended successor of each (s, executed action).
  const move = new Int32Array(nS * nA);
  for (let s = 0; s < nS; s++) {
    const c = stateCell[s];
    const row = Math.floor(c / width),
      col = c % width;
    for (let a = 0; a < nA; a++) {
      if (trap[s]) {
        move[s * nA + a] = s;
        continue;
      }
      const r2 = row + ACTION_DELTAS[a][0],
        c2 = col + ACTION_DELTAS[a][1];
      let sp = s;
      if (r2 >= 0 && r2 < height && c2 >= 0 && c2 < width) {
        const t = cellState[r2 * width + c2];
        if (t >= 0) sp = t;
      }
      move[s * nA + a] = sp;
    }
  }
  const feat = (s: number, sp: number, out: Float64Array, off: number): void => {
    for (let f = 0; f < nF; f++) out[off + f] = 0;
    if (terminal[s]) return;
    out[off] = 1; // alive
    const kind = cells[stateCell[sp]];
    if (sp === s && !trap[s]) {
      if (kind === CELL.mud) out[off + 5] = 1;
      return;
    }
    if (kind === CELL.goal) out[off + 1] = 1;
    else if (kind === CELL.sheep) out[off + 2] = 1;
    else if (kind === CELL.coin) out[off + 3] = 1;
    else if (kind === CELL.roadblock) out[off + 4] = 1;
    else if (kind === CELL.mud) out[off + 5] = 1;
  };

  const rowPtr = new Int32Array(nS * nA + 1);
  const cols: number[] = [];
  const probs: number[] = [];
  const tmp = new Map<number, number>();
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      tmp.clear();
      if (trap[s]) tmp.set(s, 1);
      else {
        for (let e = 0; e < nA; e++) {
          const p = (e === a ? 1 - slip : 0) + slip / nA;
          if (p <= 0) continue;
          const sp = move[s * nA + e];
          tmp.set(sp, (tmp.get(sp) ?? 0) + p);
        }
      }
      const succ = [...tmp.keys()].sort((x, y) => x - y);
      for (const sp of succ) {
        cols.push(sp);
        probs.push(tmp.get(sp) as number);
      }
      rowPtr[s * nA + a + 1] = cols.length;
    }
  }
  const col = Int32Array.from(cols);
  const prob = Float64Array.from(probs);
  const nnz = col.length;
  const phiEntry = new Float64Array(nnz * nF);
  const phiSA = new Float64Array(nS * nA * nF);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const r = s * nA + a;
      for (let k = rowPtr[r]; k < rowPtr[r + 1]; k++) {
        feat(s, col[k], phiEntry, k * nF);
        for (let f = 0; f < nF; f++) phiSA[r * nF + f] += prob[k] * phiEntry[k * nF + f];
      }
    }
  }
  const T: SparseTransitions = { nS, nA, rowPtr, col, prob };
  const init = new Float64Array(nS);
  for (const s of startList) init[s] = 1 / startList.length;
  let next: Int32Array | null = null;
  if (slip === 0) {
    next = new Int32Array(nS * nA);
    for (let r = 0; r < nS * nA; r++) next[r] = col[rowPtr[r]];
  }
  return {
    nS,
    nA,
    gamma,
    T,
    init,
    height,
    width,
    slip,
    cells,
    stateCell,
    cellState,
    terminal,
    trap,
    startStates: Int32Array.from(startList),
    nF,
    phiEntry,
    phiSA,
    next,
  };
}

/** Expected reward r̄(s,a) = w·φ̄(s,a) (length nS·nA; accepted by the solvers as an expected reward). */
export function gridReward(world: FeatureGridworld, w: ArrayLike<number>): Float64Array {
  const { nS, nA, nF, phiSA } = world;
  if (w.length !== nF)
    throw new RangeError(`gridReward: w has length ${w.length}, expected ${nF} (${FEATURE_NAMES.join(', ')})`);
  const r = new Float64Array(nS * nA);
  for (let i = 0; i < nS * nA; i++) {
    let acc = 0;
    for (let f = 0; f < nF; f++) acc += phiSA[i * nF + f] * w[f];
    r[i] = acc;
  }
  return r;
}

/** Reward of every stored transition entry, w·φ(s,a,s') (aligned with T.col). */
export function entryRewards(world: FeatureGridworld, w: ArrayLike<number>): Float64Array {
  const { nF, phiEntry } = world;
  const n = world.T.col.length;
  const r = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let acc = 0;
    for (let f = 0; f < nF; f++) acc += phiEntry[k * nF + f] * w[f];
    r[k] = acc;
  }
  return r;
}

/** Sample the transition entry k of (s, a) (its successor is T.col[k]). */
export function sampleEntry(world: FeatureGridworld, rng: Rng, s: number, a: number): number {
  const { rowPtr, prob } = world.T;
  const r = s * world.nA + a;
  const lo = rowPtr[r],
    hi = rowPtr[r + 1];
  if (hi - lo === 1) return lo;
  let u = rng.uniform();
  for (let k = lo; k < hi - 1; k++) {
    u -= prob[k];
    if (u < 0) return k;
  }
  return hi - 1;
}

/**
 * Gold reward weights (alive-coded) for the per-transition rewards of the authors' random delivery
 * MDPs: entering an empty cell −1, a coin cell 0 (−1 + 1), a roadblock −1 + roadblock, the goal `goal`,
 * a sheep `sheep`, mud `mud`; bumping in place −1 (mud: `mud`).
 */
export function knoxRewardWeights(r: { goal: number; sheep: number; roadblock: number; mud?: number }): Float64Array {
  const mud = r.mud ?? -1;
  return Float64Array.from([-1, r.goal + 1, r.sheep + 1, 1, r.roadblock, mud + 1]);
}

export interface DeliveryOptions {
  heights?: readonly number[];
  widths?: readonly number[];
  sheepFractions?: readonly number[];
  roadblockFractions?: readonly number[];
  coinFractions?: readonly number[];
  mudFractions?: readonly number[];
  goalRewards?: readonly number[];
  sheepRewards?: readonly number[];
  roadblockRewards?: readonly number[];
  mudRewards?: readonly number[];
  gamma?: number;
  slip?: number;
}

/** The choices of the authors' `generate_MDP` (mud disabled there, as here by default). */
export const KNOX_DELIVERY_DEFAULTS: Required<DeliveryOptions> = {
  heights: [3, 6, 10, 15],
  widths: [5, 6, 10],
  sheepFractions: [0, 0.1, 0.3],
  roadblockFractions: [0, 0.1, 0.5, 0.8],
  coinFractions: [0, 0.1, 0.2],
  mudFractions: [0],
  goalRewards: [0, 1, 5, 10, 50],
  sheepRewards: [-5, -10, -50, -100],
  roadblockRewards: [-2, -5, -10],
  mudRewards: [-1, -2, -3],
  gamma: 0.999,
  slip: 0,
};

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)];
}

/**
 * A random delivery gridworld and its gold reward weights, drawn as in the authors'
 * `generate_MDP`: grid size, fractions of sheep / roadblock / coin cells (re-drawn while they sum
 * to ≥ 1), each placed on random empty cells, then one goal on a uniformly random cell (it may
 * replace another item), and rewards drawn from the lists of options.
 */
export function randomDeliveryWorld(
  rng: Rng,
  opts: DeliveryOptions = {},
): { world: FeatureGridworld; w: Float64Array; spec: GridSpec } {
  const o = { ...KNOX_DELIVERY_DEFAULTS, ...opts };
  const height = pick(rng, o.heights),
    width = pick(rng, o.widths);
  const n = height * width;
  const cells = new Int8Array(n);
  const place = (kind: number, count: number) => {
    let free = 0;
    for (let i = 0; i < n; i++) if (cells[i] === CELL.empty) free++;
    count = Math.min(count, free);
    for (let k = 0; k < count; k++) {
      let c = rng.int(n);
      while (cells[c] !== CELL.empty) c = rng.int(n);
      cells[c] = kind;
    }
  };
  const sheepF = pick(rng, o.sheepFractions);
  let rbF = pick(rng, o.roadblockFractions);
  while (sheepF + rbF >= 1) rbF = pick(rng, o.roadblockFractions);
  let coinF = pick(rng, o.coinFractions);
  while (sheepF + rbF + coinF >= 1) coinF = pick(rng, o.coinFractions);
  let mudF = pick(rng, o.mudFractions);
  while (sheepF + rbF + coinF + mudF >= 1) mudF = pick(rng, o.mudFractions);
  place(CELL.sheep, Math.floor(sheepF * n));
  place(CELL.roadblock, Math.floor(rbF * n));
  place(CELL.coin, Math.floor(coinF * n));
  place(CELL.mud, Math.floor(mudF * n));
  cells[rng.int(n)] = CELL.goal;
  const w = knoxRewardWeights({
    goal: pick(rng, o.goalRewards),
    sheep: pick(rng, o.sheepRewards),
    roadblock: pick(rng, o.roadblockRewards),
    mud: pick(rng, o.mudRewards),
  });
  const spec: GridSpec = { height, width, cells, gamma: o.gamma, slip: o.slip };
  return { world: makeGridworld(spec), w, spec };
}

/** A text picture of the layout (G goal, S sheep, c coin, # roadblock, ~ mud, H house, . empty). */
export function renderGrid(world: FeatureGridworld): string {
  const glyph = ['.', 'G', 'S', 'c', '#', '~', 'H'];
  const lines: string[] = [];
  for (let r = 0; r < world.height; r++) {
    let line = '';
    for (let c = 0; c < world.width; c++) line += glyph[world.cells[r * world.width + c]];
    lines.push(line);
  }
  return lines.join('\n');
}
