/**
 * Automatic Discount Scheduling (ADS) of Liu, Dong, Hu, Wen, Yin, Zhang & Gao, "Imitation Learning from Observation
 * with Automatic Discount Scheduling" (ICLR 2024, arXiv:2310.07433), as the official code implements it
 * (github.com/dwjshift/IL_ADS, IL/modules/ads.py `AutomaticDiscountScheduling`, defaults in IL/cfgs/config.yaml).
 *
 * Progress recognizer. For an agent episode o and a demonstration e, and a prefix length k, let
 * pos_i = argmin_{j<k} c(o_i, e_j) for i < k (each of the agent's first k observations is assigned its nearest of the
 * demonstration's first k); the match score is the length of the longest (strictly) increasing subsequence of pos —
 * how many of the agent's first k steps follow the expert's first k in order (`longest_increasing_subsequence`).
 * Reference: for every ordered pair of different demonstrations (i, j) and every k, the score of demo i against demo j;
 * ref[k] is the `refPercentile` (50th) percentile over the pairs (`init_demos`).
 * Update (after each evaluation): with the current progress p, the agent's score is the `agentPercentile` (90th)
 * percentile over (evaluation episode × demonstration) of the score at k = p; if p < H and
 * score ≥ ⌊threshold · ref[p−1]⌋ (threshold 0.9) then p ← p + 1; repeated at most `maxProgressDelta` times (5) per
 * update (`update`). p starts at ⌊progressStart · H⌋ (0.2·H).
 * Mapping to a discount: γ(p) = α^{1/p} (α = 0.2, `get_discount`), so a reward p steps ahead is weighted α.
 *
 * Costs c are the same as the OT reward's (the code: cosine distance of encoder features for pixels, Euclidean
 * distance for state features); argmin ties go to the first index (torch's `argmin` / `min(1)[1]` on CPU).
 */
import type { ObsSeq } from './ot-proxy-reward';
import { euclideanCost } from './ot-proxy-reward';

/**
 * Length of the longest strictly increasing subsequence (the code's O(n²) dynamic programme; 1 for n ≥ 1, 0 for
 * n = 0).
 */
export function longestIncreasingSubsequence(a: ArrayLike<number>): number {
  const n = a.length;
  if (n === 0) return 0;
  const dp = new Int32Array(n).fill(1);
  let answer = 1;
  for (let i = 1; i < n; i++) {
    for (let j = 0; j < i; j++) if (a[j] < a[i] && dp[j] + 1 > dp[i]) dp[i] = dp[j] + 1;
    if (dp[i] > answer) answer = dp[i];
  }
  return answer;
}

/**
 * Match score of the first k rows against the first k columns of a cost matrix C (n × m row-major):
 * LIS of pos_i = argmin_{j<k} C_ij, i < k.
 */
export function prefixMatchScore(C: Float64Array, m: number, k: number): number {
  const pos = new Int32Array(k);
  for (let i = 0; i < k; i++) {
    let best = 0;
    for (let j = 1; j < k; j++) if (C[i * m + j] < C[i * m + best]) best = j;
    pos[i] = best;
  }
  return longestIncreasingSubsequence(pos);
}

/** numpy's default `np.percentile` (linear interpolation between order statistics), q in [0, 100]. */
export function percentile(values: ArrayLike<number>, q: number): number {
  const n = values.length;
  if (n === 0) throw new RangeError('percentile: no values');
  const s = Float64Array.from(values).sort();
  const h = ((n - 1) * q) / 100;
  const lo = Math.floor(h),
    hi = Math.min(n - 1, lo + 1);
  return s[lo] + (h - lo) * (s[hi] - s[lo]);
}

export interface AdsOptions {
  /** Episode horizon H (observations per episode). */
  horizon: number;
  /** α of the mapping γ = α^{1/p} (code: 0.2). */
  alpha?: number;
  /** Threshold of the progress recognizer (code: 0.9). */
  threshold?: number;
  /** Initial progress as a fraction of H (code: 0.2). */
  progressStart?: number;
  /** Most progress increments per update (code: 5). */
  maxProgressDelta?: number;
  /** Percentile over demonstration pairs of the reference score (code: 50). */
  refPercentile?: number;
  /** Percentile over (episode × demonstration) of the agent's score (code: 90). */
  agentPercentile?: number;
}

