/**
 * Deterministic episodic MDPs with vector rewards (multi-objective MDPs), as finite tables.
 *
 * A `VectorMdp` has nS states, nA actions and nObj objectives; `next[s·nA + a]` is the successor of (s, a)
 * (−1: the episode ends after this transition) and `reward[(s·nA + a)·nObj + k]` the k-th reward component.
 * Episodes start in `start` and are truncated after `horizon` steps. Returns are undiscounted sums.
 *
 * Two standard benchmarks:
 * - Deep Sea Treasure (Vamplew et al. 2011, "Empirical evaluation methods for multiobjective reinforcement
 *   learning algorithms", Machine Learning 84): a submarine starts top-left of an 11 × 10 sea; ten treasures
 *   (1, 2, 3, 5, 8, 16, 24, 50, 74, 124) lie on a staircase sea floor; objectives (treasure, −1 per step);
 *   reaching a treasure ends the episode. Its Pareto front (10 points, one per treasure at its shortest path) is
 *   globally concave: linear scalarisation can reach only the two ends of it.
 * - Fruit Tree (Yang, Sun & Narasimhan 2019, "A generalized algorithm for multi-objective RL and policy
 *   adaptation", NeurIPS): a full binary tree of depth d; each leaf holds a vector of 6 nutrient values, paid
 *   on arrival. Here the leaf vectors are procedural (see `fruitTree`), not the published table.
 */
import { Rng } from '../../../core/rng';

export interface VectorMdp {
  nS: number;
  nA: number;
  nObj: number;
  start: number;
  /** Successor of (s, a), index s·nA + a; −1 ends the episode. */
  next: Int32Array;
  /** Reward vector of (s, a), index (s·nA + a)·nObj + k. */
  reward: Float64Array;
  /** Episodes are truncated after this many steps. */
  horizon: number;
  /** Objective names (length nObj). */
  objectives: string[];
}

/** Treasure values of Deep Sea Treasure, left to right (Vamplew et al. 2011). */
export const DST_TREASURES: readonly number[] = [1, 2, 3, 5, 8, 16, 24, 50, 74, 124];
/** Depth (row) of each treasure; the treasure of column c lies at (DST_DEPTHS[c], c), start at (0, 0). */
export const DST_DEPTHS: readonly number[] = [1, 2, 3, 4, 4, 4, 7, 7, 9, 10];

/** Grid movement deltas (row, column) of the four actions: up, down, left, right. */
const MOVES: readonly (readonly [number, number])[] = [
  [-1, 0],
  [1, 0],
  [0, -1],
  [0, 1],
];

/** A Deep Sea Treasure map: treasure value and depth per column (the sea floor is the rock below). */
export interface TreasureMap {
  treasures: readonly number[];
  depths: readonly number[];
}

/**
 * Deep Sea Treasure as a `VectorMdp` (objectives: treasure, time = −1 per step). Cells of column c above row
 * depths[c] are sea, (depths[c], c) holds the treasure, cells below are rock. Moves into rock or off the grid
 * leave the submarine in place (and still cost a step). Entering a treasure cell pays it and ends the episode.
 * States are the sea cells (treasure cells are terminal and need no state).
 * `map` defaults to the published map; a smaller map (fewer columns) serves brute-force tests.
 */
