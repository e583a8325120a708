/**
 * Finite-horizon (episodic, undiscounted) tabular MDPs, the setting of Laidlaw, Zhu, Russell & Dragan,
 * "The Effective Horizon Explains Deep RL Performance in Stochastic Environments", ICLR 2024
 * (arXiv:2312.08369), §2: states S, actions A, horizon T, transition p(s' | s, a), reward R(s, a) and an
 * initial distribution p_1(s); an episode is s_1, a_1, …, s_T, a_T and its return is Σ_t R(s_t, a_t).
 *
 * Storage: dense transitions P[(s·nA + a)·nS + s'] (the MDPs here have tens of states), expected reward
 * r[s·nA + a] (deterministic given (s, a)), initial distribution init[s]. Time-indexed arrays
 * (Q-functions, policies) are laid out as [t·nS·nA + s·nA + a] for t = 0 … T−1.
 */
import type { Rng } from '../../../core/rng';

export interface FiniteHorizonMdp {
  readonly nS: number;
  readonly nA: number;
  /** Horizon T (number of decisions per episode). */
  readonly T: number;
  /** Dense transitions, length nS·nA·nS; row (s, a) sums to 1. */
  readonly P: Float64Array;
  /** Reward R(s, a), length nS·nA. */
  readonly r: Float64Array;
  /** Initial distribution, length nS. */
  readonly init: Float64Array;
}

/** Throws unless every row of P and init is a probability distribution and the sizes agree. */
export function validateFiniteHorizonMdp(m: FiniteHorizonMdp): void {
  const { nS, nA, T, P, r, init } = m;
  if (!(nS >= 1 && nA >= 1 && T >= 1)) throw new RangeError(`FiniteHorizonMdp: bad sizes ${nS}×${nA}, T = ${T}`);
  if (P.length !== nS * nA * nS || r.length !== nS * nA || init.length !== nS)
    throw new RangeError('FiniteHorizonMdp: array lengths do not match nS, nA');
  const rowSum = (a: Float64Array, from: number, n: number) => {
    let s = 0;
    for (let i = from; i < from + n; i++) {
      if (!(a[i] >= 0)) throw new RangeError(`FiniteHorizonMdp: negative probability at ${i}`);
      s += a[i];
    }
    return s;
  };
  for (let row = 0; row < nS * nA; row++)
    if (Math.abs(rowSum(P, row * nS, nS) - 1) > 1e-9) throw new RangeError(`FiniteHorizonMdp: row ${row} of P`);
  if (Math.abs(rowSum(init, 0, nS) - 1) > 1e-9) throw new RangeError('FiniteHorizonMdp: init does not sum to 1');
}

/** Sample s' ~ p(· | s, a) from the dense row. */
export function sampleNextState(m: FiniteHorizonMdp, rng: Rng, s: number, a: number): number {
  const base = (s * m.nA + a) * m.nS;
  let u = rng.uniform();
  for (let sp = 0; sp < m.nS; sp++) {
    u -= m.P[base + sp];
    if (u < 0) return sp;
  }
  // Rounding: return the last successor with positive probability.
  for (let sp = m.nS - 1; sp >= 0; sp--) if (m.P[base + sp] > 0) return sp;
  return 0;
}

/** Sample s_1 ~ init. */
export function sampleInitialState(m: FiniteHorizonMdp, rng: Rng): number {
  return rng.categorical(m.init);
}

export interface RandomFiniteHorizonOptions {
  nS: number;
  nA: number;
  T: number;
  /** Successors per (s, a), probabilities Dirichlet(1). */
  branching: number;
  /** Fraction of (s, a) pairs that carry a reward U(0, 1); the others pay 0 (sparse rewards when small). */
  rewardDensity: number;
}

/** A random tabular MDP: start state 0, `branching` random successors per (s, a), sparse U(0, 1) rewards. */
export function randomFiniteHorizonMdp(rng: Rng, o: RandomFiniteHorizonOptions): FiniteHorizonMdp {
  const { nS, nA, T } = o;
  const P = new Float64Array(nS * nA * nS);
  const r = new Float64Array(nS * nA);
  const b = Math.min(o.branching, nS);
  for (let row = 0; row < nS * nA; row++) {
    const succ: number[] = [];
    while (succ.length < b) {
      const s = rng.int(nS);
      if (!succ.includes(s)) succ.push(s);
    }
    const w = rng.dirichlet(b, 1);
    for (let i = 0; i < b; i++) P[row * nS + succ[i]] += w[i];
    if (rng.uniform() < o.rewardDensity) r[row] = rng.uniform();
  }
  const init = new Float64Array(nS);
  init[0] = 1;
  return { nS, nA, T, P, r, init };
}

export interface SlipGridOptions {
  /** Side of the square grid. */
  size: number;
  T: number;
  /** Probability that a move goes in a uniformly random direction instead. */
  slip: number;
  /** Goal cell (row-major index); entering it pays 1 and ends the episode (absorbing, reward 0 after). */
  goal: number;
  /** Optional distractor cell paying `distractorReward` on entry (also absorbing). */
  distractor?: number;
  distractorReward?: number;
  /** Start cell. */
  start: number;
}

/**
 * A gridworld with slips: 4 actions (up, down, left, right), moves into a wall stay put; the goal and
 * the distractor are absorbing cells that pay their reward once (on the move that enters them), which
 * keeps returns in [0, 1]. State nS−1 is the absorbing "done" state.
 */
export function slipGridMdp(o: SlipGridOptions): FiniteHorizonMdp {
  const n = o.size * o.size;
  const nS = n + 1;
  const done = n;
  const nA = 4;
  const P = new Float64Array(nS * nA * nS);
  const r = new Float64Array(nS * nA);
  const deltas = [
    [-1, 0],
    [1, 0],
    [0, -1],
    [0, 1],
  ];
  const move = (c: number, d: number) => {
    const row = Math.floor(c / o.size) + deltas[d][0];
    const col = (c % o.size) + deltas[d][1];
    return row < 0 || row >= o.size || col < 0 || col >= o.size ? c : row * o.size + col;
  };
  const payoff = (c: number) =>
    c === o.goal ? 1 : o.distractor !== undefined && c === o.distractor ? (o.distractorReward ?? 0) : 0;
  const absorbing = (c: number) => c === o.goal || (o.distractor !== undefined && c === o.distractor);
  for (let s = 0; s < nS; s++)
    for (let a = 0; a < nA; a++) {
      const row = (s * nA + a) * nS;
      if (s === done || absorbing(s)) {
        P[row + done] = 1;
        continue;
      }
      for (let d = 0; d < nA; d++) {
        const p = (d === a ? 1 - o.slip : 0) + o.slip / nA;
        const c = move(s, d);
        P[row + c] += p;
        r[s * nA + a] += p * payoff(c);
      }
    }
  const init = new Float64Array(nS);
  init[o.start] = 1;
  return { nS, nA, T: o.T, P, r, init };
}
