/**
 * Datasets as lists of trajectories: the transition ranges of each episode, and the dataset restricted to a subset
 * of its episodes (re-indexed 0, 1, … in the original order) — what data attribution removes or keeps.
 */
import type { OfflineDataset } from './dataset';

/** Start offsets of the episodes: episode e holds transitions [offsets[e], offsets[e + 1]). */
export function episodeOffsets(data: OfflineDataset): Int32Array {
  const starts: number[] = [];
  for (let i = 0; i < data.size; i++) if (i === 0 || data.episode[i] !== data.episode[i - 1]) starts.push(i);
  starts.push(data.size);
  return Int32Array.from(starts);
}

/** The dataset of the episodes e with keep[e] true (episodes renumbered in order; `quality` names the subset). */
export function selectEpisodes(data: OfflineDataset, keep: ArrayLike<boolean>, quality: string): OfflineDataset {
  const off = episodeOffsets(data);
  const nE = off.length - 1;
  if (keep.length !== nE)
    throw new RangeError(`selectEpisodes: keep has length ${keep.length}, the data has ${nE} episodes`);
  const idx: number[] = [];
  const epi: number[] = [];
  let k = 0;
  for (let e = 0; e < nE; e++) {
    if (!keep[e]) continue;
    for (let i = off[e]; i < off[e + 1]; i++) {
      idx.push(i);
      epi.push(k);
    }
    k++;
  }
  const pick = <T extends Int32Array | Float64Array | Uint8Array>(a: T, make: (n: number) => T): T => {
    const out = make(idx.length);
    idx.forEach((i, j) => (out[j] = a[i]));
    return out;
  };
  return {
    nS: data.nS,
    nA: data.nA,
    gamma: data.gamma,
    size: idx.length,
    s: pick(data.s, (n) => new Int32Array(n)),
    a: pick(data.a, (n) => new Int32Array(n)),
    r: pick(data.r, (n) => new Float64Array(n)),
    sp: pick(data.sp, (n) => new Int32Array(n)),
    done: pick(data.done, (n) => new Uint8Array(n)),
    episode: Int32Array.from(epi),
    step: pick(data.step, (n) => new Int32Array(n)),
    goal: data.goal ? pick(data.goal, (n) => new Int32Array(n)) : undefined,
    quality,
  };
}
