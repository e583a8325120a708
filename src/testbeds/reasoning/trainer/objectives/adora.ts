/**
 * ADORA, Advantage Dynamics via Online Rollout Adaptation (Ren, Huang, Fang et al. 2026, "ADORA: Training Reasoning
 * Models with Dynamic Advantage Estimation on Reinforcement Learning", arXiv 2602.10019), as the authors' code defines
 * it (github.com/ShadeCloak/ADORA: ADORA/verl/trainer/ppo/core_algos.py `compute_grpo_outcome_advantage_ADORA`, the
 * LLM run; ADORA_VL/openrlhf/trainer/ppo_utils/experience_maker_vl.py `weight_func`, the VLM run; defaults in
 * ADORA/verl/trainer/config/ppo_trainer.yaml `Length_weight`: lamda 0.1). The stored paper text gave only the
 * abstract, so the rule below is the code's ("Length Advantage"); see the paper's notebook for what was not read.
 *
 * Classification (per prompt, from its G online rollouts; rewards r_i, response lengths ℓ_i):
 *   C = {i : r_i > τ}                          the correct responses (τ = ½ for a 0/1 verifier; the code's
 *                                              correct_score 1.01 sits between its format-only and full scores)
 *   W = {i : r_i ≤ τ, o_i not truncated}       the wrong responses that did not run into the length budget (the
 *                                              code keeps ℓ_i < max_length_threshold, 4094 of 4096 tokens; here: a
 *                                              response that hit the budget without the stop token is left out)
 *   TAS  (temporarily advantageous)  iff  max_{i∈C} ℓ_i > mean_{i∈W} ℓ_i      ('length_advantage')
 *   TDS  (temporarily disadvantageous) otherwise,
 * with max over an empty C = −∞ and mean over an empty W = −∞ (the LLM code: a group with no correct answer is TDS, one
 * whose wrong answers all ran into the budget is TAS). A prompt is advantageous when its longest correct answer is
 * longer than its wrong answers are on average: learning from it does not reward short reasoning over long.
 *
 * Reweighting (the advantage dynamics): the GRPO advantage A_i = (r_i − r̄)/(s + ε) of every response of a TDS prompt
 * is multiplied by λ (`lamda`, official default 0.1; the code only attenuates, TAS prompts keep weight 1):
 *   A_i^ADORA = w_q · A_i,    w_q = 1 (TAS) or λ (TDS).
 * The weights depend on the current policy's rollouts only, so they change as training goes on. λ = 1 gives GRPO's
 * advantage exactly. Groups with no correct answer or no wrong one have A = 0 under GRPO, so only mixed groups are
 * affected. The objective replaces the recipe's advantage part (its `base` is the GRPO advantage) and keeps every other
 * part (clipped surrogate, aggregation, filters).
 */
import { registerObjective, type AdvantageContext, type ObjectiveSpec } from '../objective';
import { RECIPES, type Recipe } from '../recipes';
import { truncatedResponses } from '../update';

/** ADORA's plain-data parameters. */
export interface AdoraSpec extends ObjectiveSpec {
  kind: 'adora';
  /** λ: the weight of a temporarily disadvantageous prompt's advantages (official default 0.1). */
  lamda: number;
}

/** Checks a spec (plain data crosses threads; a typo must fail loudly). */
export function checkAdoraSpec(spec: ObjectiveSpec): AdoraSpec {
  const { lamda } = spec as Partial<AdoraSpec>;
  if (typeof lamda !== 'number' || !(lamda >= 0 && Number.isFinite(lamda)))
    throw new RangeError(
      `adora: lamda (the weight of temporarily disadvantageous prompts) must be a finite number ≥ 0 (official ` +
        `default 0.1), got ${String(lamda)}`,
    );
  return spec as AdoraSpec;
}

