/**
 * Preference data over contexts × responses: comparison datasets (one type for every method of the
 * testbed), with a known gold reward r*(x, y) (row-major tables, index x·nY + y) and, optionally,
 * response features φ(x, y) ∈ R^d (index (x·nY + y)·d + k).
 *
 * A comparison dataset holds, per comparison i: the context x_i, two responses a_i, b_i, the label
 * p_i = P(a_i ≻ b_i) (1 for a hard label "a chosen", or a soft probability) and a weight w_i.
 * Generators control coverage (the behaviour policy that draws the responses) and label noise
 * (Bradley–Terry sampling from the gold reward, deterministic labels, and random flips); comparisons
 * also come from sampled preference pairs of a game (`comparisonsFromPairs`) or from every pair under
 * a sampler, soft-labelled by the game's P (`populationComparisons`).
 */
import type { Rng } from '../../../core/rng';
import { sigmoid } from '../../../math';
import { sampleCategorical, type TableShape } from '../policies/logit-table';
import type { TabularPolicy } from '../policies/tabular-policy';
import { pIndex, type PreferenceGame, type PreferencePairs } from './game';

export interface PreferenceTask extends TableShape {
  /** Gold reward r*(x, y), length nX·nY. */
  gold: Float64Array;
  /** Response features φ(x, y), length nX·nY·d (absent for purely tabular tasks). */
  features?: Float64Array;
  d: number;
}

/** Comparisons (x, a, b) with label p = P(a ≻ b) and weight w, one entry per comparison. */
export interface Comparisons {
  n: number;
  x: Int32Array;
  a: Int32Array;
  b: Int32Array;
  /** P(a ≻ b): 1 = a is the chosen response (hard label), or a soft probability. */
  p: Float64Array;
  /** Weights (1 for a plain dataset). */
  w: Float64Array;
}

/** Build a dataset from plain arrays (labels default to 1 = a chosen, weights to 1). */
export function makeComparisons(rows: { x: number; a: number; b: number; p?: number; w?: number }[]): Comparisons {
  const n = rows.length;
  const c: Comparisons = {
    n,
    x: new Int32Array(n),
    a: new Int32Array(n),
    b: new Int32Array(n),
    p: new Float64Array(n),
    w: new Float64Array(n),
  };
  rows.forEach((r, i) => {
    c.x[i] = r.x;
    c.a[i] = r.a;
    c.b[i] = r.b;
    c.p[i] = r.p ?? 1;
    c.w[i] = r.w ?? 1;
    if (!(c.p[i] >= 0 && c.p[i] <= 1))
      throw new RangeError(`makeComparisons: row ${i} has label p = ${r.p}; it must lie in [0, 1].`);
  });
  return c;
}

/** Check indices against a table shape (throws with the offending row). */
export function checkComparisons(c: Comparisons, shape: TableShape, where: string): void {
  for (let i = 0; i < c.n; i++) {
    if (c.x[i] < 0 || c.x[i] >= shape.nX || c.a[i] < 0 || c.a[i] >= shape.nY || c.b[i] < 0 || c.b[i] >= shape.nY) {
      throw new RangeError(
        `${where}: comparison ${i} (x=${c.x[i]}, a=${c.a[i]}, b=${c.b[i]}) is outside the table ${shape.nX} × ` +
          `${shape.nY}.`,
      );
    }
  }
}

/** Hard-labelled, unit-weight comparisons (a = winner, b = loser) of sampled preference pairs (arrays shared). */
export function comparisonsFromPairs(pairs: PreferencePairs): Comparisons {
  const n = pairs.n;
  return { n, x: pairs.x, a: pairs.yw, b: pairs.yl, w: new Float64Array(n).fill(1), p: new Float64Array(n).fill(1) };
}

/**
 * The population data of sampler s in game g: every pair (y, y') with y < y', weighted by
 * s(y|x)·s(y'|x) and soft-labelled by P(y ≻ y' | x).
 */
