/**
 * Offline data from a mixture of behaviour policies ("mixed policies" datasets): each episode draws its behaviour
 * b ∼ Categorical(weights) and is collected with data/dataset.ts `collectDataset` (s₀ ∼ μ₀, a ∼ π_b(·|s),
 * s' ∼ τ(s, a); an episode ends on entering a terminal state or after `horizon` steps). The episodes of each
 * behaviour are collected together and concatenated (episode order carries no information for the tabular
 * learners); `source[e]` names the behaviour of episode e, for analysis only — no learner reads it.
 */
import type { Rng } from '../../../core/rng';
import type { OfflineMdp } from '../env/tasks';
import { collectDataset, type CollectOptions, type OfflineDataset } from './dataset';
import { concatDatasets } from './imitation';

export interface MixtureDataset {
  data: OfflineDataset;
  /** Behaviour index of each episode (length = number of episodes). */
  source: Int32Array;
}

export function collectMixture(
  mdp: OfflineMdp,
  behaviours: Float64Array[],
  weights: number[],
  opts: CollectOptions & { quality: string },
  rng: Rng,
): MixtureDataset {
  const B = behaviours.length;
  if (B < 1 || weights.length !== B)
    throw new RangeError(`collectMixture: need one weight per behaviour (got ${weights.length} for ${B})`);
  const total = weights.reduce((u, w) => u + w, 0);
  if (!(total > 0) || weights.some((w) => !(w >= 0)))
    throw new RangeError('collectMixture: weights must be non-negative with a positive sum');
  const counts = new Array<number>(B).fill(0);
  const pick = rng.split('behaviour');
  for (let e = 0; e < opts.episodes; e++) {
    let u = pick.uniform() * total,
      b = 0;
    while (b < B - 1 && u >= weights[b]) u -= weights[b++];
    counts[b]++;
  }
  const parts: OfflineDataset[] = [];
  const source: number[] = [];
  for (let b = 0; b < B; b++) {
    if (counts[b] === 0) continue;
    const d = collectDataset(mdp, behaviours[b], { ...opts, episodes: counts[b] }, rng.split(`episodes-${b}`));
    parts.push(d);
    for (let e = 0; e < counts[b]; e++) source.push(b);
  }
  return {
    data: concatDatasets(parts, opts.quality),
    source: Int32Array.from(source),
  };
}
