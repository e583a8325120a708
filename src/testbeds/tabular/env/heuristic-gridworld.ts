/**
 * A gridworld with a sparse primary reward and designer heuristics (auxiliary rewards): the gridworld
 * of the BARFI paper (Gupta, Chandak, Jordan, Thomas & da Silva, "Behavior Alignment via Reward
 * Function Optimization", NeurIPS 2023, arXiv:2310.19007), made tabular.
 *
 * The official GridWorld (github.com/Dhawgupta/gupta2023behavior, barfi-gw/src/environments/Maze*.py)
 * is a unit square walked in steps of 0.2 (≈ a 5×5 grid): start bottom-left, goal top-right, primary
 * reward −0.1 per step and +100 on reaching the goal (which ends the episode), a 10% chance that the
 * action is replaced by a uniformly random one, and at most 50 steps per episode. Here: a size×size
 * grid of cells (default 5×5), s = y·size + x, start (0,0), goal (size−1, size−1) absorbing with
 * zero reward; actions 0 up, 1 right, 2 down, 3 left (moves into a wall leave the agent in place).
 *
 * Auxiliary (heuristic) rewards r_aux(s,a,s'), evaluated at the cell entered (as in the official
 * code), zero from the goal:
 *   helpful     −d(s')          (d = Manhattan distance to the goal; the official "good" heuristic is
 *                                a negative squared distance to the goal)
 *   distractor  +50·1[s' = c]   (c = the centre cell; the official "bad" heuristic: +50 per step in
 *                                the centre region, which the agent can farm by moving in and out)
 *   flipped     +d(s')          (the helpful heuristic with its sign flipped: rewards moving away)
 * Potential-based shaping (Ng, Harada & Russell 1999) uses the heuristic as the potential:
 *   Φ(s) = the heuristic's value on entering s (−d(s), 50·1[s = c], +d(s)); Φ(goal) = 0, so
 *   r_p + γΦ(s') − Φ(s) leaves the optimal policy of the discounted problem unchanged.
 */

import { fromDenseTransitions, type TabularEnv } from './mdp';
import { potentialShaping } from './shaping';

export const HEURISTICS = ['helpful', 'distractor', 'flipped'] as const;
export type Heuristic = (typeof HEURISTICS)[number];

export interface HeuristicGridworldOptions {
  size?: number;
  /** Probability that the chosen action is replaced by a uniformly random one (default 0.1). */
  slip?: number;
  stepReward?: number;
  goalReward?: number;
  distractorReward?: number;
  /** Maximum steps per episode (default 50). */
  horizon?: number;
  /** Discount of the learners' returns and of the shaping (default 0.99, as in the official configs). */
  gamma?: number;
}

export interface HeuristicGridworld {
  env: TabularEnv;
  size: number;
  start: number;
  goal: number;
  distractor: number;
  horizon: number;
  /** 1 at the goal (absorbing; episodes end on entering it). */
  terminal: Uint8Array;
  /** Primary reward r_p(s,a,s') (dense). */
  primary: Float64Array;
  /** Auxiliary rewards r_aux(s,a,s') (dense), by heuristic. */
  aux: Record<Heuristic, Float64Array>;
  /** Potential Φ(s) used for potential-based shaping, by heuristic. */
  potential: Record<Heuristic, Float64Array>;
  /** Manhattan distance of each cell to the goal. */
  distance: Int32Array;
}

/** Move (x, y) by action a (0 up, 1 right, 2 down, 3 left), staying put at walls. */
function move(size: number, s: number, a: number): number {
  const x = s % size,
    y = Math.floor(s / size);
  let nx = x,
    ny = y;
  if (a === 0) ny = y + 1;
  else if (a === 1) nx = x + 1;
  else if (a === 2) ny = y - 1;
  else nx = x - 1;
  if (nx < 0 || ny < 0 || nx >= size || ny >= size) return s;
  return ny * size + nx;
}

export function makeHeuristicGridworld(opts: HeuristicGridworldOptions = {}): HeuristicGridworld {
  const size = opts.size ?? 5;
  const slip = opts.slip ?? 0.1;
  const stepReward = opts.stepReward ?? -0.1;
  const goalReward = opts.goalReward ?? 100;
  const distractorReward = opts.distractorReward ?? 50;
  const horizon = opts.horizon ?? 50;
  const gamma = opts.gamma ?? 0.99;
  if (!(Number.isInteger(size) && size >= 3))
    throw new RangeError(`makeHeuristicGridworld: size must be an integer ≥ 3, got ${size}`);
  if (!(slip >= 0 && slip <= 1)) throw new RangeError(`makeHeuristicGridworld: slip must lie in [0, 1], got ${slip}`);
  const nS = size * size,
    nA = 4;
  const start = 0,
    goal = nS - 1;
  const c = Math.floor(size / 2);
  const distractor = c * size + c;
  const dense = new Float64Array(nS * nA * nS);
  for (let s = 0; s < nS; s++) {
    for (let a = 0; a < nA; a++) {
      const row = (s * nA + a) * nS;
      if (s === goal) {
        dense[row + s] = 1;
        continue;
      }
      for (let b = 0; b < nA; b++) {
        const p = (b === a ? 1 - slip : 0) + slip / nA;
        if (p > 0) dense[row + move(size, s, b)] += p;
      }
    }
  }
  const init = new Float64Array(nS);
  init[start] = 1;
  const env: TabularEnv = { nS, nA, gamma, T: fromDenseTransitions(nS, nA, dense), init };
  const distance = new Int32Array(nS);
  for (let s = 0; s < nS; s++) distance[s] = size - 1 - (s % size) + (size - 1 - Math.floor(s / size));
  const terminal = new Uint8Array(nS);
  terminal[goal] = 1;
  const sas = (f: (s: number, a: number, sp: number) => number) => {
    const R = new Float64Array(nS * nA * nS);
    for (let s = 0; s < nS; s++) {
      if (s === goal) continue;
      for (let a = 0; a < nA; a++) for (let sp = 0; sp < nS; sp++) R[(s * nA + a) * nS + sp] = f(s, a, sp);
    }
    return R;
  };
  const primary = sas((_s, _a, sp) => stepReward + (sp === goal ? goalReward : 0));
  const potential: Record<Heuristic, Float64Array> = {
    helpful: Float64Array.from(distance, (d) => -d),
    distractor: Float64Array.from({ length: nS }, (_, s) => (s === distractor ? distractorReward : 0)),
    flipped: Float64Array.from(distance, (d) => d),
  };
  const aux: Record<Heuristic, Float64Array> = {
    helpful: sas((_s, _a, sp) => potential.helpful[sp]),
    distractor: sas((_s, _a, sp) => potential.distractor[sp]),
    flipped: sas((_s, _a, sp) => potential.flipped[sp]),
  };
  return { env, size, start, goal, distractor, horizon, terminal, primary, aux, potential, distance };
}

/** r_p + γΦ(s') − Φ(s) with Φ = the heuristic's potential (zero at the goal). */
export function shapedPrimary(g: HeuristicGridworld, h: Heuristic): Float64Array {
  return potentialShaping(g.env, g.primary, g.potential[h]);
}

/** r_p + r_aux (the naive combination). */
export function naiveReward(g: HeuristicGridworld, h: Heuristic): Float64Array {
  const out = Float64Array.from(g.primary);
  const aux = g.aux[h];
  for (let i = 0; i < out.length; i++) out[i] += aux[i];
  return out;
}
