/**
 * Trajectory segments, segment pairs, and the two models of preferences between them.
 *
 * Knox, Hatgis-Kessell, Booth, Niekum, Stone & Allievi, "Models of human preference for learning
 * reward functions" (TMLR 2024, arXiv:2206.02231), §2–3, for segments σ = (s_0, a_0, s_1, …, s_L):
 * - partial-return model:  P(σ1 ≻ σ2) = logistic(β·(Σr(σ1) − Σr(σ2))), Σr(σ) = Σ_t r(s_t, a_t, s_{t+1});
 * - regret model:          P(σ1 ≻ σ2) = logistic(β·(regret(σ2) − regret(σ1))), with
 *     regret(σ) = −Σ_t γ^t A*_r(s_t, a_t)     (the general form, for stochastic transitions),
 *   which for deterministic transitions telescopes to V*(s_0) − (Σ_t γ^t r_t + γ^L V*(s_L)).
 * Hejna et al. (CPL, ICLR 2024, arXiv:2310.13639, Eq. 2) use the same regret model with the
 * maximum-entropy optimal advantage A* = α log π*.
 * Steps after a segment reaches a terminal (absorbing) state carry no reward and no advantage; a
 * segment's `len` counts its steps taken from non-terminal states.
 */
import type { Rng } from '../../../core/rng';
import { sigmoid } from '../../../math/softmax';
import { sampleEntry, type FeatureGridworld } from './gridworld';

/** n segments of (at most) L steps, flat row-major n × L arrays; steps t ≥ len[i] are padding (−1). */
export interface SegmentSet {
  readonly n: number;
  readonly L: number;
  /** State before step t. */
  readonly s: Int32Array;
  /** Action at step t. */
  readonly a: Int32Array;
  /** Transition entry of step t (its successor is T.col[k]; its features phiEntry[k]). */
  readonly k: Int32Array;
  /** Number of steps taken from non-terminal states (≤ L). */
  readonly len: Int32Array;
  /** First state s_0 and last state s_len of each segment. */
  readonly first: Int32Array;
  readonly last: Int32Array;
}

/** Pairs of segments (indices into one SegmentSet). */
export interface SegmentPairs {
  readonly i: Int32Array;
  readonly j: Int32Array;
}

/** How a behaviour picks actions: act(state, segment index, rng) → action. */
export type Behaviour = (s: number, seg: number, rng: Rng) => number;

/** Uniformly random actions (the authors' segment generator: random action sequences). */
export function uniformBehaviour(nA: number): Behaviour {
  return (_s, _i, rng) => rng.int(nA);
}

/**
 * A mixture behaviour: segment i follows policy π (row-major nS·nA) with probability 1 − ε_i and
 * a uniformly random action with probability ε_i, per step; ε_i from `epsilon(i)`.
 */
export function epsilonMixtureBehaviour(policy: Float64Array, nA: number, epsilon: (seg: number) => number): Behaviour {
  return (s, i, rng) => {
    if (rng.uniform() < epsilon(i)) return rng.int(nA);
    let u = rng.uniform();
    for (let a = 0; a < nA - 1; a++) {
      u -= policy[s * nA + a];
      if (u < 0) return a;
    }
    return nA - 1;
  };
}

/**
 * Sample n segments of L steps: start states uniformly over `starts` (default: the non-terminal
 * states), actions from the behaviour, transitions from τ; stops at a terminal state.
 */
export function sampleSegments(
  world: FeatureGridworld,
  rng: Rng,
  opts: { n: number; L: number; behaviour: Behaviour; starts?: Int32Array },
): SegmentSet {
  const { n, L } = opts;
  if (!(Number.isInteger(n) && n >= 1 && Number.isInteger(L) && L >= 1))
    throw new RangeError(`sampleSegments: n and L must be positive integers, got n = ${n}, L = ${L}`);
  const starts = opts.starts ?? world.startStates;
  const s = new Int32Array(n * L).fill(-1),
    a = new Int32Array(n * L).fill(-1),
    k = new Int32Array(n * L).fill(-1);
  const len = new Int32Array(n),
    first = new Int32Array(n),
    last = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let st = starts[rng.int(starts.length)];
    first[i] = st;
    let t = 0;
    for (; t < L && !world.terminal[st]; t++) {
      const act = opts.behaviour(st, i, rng);
      const e = sampleEntry(world, rng, st, act);
      s[i * L + t] = st;
      a[i * L + t] = act;
      k[i * L + t] = e;
      st = world.T.col[e];
    }
    len[i] = t;
    last[i] = st;
  }
  return { n, L, s, a, k, len, first, last };
}

/** Random pairs (i ≠ j) of segments out of n. */
export function randomPairs(rng: Rng, nSegments: number, nPairs: number): SegmentPairs {
  if (nSegments < 2) throw new RangeError(`randomPairs: need at least 2 segments, got ${nSegments}`);
  const i = new Int32Array(nPairs),
    j = new Int32Array(nPairs);
  for (let p = 0; p < nPairs; p++) {
    i[p] = rng.int(nSegments);
    let q = rng.int(nSegments - 1);
    if (q >= i[p]) q++;
    j[p] = q;
  }
  return { i, j };
}

