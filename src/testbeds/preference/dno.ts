/**
 * Direct Nash Optimization (Rosset et al. 2024), tabular, plus the minimal reward-model and DPO
 * pieces its baselines need.
 *
 * DNO (Algorithm 1, the theoretical version): with r_t(x, y) = P(y ≻ π_t | x) (the win rate of y
 * against the current policy), π_{t+1} minimises the soft-label contrastive regression
 *
 *   −E_{(x, y1, y2)} [ σ(r_t(y1) − r_t(y2))·log σ(η·[log π/π_t](y1) − η·[log π/π_t](y2)) + (1 ↔ 2) ],
 *
 * whose minimiser is π_{t+1} ∝ π_t·exp(r_t/η) (soft policy iteration); the algorithm returns the
 * average of the iterates. DNO-Prct (Algorithm 2, the practical version): each iteration samples K
 * responses per prompt from π_t (plus one from a fixed teacher), annotates all pairs with the
 * preference oracle, keeps the largest-margin pair (best vs worst estimated win rate, if the
 * margin is large enough) and takes a DPO step with the previous iterate π_t as the reference.
 *
 * Minimal baselines kept here (the testbed's DPO family — bt-reward.ts, dpo.ts — is built
 * separately): a Bradley–Terry reward fit by Newton's method on weighted, soft-labelled
 * comparisons, and gradient descent on the DPO loss of tabular logits.
 */
import type { Rng } from '../../core/rng';
import { pIndex, sigmoid, type PreferenceGame, type PreferencePairs } from './game';
import { preferenceAgainst } from './nash';
import { softmaxPolicy, sampleResponse, type TabularPolicy } from './policies';

/* ------------------------------------------------------------------ Bradley–Terry (minimal) */

/** Comparisons (x, i, j) with weight w and label p = probability that i won (1 for a hard label). */
export interface Comparisons {
  n: number;
  x: Int32Array;
  i: Int32Array;
  j: Int32Array;
  w: Float64Array;
  p: Float64Array;
}

export function comparisonsFromPairs(pairs: PreferencePairs): Comparisons {
  const n = pairs.n;
  return { n, x: pairs.x, i: pairs.yw, j: pairs.yl, w: new Float64Array(n).fill(1), p: new Float64Array(n).fill(1) };
}

/** Every ordered pair (y, y') with y < y', weighted by s(y|x)·s(y'|x), soft-labelled by P: the population data of sampler s. */
export function populationComparisons(g: PreferenceGame, sampler: TabularPolicy): Comparisons {
  const { nX, nY } = g;
  const m = (nX * nY * (nY - 1)) / 2;
  const c: Comparisons = {
    n: m,
    x: new Int32Array(m),
    i: new Int32Array(m),
    j: new Int32Array(m),
    w: new Float64Array(m),
    p: new Float64Array(m),
  };
  let k = 0;
  for (let x = 0; x < nX; x++)
    for (let y = 0; y < nY; y++)
      for (let z = y + 1; z < nY; z++) {
        c.x[k] = x;
        c.i[k] = y;
        c.j[k] = z;
        c.w[k] = sampler.probs[x * nY + y] * sampler.probs[x * nY + z];
        c.p[k] = g.P[pIndex(nY, x, y, z)];
        k++;
      }
  return c;
}

/** Solve A·v = b in place for a symmetric positive-definite n×n A (Cholesky); returns v in b. */
export function solveSPD(A: Float64Array, b: Float64Array, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    let d = A[j * n + j];
    for (let k = 0; k < j; k++) d -= A[j * n + k] * A[j * n + k];
    if (!(d > 0)) throw new RangeError(`solveSPD: matrix is not positive definite (pivot ${d} at ${j})`);
    const l = Math.sqrt(d);
    A[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = A[i * n + j];
      for (let k = 0; k < j; k++) s -= A[i * n + k] * A[j * n + k];
      A[i * n + j] = s / l;
    }
  }
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= A[i * n + k] * b[k];
    b[i] = s / A[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= A[k * n + i] * b[k];
    b[i] = s / A[i * n + i];
  }
  return b;
}

/**
 * Minimal Bradley–Terry fit: per context, r minimises Σ w·CE(p, σ(r_i − r_j)) + (l2/2)·‖r‖²
 * (Newton's method to a gradient norm of 1e-10). With l2 > 0 the solution is unique and has mean 0
 * in each context; with noiseless data from a BT model and l2 → 0 it recovers r up to a constant.
 */
