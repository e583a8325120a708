/**
 * Preference labels between whole episodes of an offline dataset, from a scripted teacher (the offline
 * preference-based RL convention of Kim et al., "Preference Transformer", ICLR 2023, and Kang et al., "Beyond
 * Reward: Offline Preference-guided Policy Optimization", ICML 2023, whose scripted teacher compares the true returns
 * of the two trajectories): episode i is preferred to episode j when its true return is larger; equal returns are a
 * tie (label ½). Pairs are drawn uniformly among distinct episodes, with replacement across pairs.
 */
import type { Rng } from '../../../core/rng';
import type { OfflineDataset } from './dataset';
import { episodeOffsets } from './episodes';

export interface EpisodePairs {
  readonly n: number;
  /** Episode indices of the two trajectories of each pair. */
  readonly i: Int32Array;
  readonly j: Int32Array;
  /** P(i ≻ j) given by the teacher: 1, 0 or ½ (tie). */
  readonly label: Float64Array;
}

/** True return Σ_t r_t of every episode (length = number of episodes). */
export function datasetEpisodeReturns(data: OfflineDataset, offsets = episodeOffsets(data)): Float64Array {
  const E = offsets.length - 1;
  const G = new Float64Array(E);
  for (let e = 0; e < E; e++) for (let t = offsets[e]; t < offsets[e + 1]; t++) G[e] += data.r[t];
  return G;
}

/**
 * `n` episode pairs labelled by the scripted teacher (returns compared with tolerance `tieTol`, default 1e-9).
 */
export function scriptedEpisodePairs(
  returns: Float64Array,
  n: number,
  rng: Rng,
  tieTol = 1e-9,
): EpisodePairs {
  const E = returns.length;
  if (E < 2) throw new RangeError(`scriptedEpisodePairs: need at least 2 episodes, got ${E}`);
  if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`scriptedEpisodePairs: n must be a positive integer`);
  const i = new Int32Array(n),
    j = new Int32Array(n),
    label = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const a = rng.int(E);
    let b = rng.int(E - 1);
    if (b >= a) b++;
    i[k] = a;
    j[k] = b;
    const d = returns[a] - returns[b];
    label[k] = d > tieTol ? 1 : d < -tieTol ? 0 : 0.5;
  }
  return { n, i, j, label };
}