/** ADS state: the reference scores of the demonstrations and the current progress p. */
export class AutomaticDiscountScheduling {
  readonly horizon: number;
  readonly alpha: number;
  readonly threshold: number;
  readonly maxProgressDelta: number;
  readonly agentPercentile: number;
  /** ref[k−1]: reference score of prefix length k, k = 1..H. */
  readonly ref: Float64Array;
  progress: number;
  private readonly demos: readonly ObsSeq[];

  constructor(demos: readonly ObsSeq[], o: AdsOptions) {
    this.horizon = o.horizon;
    this.alpha = o.alpha ?? 0.2;
    this.threshold = o.threshold ?? 0.9;
    this.maxProgressDelta = o.maxProgressDelta ?? 5;
    this.agentPercentile = o.agentPercentile ?? 90;
    this.progress = Math.floor((o.progressStart ?? 0.2) * o.horizon);
    if (this.progress < 1)
      throw new RangeError(
        `ADS: initial progress ⌊progressStart·H⌋ = ${this.progress} must be ≥ 1 (raise H or progressStart)`,
      );
    if (demos.length < 2) throw new RangeError('ADS: the reference score needs at least two demonstrations');
    for (const d of demos)
      if (d.n !== o.horizon)
        throw new RangeError(`ADS: a demonstration has ${d.n} observations, horizon is ${o.horizon}`);
    this.demos = demos;
    this.ref = referenceScores(demos, o.refPercentile ?? 50);
  }

  /** γ = α^{1/p} (the code's `get_discount`). */
  discount(): number {
    return Math.exp(Math.log(this.alpha) / this.progress);
  }

  /** The agent's match score at prefix length k over evaluation episodes × demonstrations (agentPercentile). */
  matchScore(costs: readonly Float64Array[], k: number): number {
    const H = this.horizon;
    return percentile(
      costs.map((C) => prefixMatchScore(C, H, k)),
      this.agentPercentile,
    );
  }

  /** Cost matrices (episode × demonstration) of evaluation episodes, the code's `compute_cost`. */
  costs(episodes: readonly ObsSeq[]): Float64Array[] {
    const out: Float64Array[] = [];
    for (const ep of episodes) {
      if (ep.n !== this.horizon)
        throw new RangeError(`ADS: an episode has ${ep.n} observations, horizon is ${this.horizon}`);
      for (const d of this.demos) out.push(euclideanCost(ep, d));
    }
    return out;
  }

  /** The code's `update`: advance p while the agent matches the expert's first p steps; returns the new γ. */
  update(episodes: readonly ObsSeq[]): { discount: number; matchScore: number; refScore: number } {
    const costs = this.costs(episodes);
    let match = 0,
      refScore = 0;
    for (let i = 0; i < this.maxProgressDelta; i++) {
      match = this.matchScore(costs, this.progress);
      refScore = this.ref[this.progress - 1];
      if (this.progress < this.horizon) {
        if (match >= Math.trunc(this.threshold * refScore)) this.progress += 1;
      } else break;
    }
    return { discount: this.discount(), matchScore: match, refScore };
  }
}

/** ref[k−1] = percentile over ordered pairs (i ≠ j) of demo i's score against demo j at prefix length k. */
export function referenceScores(demos: readonly ObsSeq[], q = 50): Float64Array {
  const H = demos[0].n;
  const per: Float64Array[] = [];
  for (let i = 0; i < demos.length; i++)
    for (let j = 0; j < demos.length; j++) {
      if (i === j) continue;
      const C = euclideanCost(demos[i], demos[j]);
      const sc = new Float64Array(H);
      for (let k = 1; k <= H; k++) sc[k - 1] = prefixMatchScore(C, demos[j].n, k);
      per.push(sc);
    }
  const ref = new Float64Array(H);
  for (let k = 0; k < H; k++)
    ref[k] = percentile(
      per.map((s) => s[k]),
      q,
    );
  return ref;
}