/** Pairs (2p, 2p+1), p < nPairs, of a segment set: independent segments in every pair. */
export function consecutivePairs(nPairs: number): SegmentPairs {
  return {
    i: Int32Array.from({ length: nPairs }, (_, p) => 2 * p),
    j: Int32Array.from({ length: nPairs }, (_, p) => 2 * p + 1),
  };
}

/** The first m pairs (nested training sets). */
export function firstPairs(pairs: SegmentPairs, m: number): SegmentPairs {
  return { i: pairs.i.subarray(0, m), j: pairs.j.subarray(0, m) };
}

/** Σ_t g^t table[s_t·nA + a_t] per segment (g = within-segment discount; 1 = plain sum). */
export function segmentSums(segs: SegmentSet, table: ArrayLike<number>, nA: number, g = 1): Float64Array {
  const out = new Float64Array(segs.n);
  for (let i = 0; i < segs.n; i++) {
    let acc = 0,
      w = 1;
    for (let t = 0; t < segs.len[i]; t++) {
      const o = i * segs.L + t;
      acc += w * table[segs.s[o] * nA + segs.a[o]];
      w *= g;
    }
    out[i] = acc;
  }
  return out;
}

/** Partial return Σ_t g^t r(entry_t) per segment, from per-entry rewards (realised transitions). */
export function partialReturns(segs: SegmentSet, entryReward: ArrayLike<number>, g = 1): Float64Array {
  const out = new Float64Array(segs.n);
  for (let i = 0; i < segs.n; i++) {
    let acc = 0,
      w = 1;
    for (let t = 0; t < segs.len[i]; t++) {
      acc += w * entryReward[segs.k[i * segs.L + t]];
      w *= g;
    }
    out[i] = acc;
  }
  return out;
}

/** Σ_t g^t φ(entry_t) per segment, row-major n × nF (the partial-return features of a linear reward). */
export function segmentFeatureSums(world: FeatureGridworld, segs: SegmentSet, g = 1): Float64Array {
  const nF = world.nF;
  const out = new Float64Array(segs.n * nF);
  for (let i = 0; i < segs.n; i++) {
    let w = 1;
    for (let t = 0; t < segs.len[i]; t++) {
      const k = segs.k[i * segs.L + t];
      for (let f = 0; f < nF; f++) out[i * nF + f] += w * world.phiEntry[k * nF + f];
      w *= g;
    }
  }
  return out;
}

/** regret(σ) = −Σ_t γ^t A*(s_t, a_t) per segment (A* row-major nS·nA). */
export function segmentRegrets(segs: SegmentSet, A: ArrayLike<number>, nA: number, gamma: number): Float64Array {
  const G = segmentSums(segs, A, nA, gamma);
  for (let i = 0; i < G.length; i++) G[i] = -G[i];
  return G;
}

/** Logits z_p = β·(x[i_p] − x[j_p]) of "first preferred" for a per-segment score x. */
export function pairLogits(score: ArrayLike<number>, pairs: SegmentPairs, beta = 1): Float64Array {
  const z = new Float64Array(pairs.i.length);
  for (let p = 0; p < z.length; p++) z[p] = beta * (score[pairs.i[p]] - score[pairs.j[p]]);
  return z;
}

/** Partial-return model: P(σ_i ≻ σ_j) = logistic(β(Σr(σ_i) − Σr(σ_j))). */
export function partialReturnPreferenceProbabilities(
  partialReturn: ArrayLike<number>,
  pairs: SegmentPairs,
  beta = 1,
): Float64Array {
  return pairLogits(partialReturn, pairs, beta).map(sigmoid);
}

/** Regret model: P(σ_i ≻ σ_j) = logistic(β(regret(σ_j) − regret(σ_i))). */
export function regretPreferenceProbabilities(regret: ArrayLike<number>, pairs: SegmentPairs, beta = 1): Float64Array {
  const z = pairLogits(regret, pairs, beta);
  for (let p = 0; p < z.length; p++) z[p] = sigmoid(-z[p]);
  return z;
}

/**
 * Labels y = P̂(first preferred) from logits: 'stochastic' draws y ∈ {0, 1} from logistic(z);
 * 'noiseless' takes y = 1 if z > tieTol, 0 if z < −tieTol, ½ otherwise (the authors' code keeps
 * ties as ½); 'exact' returns y = logistic(z) itself (infinitely many labels per pair).
 */
export function labelsFromLogits(
  z: ArrayLike<number>,
  mode: 'stochastic' | 'noiseless' | 'exact',
  rng?: Rng,
  tieTol = 1e-9,
): Float64Array {
  const y = new Float64Array(z.length);
  for (let p = 0; p < z.length; p++) {
    if (mode === 'exact') y[p] = sigmoid(z[p]);
    else if (mode === 'noiseless') y[p] = z[p] > tieTol ? 1 : z[p] < -tieTol ? 0 : 0.5;
    else {
      if (!rng) throw new RangeError("labelsFromLogits: mode 'stochastic' needs an rng");
      y[p] = rng.uniform() < sigmoid(z[p]) ? 1 : 0;
    }
  }
  return y;
}
