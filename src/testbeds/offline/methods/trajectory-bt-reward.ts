/**
 * The first step of two-step offline preference-based RL (Christiano et al. 2017 eq. 1; Kim et al., "Preference
 * Transformer", ICLR 2023, §3 with the Markovian reward model): a tabular Bradley–Terry reward r̂(s, a) fitted to
 * episode preferences,
 *   P(τ_i ≻ τ_j) = σ(Σ_{(s,a)∈τ_i} r̂(s, a) − Σ_{(s,a)∈τ_j} r̂(s, a)),
 * by ridge-regularised maximum likelihood (a convex logistic regression on (s, a) count differences, solved by
 * Newton's method: preference/methods/bradley-terry.ts `fitBTOnDifferences`); then the dataset relabelled with r̂,
 * scaled so that the range of the episodes' learned returns is `scale` (IQL's D4RL locomotion normalisation:
 * r · 1000 / (max return − min return)), for any offline RL learner of this testbed.
 */
import { fitBTOnDifferences } from '../../preference/methods/bradley-terry';
import type { OfflineDataset } from '../data/dataset';
import { episodeOffsets } from '../data/episodes';
import type { EpisodePairs } from '../data/trajectory-preferences';

export interface TrajectoryBtReward {
  /** r̂(s, a), length nS·nA (0 at pairs never seen in a labelled episode). */
  reward: Float64Array;
  converged: boolean;
}

/** (s, a) visit counts of every episode (E × nS·nA, row-major). */
export function episodeCounts(data: OfflineDataset, offsets = episodeOffsets(data)): Float64Array {
  const E = offsets.length - 1,
    d = data.nS * data.nA;
  const C = new Float64Array(E * d);
  for (let e = 0; e < E; e++)
    for (let t = offsets[e]; t < offsets[e + 1]; t++) C[e * d + data.s[t] * data.nA + data.a[t]] += 1;
  return C;
}

/** Fit r̂ to the labelled pairs (ridge `l2` on r̂, the mean loss over pairs). */
export function fitTrajectoryBtReward(data: OfflineDataset, pairs: EpisodePairs, l2: number): TrajectoryBtReward {
  const d = data.nS * data.nA;
  const C = episodeCounts(data);
  const D = new Float64Array(pairs.n * d);
  for (let k = 0; k < pairs.n; k++)
    for (let x = 0; x < d; x++) D[k * d + x] = C[pairs.i[k] * d + x] - C[pairs.j[k] * d + x];
  const { theta, report } = fitBTOnDifferences(D, pairs.label, new Float64Array(pairs.n).fill(1), d, { l2 });
  return { reward: theta, converged: report.converged };
}

/** The dataset with r_t = c · r̂(s_t, a_t), c = scale / (max − min of the episodes' returns under r̂). */
export function relabelWithReward(
  data: OfflineDataset,
  reward: Float64Array,
  quality: string,
  scale = 1,
): OfflineDataset {
  const r = new Float64Array(data.size);
  for (let t = 0; t < data.size; t++) r[t] = reward[data.s[t] * data.nA + data.a[t]];
  return { ...data, r: normaliseByReturnRange(data, r, scale), quality };
}

/** Rewards scaled by scale / (max − min episode return) (unchanged when all returns are equal). */
export function normaliseByReturnRange(data: OfflineDataset, r: Float64Array, scale = 1): Float64Array {
  const off = episodeOffsets(data);
  let lo = Infinity,
    hi = -Infinity;
  for (let e = 0; e + 1 < off.length; e++) {
    let g = 0;
    for (let t = off[e]; t < off[e + 1]; t++) g += r[t];
    lo = Math.min(lo, g);
    hi = Math.max(hi, g);
  }
  const range = hi - lo;
  return range > 0 ? r.map((x) => (x * scale) / range) : Float64Array.from(r);
}
