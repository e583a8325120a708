/**
 * A slippery FrozenLake gridworld (the Gym `FrozenLake-v1` task that Yang et al., "Dichotomy of Control", ICLR 2023,
 * §6, use as their stochastic-transition benchmark, with its `no_slip_prob` knob as in the official code's
 * `FrozenLake-v1-<no_slip_prob>` environments, dice_rl suites): cells 'S' start, 'F' frozen, 'H' hole, 'G' goal.
 * Actions 0 left, 1 down, 2 right, 3 up (Gym's order). The intended move happens with probability `noSlip`, each of
 * the two perpendicular moves with probability (1 − noSlip)/2 (Gym's slippery lake: noSlip = 1/3, all three equal);
 * a move off the grid stays put. Entering 'G' pays 1, everything else 0; 'H' and 'G' are absorbing terminals.
 * Episodes are cut at a horizon (Gym: 100 steps), so a policy's value is its probability of reaching the goal within
 * the horizon (solvers/finite-horizon.ts, exact).
 */
import type { TabularEnv } from '../../tabular/env/mdp';
import type { OfflineMdp } from './tasks';

/** Gym's 4×4 map. */
export const FROZEN_LAKE_4X4: readonly string[] = ['SFFF', 'FHFH', 'FFFH', 'HFFG'];

export interface FrozenLakeSpec {
  map: readonly string[];
  /** Probability that the intended move happens (Gym slippery: 1/3). */
  noSlip: number;
  /** Discount for discounted learners (FQI); values reported by the finite-horizon evaluation are undiscounted. */
  gamma: number;
}

export interface FrozenLake extends OfflineMdp {
  readonly spec: FrozenLakeSpec;
  readonly width: number;
  readonly height: number;
  /** The goal state. */
  readonly goal: number;
}

const MOVES: readonly [number, number][] = [
  [0, -1], // left
  [1, 0], // down
  [0, 1], // right
  [-1, 0], // up
];

export function frozenLake(spec: FrozenLakeSpec): FrozenLake {
  const { map, noSlip, gamma } = spec;
  const height = map.length;
  const width = height ? map[0].length : 0;
  if (height < 1 || width < 1 || map.some((row) => row.length !== width))
    throw new RangeError('frozenLake: the map must be a non-empty rectangle of strings');
  if (!(noSlip >= 0 && noSlip <= 1)) throw new RangeError(`frozenLake: noSlip must lie in [0, 1], got ${noSlip}`);
  if (!(gamma >= 0 && gamma < 1)) throw new RangeError(`frozenLake: gamma must lie in [0, 1), got ${gamma}`);
  const nS = width * height,
    nA = 4;
  const kind = (s: number) => map[Math.floor(s / width)][s % width];
  const starts: number[] = [];
  let goal = -1;
  const terminal = new Uint8Array(nS);
  for (let s = 0; s < nS; s++) {
    const k = kind(s);
    if (!'SFHG'.includes(k)) throw new RangeError(`frozenLake: unknown cell '${k}' (use S, F, H, G)`);
    if (k === 'S') starts.push(s);
    if (k === 'G') goal = s;
    if (k === 'H' || k === 'G') terminal[s] = 1;
  }
  if (starts.length === 0 || goal < 0) throw new RangeError('frozenLake: the map needs an S and a G cell');
  const step = (s: number, dir: number): number => {
    const r = Math.floor(s / width) + MOVES[dir][0],
      c = (s % width) + MOVES[dir][1];
    return r < 0 || r >= height || c < 0 || c >= width ? s : r * width + c;
  };
  const rowPtr = new Int32Array(nS * nA + 1);
  const col: number[] = [],
    prob: number[] = [],
    entryReward: number[] = [];
  const reward = new Float64Array(nS * nA);
  const dense = new Float64Array(nS);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      const row = s * nA + a;
      dense.fill(0);
      if (terminal[s]) dense[s] = 1;
      else {
        dense[step(s, a)] += noSlip;
        dense[step(s, (a + 3) % 4)] += (1 - noSlip) / 2;
        dense[step(s, (a + 1) % 4)] += (1 - noSlip) / 2;
      }
      for (let sp = 0; sp < nS; sp++)
        if (dense[sp] > 0) {
          col.push(sp);
          prob.push(dense[sp]);
          const r = !terminal[s] && sp === goal ? 1 : 0;
          entryReward.push(r);
          reward[row] += dense[sp] * r;
        }
      rowPtr[row + 1] = col.length;
    }
  const init = new Float64Array(nS);
  for (const s of starts) init[s] = 1 / starts.length;
  const env: TabularEnv = {
    nS,
    nA,
    gamma,
    T: { nS, nA, rowPtr, col: Int32Array.from(col), prob: Float64Array.from(prob) },
    init,
  };
  return { env, reward, entryReward: Float64Array.from(entryReward), terminal, spec, width, height, goal };
}