export function populationComparisons(g: PreferenceGame, sampler: TabularPolicy): Comparisons {
  const { nX, nY } = g;
  const m = (nX * nY * (nY - 1)) / 2;
  const c: Comparisons = {
    n: m,
    x: new Int32Array(m),
    a: new Int32Array(m),
    b: new Int32Array(m),
    p: new Float64Array(m),
    w: new Float64Array(m),
  };
  let k = 0;
  for (let x = 0; x < nX; x++)
    for (let y = 0; y < nY; y++)
      for (let z = y + 1; z < nY; z++) {
        c.x[k] = x;
        c.a[k] = y;
        c.b[k] = z;
        c.w[k] = sampler.probs[x * nY + y] * sampler.probs[x * nY + z];
        c.p[k] = g.P[pIndex(nY, x, y, z)];
        k++;
      }
  return c;
}

/** Total weight W = Σ_i w_i of a comparison set (throws, naming `where`, when it is empty or zero). */
export function totalWeight(c: Comparisons, where: string): number {
  let W = 0;
  for (let i = 0; i < c.n; i++) W += c.w[i];
  if (!(W > 0)) throw new RangeError(`${where}: the comparison set is empty or has zero total weight.`);
  return W;
}

export interface SampleComparisonOptions {
  /** Behaviour policy π_b (probabilities, nX·nY) that draws both responses independently. */
  behaviour: Float64Array;
  /** Comparisons per context (a number for all, or one per context). */
  perContext: number | ArrayLike<number>;
  /**
   * 'bradley-terry': label drawn with P(a ≻ b) = σ(r*(a) − r*(b)); 'deterministic': the higher gold reward wins (ties
   * by a coin).
   */
  labels: 'bradley-terry' | 'deterministic';
  /** Probability of flipping each label after it is drawn (label noise). Default 0. */
  flip?: number;
  /** Redraw the second response when it equals the first (up to 100 tries). Default true. */
  distinct?: boolean;
}

/**
 * Sample a hard-label comparison dataset: for every context x, `perContext` pairs (y1, y2) ~ π_b ⊗ π_b,
 * labelled from the gold reward; stored with a = chosen, b = rejected, p = 1.
 */
export function sampleComparisons(rng: Rng, task: PreferenceTask, o: SampleComparisonOptions): Comparisons {
  const { nX, nY, gold } = task;
  const flip = o.flip ?? 0;
  const distinct = o.distinct ?? true;
  const rows: { x: number; a: number; b: number }[] = [];
  for (let x = 0; x < nX; x++) {
    const k = typeof o.perContext === 'number' ? o.perContext : o.perContext[x];
    for (let j = 0; j < k; j++) {
      const y1 = sampleCategorical(rng, o.behaviour, x * nY, nY);
      let y2 = sampleCategorical(rng, o.behaviour, x * nY, nY);
      for (let t = 0; distinct && y2 === y1 && t < 100; t++) y2 = sampleCategorical(rng, o.behaviour, x * nY, nY);
      const d = gold[x * nY + y1] - gold[x * nY + y2];
      let firstWins =
        o.labels === 'bradley-terry' ? rng.uniform() < sigmoid(d) : d > 0 || (d === 0 && rng.uniform() < 0.5);
      if (flip > 0 && rng.uniform() < flip) firstWins = !firstWins;
      rows.push(firstWins ? { x, a: y1, b: y2 } : { x, a: y2, b: y1 });
    }
  }
  return makeComparisons(rows);
}

/**
 * Noiseless ("infinite-data") comparisons: every unordered pair {a, b} of every context, with the
 * exact Bradley–Terry label p = σ(r(a) − r(b)).
 */
export function exactComparisons(task: PreferenceTask): Comparisons {
  const rows: { x: number; a: number; b: number; p: number }[] = [];
  for (let x = 0; x < task.nX; x++)
    for (let a = 0; a < task.nY; a++)
      for (let b = a + 1; b < task.nY; b++)
        rows.push({ x, a, b, p: sigmoid(task.gold[x * task.nY + a] - task.gold[x * task.nY + b]) });
  return makeComparisons(rows);
}

