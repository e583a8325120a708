/**
 * Weighted GRPO (Sheng, Li, Pang, Peng, Ma 2026, "Beyond Variance: Prompt-Efficient RLVR via Rare-Event
 * Amplification and Bidirectional Pairing", arXiv 2602.03452), as far as its description could be read: the binary
 * outcome of each response is reweighted before GRPO's group normalisation, a success to +w₊ and a failure to −λ₋
 * ("Weighted GRPO, which reweights binary outcomes at the pair level and uses group-normalized advantages to amplify
 * rare successes on q⁺ into sharp positive guidance while turning rare failures on q⁻ into strong negative
 * penalties", abstract; a secondary summary of the method section: outcomes are mapped "to +1 or −λ_neg before group
 * normalization"). The method section itself could not be read (the stored arXiv text ends after the introduction;
 * no official code was found), so the exact normalisation is an assumption, stated here:
 *
 *   r'_i = w₊·r_i − λ₋·(1 − r_i)                 (r_i ∈ {0, 1}: the verifier's outcome)
 *   A_i  = (r'_i − mean_g r') / (std_g r' + ε)   (GRPO's group normalisation over the G responses of one prompt,
 *                                                 unbiased std, ε = 1e-6, as the testbed's 'grpo' advantage)
 *
 * Identity (why this file has a test and the experiment a check): r' is an increasing affine map of r (slope
 * w₊ + λ₋ > 0), and the group z-score is invariant under such maps, so A_i equals GRPO's advantage up to the ε term:
 * A_i = z_i·s/(s + ε/(w₊ + λ₋)) with z_i GRPO's advantage and s the std of the binary rewards. The rare events are
 * amplified by the group normalisation itself (one success among G gets +√(G − 1)·…, one failure −√(G − 1)·…), the
 * same as GRPO's. The weights would matter only under a normalisation that is not a z-score per group (a shared
 * baseline across the pair, or no std), which the available text does not describe.
 */
import { advantages } from '../advantage';
import { registerObjective, type AdvantageContext, type ObjectiveSpec } from '../objective';
import { RECIPES, type Recipe } from '../recipes';

/** Weighted GRPO's plain-data parameters. */
export interface WeightedOutcomeSpec extends ObjectiveSpec {
  kind: 'weighted-outcome';
  /** w₊: the value a success is mapped to (> 0). */
  successWeight: number;
  /** λ₋: a failure is mapped to −λ₋ (> 0). */
  failurePenalty: number;
}

/** The defaults: a success +1, a failure −1 (the value of λ₋ in the paper was not read; see the module comment). */
export const WEIGHTED_OUTCOME_DEFAULTS: WeightedOutcomeSpec = {
  kind: 'weighted-outcome',
  successWeight: 1,
  failurePenalty: 1,
};

/** Checks a spec (plain data crosses threads; a typo must fail loudly). */
export function checkWeightedOutcomeSpec(spec: ObjectiveSpec): WeightedOutcomeSpec {
  const { successWeight, failurePenalty } = spec as Partial<WeightedOutcomeSpec>;
  if (typeof successWeight !== 'number' || !(successWeight > 0) || !Number.isFinite(successWeight))
    throw new RangeError(
      `weighted-outcome: successWeight (w₊) must be a finite number > 0, got ${String(successWeight)}`,
    );
  if (typeof failurePenalty !== 'number' || !(failurePenalty > 0) || !Number.isFinite(failurePenalty))
    throw new RangeError(
      `weighted-outcome: failurePenalty (λ₋) must be a finite number > 0, got ${String(failurePenalty)}`,
    );
  return spec as WeightedOutcomeSpec;
}

/** The reweighted outcomes r'_i = w₊·r_i − λ₋·(1 − r_i) of 0/1 rewards (throws on a reward that is not 0 or 1). */
export function weightedOutcomes(rewards: ArrayLike<number>, spec: WeightedOutcomeSpec): Float64Array {
  const out = new Float64Array(rewards.length);
  for (let i = 0; i < rewards.length; i++) {
    const r = rewards[i];
    if (r !== 0 && r !== 1)
      throw new RangeError(`weighted-outcome: rewards must be binary (0 or 1), got ${r} at response ${i}`);
    out[i] = r === 1 ? spec.successWeight : -spec.failurePenalty;
  }
  return out;
}

/** Weighted GRPO's advantages of B groups of G binary rewards (group-major): GRPO's normalisation of r'. */
export function weightedOutcomeAdvantages(
  rewards: ArrayLike<number>,
  B: number,
  G: number,
  spec: WeightedOutcomeSpec,
): Float64Array {
  return advantages('grpo', weightedOutcomes(rewards, checkWeightedOutcomeSpec(spec)), B, G);
}

registerObjective('weighted-outcome', {
  source: 'Sheng et al. 2026 (Beyond Variance, arXiv 2602.03452), Weighted GRPO: outcomes to {+w₊, −λ₋}, group z-score',
  advantages: (ctx: AdvantageContext) =>
    weightedOutcomeAdvantages(ctx.batch.rewards, ctx.batch.B, ctx.batch.G, checkWeightedOutcomeSpec(ctx.spec)),
});

/** Weighted GRPO's recipe: GRPO's parts (PPO clip 0.2, per-sequence token mean) without KL, the advantage replaced. */
export const WEIGHTED_OUTCOME_RECIPE: Recipe = {
  ...RECIPES.grpo,
  name: 'Weighted GRPO',
  kl: { kind: 'none' },
  objective: { ...WEIGHTED_OUTCOME_DEFAULTS },
};