export function deepSeaTreasure(horizon = 25, map: TreasureMap = { treasures: DST_TREASURES, depths: DST_DEPTHS }) {
  const nCols = map.treasures.length;
  if (map.depths.length !== nCols) throw new RangeError('deepSeaTreasure: treasures and depths differ in length');
  const nRows = Math.max(...map.depths) + 1;
  const stateOf = new Int32Array(nRows * nCols).fill(-1);
  const cells: [number, number][] = [];
  for (let r = 0; r < nRows; r++)
    for (let c = 0; c < nCols; c++)
      if (r < map.depths[c]) {
        stateOf[r * nCols + c] = cells.length;
        cells.push([r, c]);
      }
  const nS = cells.length,
    nA = 4,
    nObj = 2;
  const next = new Int32Array(nS * nA);
  const reward = new Float64Array(nS * nA * nObj);
  for (let s = 0; s < nS; s++) {
    const [r, c] = cells[s];
    for (let a = 0; a < nA; a++) {
      const i = s * nA + a;
      reward[i * nObj + 1] = -1;
      const nr = r + MOVES[a][0],
        nc = c + MOVES[a][1];
      if (nr < 0 || nc < 0 || nc >= nCols || nr > map.depths[nc])
        next[i] = s; // off-grid or rock: stay
      else if (nr === map.depths[nc]) {
        next[i] = -1; // treasure: paid, episode ends
        reward[i * nObj] = map.treasures[nc];
      } else next[i] = stateOf[nr * nCols + nc];
    }
  }
  const mdp: VectorMdp = { nS, nA, nObj, start: stateOf[0], next, reward, horizon, objectives: ['treasure', 'time'] };
  return { mdp, cells, nRows, nCols };
}

/**
 * Fruit Tree of depth d with nObj nutrients: states are the 2^d − 1 inner nodes (node 0 the root, children of
 * node n are 2n + 1 and 2n + 2), actions left / right; choosing a child of a depth-(d−1) node pays that leaf's
 * vector and ends the episode (horizon d). Leaf vectors are procedural, drawn once from `rng`: a direction
 * uniform on the positive orthant of the unit sphere (|N(0, 1)| components, normalised) times a radius uniform
 * in [rMin, 1], times `scale`. With radius 1 for all leaves every leaf would be Pareto-optimal and supported
 * (a point of the sphere maximises w·x for w ∝ x); random radii put some Pareto-optimal leaves inside the convex
 * hull of the others, where no linear scalarisation reaches them.
 */
export function fruitTree(rng: Rng, depth = 6, nObj = 6, rMin = 0.5, scale = 10) {
  if (!(depth >= 1 && depth <= 12)) throw new RangeError(`fruitTree: depth must be in [1, 12], got ${depth}`);
  const nLeaves = 2 ** depth;
  const leaves: Float64Array[] = [];
  for (let l = 0; l < nLeaves; l++) {
    const v = new Float64Array(nObj);
    let n2 = 0;
    for (let k = 0; k < nObj; k++) {
      v[k] = Math.abs(rng.normal());
      n2 += v[k] * v[k];
    }
    const radius = rMin + (1 - rMin) * rng.uniform();
    for (let k = 0; k < nObj; k++) v[k] = (scale * radius * v[k]) / Math.sqrt(n2);
    leaves.push(v);
  }
  const nS = nLeaves - 1,
    nA = 2;
  const next = new Int32Array(nS * nA);
  const reward = new Float64Array(nS * nA * nObj);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      const child = 2 * s + 1 + a;
      const i = s * nA + a;
      if (child >= nS) {
        next[i] = -1;
        reward.set(leaves[child - nS], i * nObj);
      } else next[i] = child;
    }
  const objectives = Array.from({ length: nObj }, (_, k) => `nutrient ${k + 1}`);
  const mdp: VectorMdp = { nS, nA, nObj, start: 0, next, reward, horizon: depth, objectives };
  return { mdp, leaves };
}

/**
 * The return vector of the deterministic policy that takes `act(s, t)` in state s at step t, from `mdp.start`
 * (undiscounted, truncated at the horizon).
 */
export function deterministicReturn(mdp: VectorMdp, act: (s: number, t: number) => number): Float64Array {
  const ret = new Float64Array(mdp.nObj);
  let s = mdp.start;
  for (let t = 0; t < mdp.horizon && s >= 0; t++) {
    const i = s * mdp.nA + act(s, t);
    for (let k = 0; k < mdp.nObj; k++) ret[k] += mdp.reward[i * mdp.nObj + k];
    s = mdp.next[i];
  }
  return ret;
}
