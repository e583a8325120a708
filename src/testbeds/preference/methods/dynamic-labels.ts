/**
 * Dynamic labels (Rashidinejad & Tian 2024, "Sail into the Headwind", arXiv:2412.09544: the "DL" of POWER-DL):
 * the preference label of every comparison is moved, step by step, toward the label the model itself currently
 * predicts, so that a comparison's gradient, proportional to σ(d_i) − l_i, fades once the label meets the model
 * ("stationary labels"). A comparison the data covers well is fitted (its margin d_i moves faster than its label);
 * one it barely covers keeps the model near its initial preference (its label moves faster than its margin).
 *
 * Reconstructed, not transcribed (the method section was not readable here; see the notebook's deviations):
 *   l_i ← (1 − γ)·l_i + γ·σ(d_i),   l_i = the data's label (1 = a chosen) at the start,
 * applied once per optimiser step after the gradient at the current labels, d_i = r_θ(a_i) − r_θ(b_i) in the
 * method's own implicit reward (held fixed: no gradient flows through the label).
 */
import { sigmoid } from '../../../math';
import type { Comparisons } from '../data/comparisons';

export interface DynamicLabels {
  /** The comparisons with the current labels (shares x, a, b, w with the data; p is the label array). */
  data: Comparisons;
  /** Move every label toward σ(margin) with rate γ. */
  update(margins: ArrayLike<number>): void;
}

/** Dynamic labels over a comparison set, starting from its labels; rate γ ∈ [0, 1]. */
export function makeDynamicLabels(c: Comparisons, gamma: number): DynamicLabels {
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`makeDynamicLabels: gamma must be in [0, 1], got ${gamma}`);
  const p = Float64Array.from(c.p);
  const data: Comparisons = { ...c, p };
  return {
    data,
    update(margins) {
      if (margins.length !== c.n)
        throw new RangeError(`DynamicLabels.update: ${margins.length} margins for ${c.n} comparisons.`);
      for (let i = 0; i < c.n; i++) p[i] = (1 - gamma) * p[i] + gamma * sigmoid(margins[i]);
    },
  };
}