/** Per group: whether it is temporarily advantageous, and the statistics of the rule. */
export interface AdoraGroup {
  advantageous: boolean;
  /** Longest correct response (−∞ when none). */
  maxCorrect: number;
  /** Mean length of the wrong responses below the budget (−∞ when none). */
  meanWrong: number;
}

/**
 * The classification of B groups of G responses (group-major): rewards, lengths, truncation flags (1: the response ran
 * into the budget; left out of the wrong answers' mean, as the code's max_length_threshold) and the correctness
 * threshold τ.
 */
export function adoraClassify(
  rewards: ArrayLike<number>,
  lengths: ArrayLike<number>,
  truncated: ArrayLike<number>,
  B: number,
  G: number,
  correctThreshold = 0.5,
): AdoraGroup[] {
  if (rewards.length !== B * G || lengths.length !== B * G || truncated.length !== B * G)
    throw new RangeError(
      `adora: ${rewards.length} rewards, ${lengths.length} lengths and ${truncated.length} truncation flags for ` +
        `${B} groups of ${G} responses`,
    );
  const out: AdoraGroup[] = [];
  for (let b = 0; b < B; b++) {
    let maxCorrect = -Infinity,
      wrongSum = 0,
      wrongN = 0;
    for (let g = 0; g < G; g++) {
      const i = b * G + g;
      if (rewards[i] > correctThreshold) maxCorrect = Math.max(maxCorrect, lengths[i]);
      else if (!truncated[i]) {
        wrongSum += lengths[i];
        wrongN++;
      }
    }
    const meanWrong = wrongN ? wrongSum / wrongN : -Infinity;
    out.push({ advantageous: maxCorrect > meanWrong, maxCorrect, meanWrong });
  }
  return out;
}

/** The per-group weights w_q (1 for TAS, λ for TDS). */
export function adoraWeights(groups: readonly AdoraGroup[], lamda: number): Float64Array {
  return Float64Array.from(groups, (q) => (q.advantageous ? 1 : lamda));
}

/** ADORA's advantages: `base` (B·G, group-major; GRPO's) times each group's weight. */
export function adoraAdvantages(
  base: ArrayLike<number>,
  rewards: ArrayLike<number>,
  lengths: ArrayLike<number>,
  truncated: ArrayLike<number>,
  B: number,
  G: number,
  lamda: number,
): Float64Array {
  if (base.length !== B * G) throw new RangeError(`adora: ${base.length} advantages for ${B} groups of ${G}`);
  const w = adoraWeights(adoraClassify(rewards, lengths, truncated, B, G), lamda);
  return Float64Array.from(base, (a, i) => a * w[Math.floor(i / G)]);
}

function adoraObjectiveAdvantages(ctx: AdvantageContext): Float64Array {
  const spec = checkAdoraSpec(ctx.spec);
  const { batch } = ctx;
  return adoraAdvantages(ctx.base, ctx.rewards, batch.lengths, truncatedResponses(batch), batch.B, batch.G, spec.lamda);
}

registerObjective('adora', {
  source: 'ADORA, Ren et al. 2026 (arXiv 2602.10019; the authors\u2019 compute_grpo_outcome_advantage_ADORA)',
  advantages: (ctx) => adoraObjectiveAdvantages(ctx),
});

/**
 * GRPO as the official verl run sets it (core_algos.compute_policy_loss: PPO clip 0.2, masked mean over the
 * mini-batch's tokens = token-mean; group-standardised advantage), without the KL loss (coefficient 0.001 there).
 */
export const ADORA_GRPO_BASE: Recipe = {
  ...RECIPES.grpo,
  name: 'GRPO',
  aggregation: 'token-mean',
  kl: { kind: 'none' },
};

/** The ADORA recipe: GRPO above with the advantage reweighted by λ (official default 0.1). */
export function adoraRecipe(lamda = 0.1): Recipe {
  return {
    ...ADORA_GRPO_BASE,
    name: `ADORA (λ = ${lamda})`,
    objective: checkAdoraSpec({ kind: 'adora', lamda }),
  };
}