export function fitBradleyTerryMinimal(nX: number, nY: number, c: Comparisons, l2 = 1e-6): Float64Array {
  if (!(l2 > 0))
    throw new RangeError(`fitBradleyTerryMinimal: l2 must be > 0 (it fixes the additive constant), got ${l2}`);
  const byX: number[][] = Array.from({ length: nX }, () => []);
  for (let k = 0; k < c.n; k++) {
    if (c.x[k] < 0 || c.x[k] >= nX)
      throw new RangeError(`fitBradleyTerryMinimal: comparison ${k} has context ${c.x[k]} outside [0, ${nX})`);
    byX[c.x[k]].push(k);
  }
  const r = new Float64Array(nX * nY);
  const H = new Float64Array(nY * nY);
  const gr = new Float64Array(nY);
  for (let x = 0; x < nX; x++) {
    const rx = r.subarray(x * nY, (x + 1) * nY);
    for (let it = 0; it < 200; it++) {
      H.fill(0);
      for (let a = 0; a < nY; a++) {
        gr[a] = l2 * rx[a];
        H[a * nY + a] = l2;
      }
      for (const k of byX[x]) {
        const i = c.i[k],
          j = c.j[k];
        if (i === j) continue;
        const s = sigmoid(rx[i] - rx[j]);
        const gk = c.w[k] * (s - c.p[k]);
        gr[i] += gk;
        gr[j] -= gk;
        const h = c.w[k] * s * (1 - s);
        H[i * nY + i] += h;
        H[j * nY + j] += h;
        H[i * nY + j] -= h;
        H[j * nY + i] -= h;
      }
      let gn = 0;
      for (let a = 0; a < nY; a++) gn = Math.max(gn, Math.abs(gr[a]));
      if (gn < 1e-10) break;
      const step = solveSPD(H, Float64Array.from(gr), nY);
      for (let a = 0; a < nY; a++) rx[a] -= step[a];
    }
  }
  return r;
}

/* ------------------------------------------------------------------ DPO (minimal) */

/** Pairs for a contrastive update: (x, preferred, dispreferred). */
export interface ContrastPairs {
  n: number;
  x: Int32Array;
  yw: Int32Array;
  yl: Int32Array;
}

export interface DpoStepOptions {
  /** KL strength β of the DPO loss −log σ(β·[(log π/π_ref)(y_w) − (log π/π_ref)(y_l)]). */
  beta: number;
  /** Full-batch gradient-descent steps on the logits. */
  steps: number;
  /** Step size, in units of 1/β² (so the update does not depend on the scale of β): lr = lrScale/β². */
  lrScale: number;
}

/**
 * Gradient descent on the DPO loss (Rafailov et al. 2023, eq. 7) of tabular logits θ (in place),
 * each context's loss being the mean over its pairs; refLogp is log π_ref. Only differences
 * θ(y_w) − θ(y_l) enter the loss, so the softmax normaliser cancels.
 */
export function dpoGradientSteps(
  theta: Float64Array,
  refLogp: Float64Array,
  nY: number,
  pairs: ContrastPairs,
  o: DpoStepOptions,
): void {
  if (!(o.beta > 0)) throw new RangeError(`dpoGradientSteps: beta must be > 0, got ${o.beta}`);
  const nX = theta.length / nY;
  const count = new Float64Array(nX);
  for (let k = 0; k < pairs.n; k++) count[pairs.x[k]]++;
  const lr = o.lrScale / (o.beta * o.beta);
  const grad = new Float64Array(theta.length);
  for (let s = 0; s < o.steps; s++) {
    grad.fill(0);
    for (let k = 0; k < pairs.n; k++) {
      const x = pairs.x[k],
        w = x * nY + pairs.yw[k],
        l = x * nY + pairs.yl[k];
      if (w === l) continue;
      const z = o.beta * (theta[w] - refLogp[w] - (theta[l] - refLogp[l]));
      const gk = (-o.beta * (1 - sigmoid(z))) / count[x];
      grad[w] += gk;
      grad[l] -= gk;
    }
    for (let i = 0; i < theta.length; i++) theta[i] -= lr * grad[i];
  }
}

/** Mean DPO loss over the pairs (for diagnostics and tests). */
export function dpoLoss(
  theta: Float64Array,
  refLogp: Float64Array,
  nY: number,
  pairs: ContrastPairs,
  beta: number,
): number {
  let s = 0;
  for (let k = 0; k < pairs.n; k++) {
    const x = pairs.x[k],
      w = x * nY + pairs.yw[k],
      l = x * nY + pairs.yl[k];
    const z = beta * (theta[w] - refLogp[w] - (theta[l] - refLogp[l]));
    s += z >= 0 ? Math.log1p(Math.exp(-z)) : -z + Math.log1p(Math.exp(z));
  }
  return pairs.n > 0 ? s / pairs.n : 0;
}

/* ------------------------------------------------------------------ DNO */

/**
 * DNO Algorithm 1's soft-label regression loss for one context-free batch of weighted pairs
 * (y1, y2) under policy logits θ, previous iterate log π_t and win rates r_t (for tests: its
 * minimiser is π ∝ π_t·exp(r_t/η)).
 */
export function dnoRegressionLoss(
  theta: Float64Array,
  logPiT: Float64Array,
  r: Float64Array,
  eta: number,
  pairs: { x: Int32Array; i: Int32Array; j: Int32Array; w: Float64Array; n: number },
  nY: number,
): number {
  let s = 0;
  for (let k = 0; k < pairs.n; k++) {
    const a = pairs.x[k] * nY + pairs.i[k],
      b = pairs.x[k] * nY + pairs.j[k];
    const z = eta * (theta[a] - logPiT[a] - (theta[b] - logPiT[b]));
    const t = sigmoid(r[a] - r[b]);
    const ls = (v: number) => (v >= 0 ? -Math.log1p(Math.exp(-v)) : v - Math.log1p(Math.exp(v)));
    s -= pairs.w[k] * (t * ls(z) + (1 - t) * ls(-z));
  }
  return s;
}