/** Fraction of comparisons whose label agrees with the gold reward (hard labels; soft labels count p ≥ ½). */
export function goldAgreement(c: Comparisons, task: PreferenceTask): number {
  let ok = 0,
    n = 0;
  for (let i = 0; i < c.n; i++) {
    const d = task.gold[c.x[i] * task.nY + c.a[i]] - task.gold[c.x[i] * task.nY + c.b[i]];
    if (d === 0) continue;
    n++;
    if (d > 0 === c.p[i] >= 0.5) ok++;
  }
  return n ? ok / n : NaN;
}

/** Pairwise accuracy of a reward table on a comparison set: fraction with r(chosen) > r(rejected) (ties ½). */
export function pairwiseAccuracy(reward: Float64Array, c: Comparisons, nY: number): number {
  let s = 0;
  for (let i = 0; i < c.n; i++) {
    const d = (reward[c.x[i] * nY + c.a[i]] - reward[c.x[i] * nY + c.b[i]]) * (c.p[i] >= 0.5 ? 1 : -1);
    s += d > 0 ? 1 : d === 0 ? 0.5 : 0;
  }
  return c.n ? s / c.n : NaN;
}

/**
 * A partially covering behaviour policy: in each context, `covered` responses (chosen by `pickCovered`,
 * default at random) share 1 − uncoveredMass with Dirichlet(concentration) weights; the other responses
 * share uncoveredMass equally. Returns the probabilities and the coverage mask.
 */
export function partialCoveragePolicy(
  rng: Rng,
  shape: TableShape,
  o: { covered: number; uncoveredMass: number; concentration?: number; pickCovered?: (x: number) => number[] },
): { probs: Float64Array; covered: Uint8Array } {
  const { nX, nY } = shape;
  if (!(o.covered >= 1 && o.covered <= nY))
    throw new RangeError(`partialCoveragePolicy: covered must be in [1, ${nY}], got ${o.covered}`);
  if (!(o.uncoveredMass >= 0 && o.uncoveredMass < 1))
    throw new RangeError(`partialCoveragePolicy: uncoveredMass must be in [0, 1), got ${o.uncoveredMass}`);
  const probs = new Float64Array(nX * nY);
  const mask = new Uint8Array(nX * nY);
  const alpha = o.concentration ?? 1;
  for (let x = 0; x < nX; x++) {
    const ids = o.pickCovered ? o.pickCovered(x) : shuffled(rng, nY).slice(0, o.covered);
    if (ids.length !== o.covered)
      throw new RangeError(
        `partialCoveragePolicy: pickCovered(${x}) returned ${ids.length} responses, expected ${o.covered}`,
      );
    const g = ids.map(() => gammaSample(rng, alpha));
    const sg = g.reduce((s, v) => s + v, 0);
    const nUnc = nY - o.covered;
    const uncMass = nUnc > 0 ? o.uncoveredMass : 0;
    for (let y = 0; y < nY; y++) probs[x * nY + y] = nUnc > 0 ? uncMass / nUnc : 0;
    ids.forEach((y, j) => {
      probs[x * nY + y] = ((1 - uncMass) * g[j]) / sg;
      mask[x * nY + y] = 1;
    });
  }
  return { probs, covered: mask };
}

/** A uniformly random permutation of 0..n−1 (Fisher–Yates). */
export function shuffled(rng: Rng, n: number): number[] {
  const p = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/** Gamma(α, 1) draw (Marsaglia–Tsang; α < 1 by the boost α+1 then U^{1/α}). */
export function gammaSample(rng: Rng, alpha: number): number {
  if (alpha < 1) return gammaSample(rng, alpha + 1) * Math.pow(rng.uniform() || 1e-300, 1 / alpha);
  const d = alpha - 1 / 3,
    c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number, v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.uniform();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** Gold reward linear in the features: r*(x, y) = θ*·φ(x, y). */
export function linearReward(features: Float64Array, d: number, theta: ArrayLike<number>): Float64Array {
  const n = features.length / d;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += theta[k] * features[i * d + k];
    r[i] = s;
  }
  return r;
}
