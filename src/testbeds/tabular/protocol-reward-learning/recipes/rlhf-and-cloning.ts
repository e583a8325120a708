/**
 * The baselines of the cpl notebook (src/papers/cpl/experiment.ts, Hejna et al. 2024), composed from the method files
 * it uses, with its settings: the constants the `cpl` recipe shares with it (learners.ts).
 *   rlhf  two-phase RLHF: a tabular Bradley–Terry partial-return reward model r̂(s,a) (`fitBradleyTerryTabular`, from
 *         r̂ = 0, no L2, full-batch Adam lr 0.05 × 1000 steps: the budget the notebook gives CPL and the reward model
 *         alike), then exact soft value iteration on r̂ with the true dynamics and terminal cells (α = 1, tolerance
 *         1e-10); its maximum-entropy policy is scored as it is (stochastic), like CPL's;
 *   sft   behaviour cloning on the preferred segment of every pair (the authors' `sft` = BC on `pos`), add-1 smoothing;
 *   bc    behaviour cloning on all segments, add-1 smoothing (CPL's initialisation); it uses no label.
 * Adaptations to the protocol's delivery worlds (the notebook's continuing γ = 0.95 worlds with slips, ε-mixture
 * segments of length 8 and max-ent regret labels are not the protocol's):
 *   - the reward model discounts within a segment by the world's γ (0.999 here), as the notebook does and as the `cpl`
 *     recipe does for CPL (the protocol's partial-return labeller sums undiscounted: at most 0.2 % apart over 3 steps);
 *   - the RL phase keeps the notebook's α = 1, the temperature the `cpl` recipe keeps in A = α log π, so rlhf and cpl
 *     remain two routes to one maximum-entropy policy; the protocol scores the ordinary return of that stochastic
 *     policy. α is not retuned: a diagnostic on the pilot seed 1000 (not a protocol seed), run after the entry was
 *     fixed, gave nearly the same scaled returns with α = 0.01, so the temperature is not what decides rlhf's score
 *     there (the tabular reward model is: see the notebook's limits);
 *   - goal and sheep cells end the episode (the notebook makes them continuing traps on purpose: with termination a
 *     partial-return reward fitted to regret labels can favour early termination, Knox et al. 2023); the protocol
 *     keeps its worlds, the same for every learner;
 *   - noiseless labels may be ties (½), which the notebook's Bernoulli labels never are: SFT counts the first segment
 *     of a pair with weight y and the second with 1 − y (on 0/1 labels exactly the notebook's preferred segment; a tie
 *     counts both at ½ where the notebook's rule `y ≥ 0.5` would pick the first).
 * Every learner sees the protocol's pairs, labels and MDPs; nothing is tuned on the protocol.
 */
import type { ProtocolRecipe, LearningInstance } from '../core';
import { fitBradleyTerryTabular } from '../../methods/reward-learning';
import { segmentActionCounts } from '../../methods/cpl';
import type { SegmentPairs, SegmentSet } from '../../env/preferences';
import { softValueIteration } from '../../solvers/soft-value-iteration';
import { countsPolicy } from '../../policies/softmax';
import { BC_SMOOTHING, CPL_ALPHA, CPL_LR, CPL_STEPS } from './learners';

/** Tolerance ‖V − V*‖∞ of the RL phase (the cpl notebook's). */
export const RLHF_SOFT_VI_TOL = 1e-10;

/**
 * Action counts (nS·nA) of preferred segments, weighted by the label: Σ_p y_p·counts(σ_i) + (1 − y_p)·counts(σ_j),
 * y_p = P(σ_i ≻ σ_j). On 0/1 labels, the counts of each pair's preferred segment; a tie counts both at weight ½.
 */
export function labelWeightedActionCounts(
  segs: SegmentSet,
  nS: number,
  nA: number,
  pairs: SegmentPairs,
  labels: ArrayLike<number>,
): Float64Array {
  const out = new Float64Array(nS * nA);
  const add = (weight: number, which: number[]) => {
    if (weight === 0 || which.length === 0) return;
    const c = segmentActionCounts(segs, nS, nA, which);
    for (let k = 0; k < c.length; k++) out[k] += weight * c[k];
  };
  // Group the pairs by label value (0/1, or 0/½/1): one counting pass per value and side.
  const byValue = new Map<number, number[]>();
  for (let p = 0; p < labels.length; p++) {
    const y = labels[p];
    if (!(y >= 0 && y <= 1)) throw new RangeError(`labelWeightedActionCounts: label ${p} is ${y}, not in [0, 1]`);
    const ps = byValue.get(y);
    if (ps) ps.push(p);
    else byValue.set(y, [p]);
  }
  for (const [y, ps] of byValue) {
    add(
      y,
      ps.map((p) => pairs.i[p]),
    );
    add(
      1 - y,
      ps.map((p) => pairs.j[p]),
    );
  }
  return out;
}

export const softRlhfTabular: ProtocolRecipe = {
  name: 'rlhf',
  summary:
    `methods/reward-learning.ts fitBradleyTerryTabular (tabular r̂(s,a), Adam ${CPL_STEPS} steps) → ` +
    `solvers/soft-value-iteration.ts (α = ${CPL_ALPHA}), the cpl notebook's two-phase RLHF`,
  budget: 'labels',
  learn: (t: LearningInstance) => {
    const { nS, nA, gamma } = t.world;
    const rm = fitBradleyTerryTabular(nS, nA, t.segs, t.pairs, t.labels, {
      g: gamma,
      optimizer: { kind: 'adam', lr: CPL_LR, steps: CPL_STEPS, keepBest: false },
    });
    return softValueIteration(t.world, rm.x, { alpha: CPL_ALPHA, tol: RLHF_SOFT_VI_TOL, terminal: t.world.terminal })
      .policy;
  },
};

export const sftPreferred: ProtocolRecipe = {
  name: 'sft',
  summary:
    `behaviour cloning on each pair's preferred segment (label-weighted; add-${BC_SMOOTHING}), ` +
    "the cpl notebook's SFT",
  budget: 'labels',
  learn: (t: LearningInstance) => {
    const { nS, nA } = t.world;
    return countsPolicy(nS, nA, labelWeightedActionCounts(t.segs, nS, nA, t.pairs, t.labels), BC_SMOOTHING);
  },
};

export const bcAllSegments: ProtocolRecipe = {
  name: 'bc',
  summary: `behaviour cloning on all segments (add-${BC_SMOOTHING}; no labels), CPL's initialisation`,
  budget: 'labels',
  learn: (t: LearningInstance) => {
    const { nS, nA } = t.world;
    return countsPolicy(nS, nA, segmentActionCounts(t.segs, nS, nA), BC_SMOOTHING);
  },
};