/** DNO Algorithm 1's exact update (the regression's population minimiser): π_{t+1} ∝ π_t·exp(P(y ≻ π_t)/η). */
export function dnoExactStep(g: PreferenceGame, pi: TabularPolicy, eta: number): TabularPolicy {
  if (!(eta > 0)) throw new RangeError(`dnoExactStep: η must be > 0, got ${eta}`);
  const r = preferenceAgainst(g, pi);
  const l = new Float64Array(r.length);
  for (let i = 0; i < l.length; i++) l[i] = Math.log(pi.probs[i]) + r[i] / eta;
  return softmaxPolicy(pi.nX, pi.nY, l);
}

/** How the candidates of one iteration are labelled. */
export interface CandidateRound {
  /** Candidates per context (nX × m): K policy samples, then the teacher's (if any). */
  cand: Int32Array;
  m: number;
  /** Estimated win rate of each candidate against the other candidates (nX × m). */
  winRate: Float64Array;
}

/**
 * Sample K responses per context from π (and one from the teacher, if given) and annotate every
 * unordered pair of candidates with one Bernoulli(P) draw from the preference oracle; each
 * candidate's win rate is its share of wins among its m − 1 comparisons.
 */
export function sampleAndAnnotate(
  g: PreferenceGame,
  pi: TabularPolicy,
  teacher: TabularPolicy | null,
  K: number,
  rng: Rng,
): CandidateRound {
  const { nX, nY } = g;
  const m = K + (teacher ? 1 : 0);
  const cand = new Int32Array(nX * m);
  const wins = new Float64Array(nX * m);
  for (let x = 0; x < nX; x++) {
    for (let k = 0; k < K; k++) cand[x * m + k] = sampleResponse(pi, x, rng);
    if (teacher) cand[x * m + K] = sampleResponse(teacher, x, rng);
    for (let a = 0; a < m; a++)
      for (let b = a + 1; b < m; b++) {
        const ya = cand[x * m + a],
          yb = cand[x * m + b];
        if (rng.uniform() < g.P[pIndex(nY, x, ya, yb)]) wins[x * m + a]++;
        else wins[x * m + b]++;
      }
  }
  for (let i = 0; i < wins.length; i++) wins[i] /= Math.max(1, m - 1);
  return { cand, m, winRate: wins };
}

/**
 * DNO-Prct's pair selection: per context the candidate with the highest score against the one with
 * the lowest (ties broken by a random candidate order), kept when the two are different responses
 * and the score margin is ≥ `margin`.
 */
export function largestMarginPairs(
  round: CandidateRound,
  score: Float64Array,
  nX: number,
  margin: number,
  rng: Rng,
): ContrastPairs {
  const { cand, m } = round;
  const xs: number[] = [],
    ws: number[] = [],
    ls: number[] = [];
  const order = Array.from({ length: m }, (_, i) => i);
  for (let x = 0; x < nX; x++) {
    rng.shuffle(order);
    let best = order[0],
      worst = order[0];
    for (const a of order) {
      if (score[x * m + a] > score[x * m + best]) best = a;
      if (score[x * m + a] < score[x * m + worst]) worst = a;
    }
    const yw = cand[x * m + best],
      yl = cand[x * m + worst];
    if (yw === yl || score[x * m + best] - score[x * m + worst] < margin) continue;
    xs.push(x);
    ws.push(yw);
    ls.push(yl);
  }
  return { n: xs.length, x: Int32Array.from(xs), yw: Int32Array.from(ws), yl: Int32Array.from(ls) };
}

/** Scores of the candidates under a reward table r(x, y) (for a reward-model-ranked baseline). */
export function rewardScores(round: CandidateRound, reward: Float64Array, nX: number, nY: number): Float64Array {
  const s = new Float64Array(nX * round.m);
  for (let x = 0; x < nX; x++)
    for (let a = 0; a < round.m; a++) s[x * round.m + a] = reward[x * nY + round.cand[x * round.m + a]];
  return s;
}

/** SPIN-style pairs (Chen et al. 2024): the teacher's response preferred over one of the policy's own (skipped when equal). */
export function teacherVsSelfPairs(
  g: PreferenceGame,
  pi: TabularPolicy,
  teacher: TabularPolicy,
  rng: Rng,
): ContrastPairs {
  const xs: number[] = [],
    ws: number[] = [],
    ls: number[] = [];
  for (let x = 0; x < g.nX; x++) {
    const yw = sampleResponse(teacher, x, rng);
    const yl = sampleResponse(pi, x, rng);
    if (yw === yl) continue;
    xs.push(x);
    ws.push(yw);
    ls.push(yl);
  }
  return { n: xs.length, x: Int32Array.from(xs), yw: Int32Array.from(ws), yl: Int32Array.from(ls) };
}
