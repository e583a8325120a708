/**
 * Directional shaping of a metric, the kind of prior CANON (objectives/canon.ts) is compared with: the direction
 * (higher-is-better or lower-is-better) is fixed by hand. Two published forms, each with a direction switch so that
 * the prior and its reverse can both be run:
 *
 * Entropy-based advantage (Cheng et al. 2025, "Reasoning with Exploration: An Entropy Perspective", arXiv 2506.14758):
 * each token's advantage gets a clipped, gradient-detached entropy term,
 *   A_it = A_i + s·ψ(H_it),   ψ(H_it) = min(α·H_it, |A_i|/κ)        (α = 0.4, κ = 2: the values their paper reports)
 * with H_it the current policy's predictive entropy at the token (detached: no gradient flows through it) and
 * s = +1 (their direction: higher entropy is better); s = −1 is the reversed prior. The clip |A_i|/κ with κ > 1 never
 * flips the sign of the advantage. Applied on top of the recipe's advantage and inside its clipped surrogate
 * (ℓ_it = −c_it·min(ρ A_it, clip(ρ) A_it)).
 *
 * Length reward (Kimi Team 2025, "Kimi k1.5: Scaling Reinforcement Learning with LLMs", arXiv 2501.12599, §2.3.3
 * "Length Penalty"): within the G responses of a prompt, with the shortest and longest lengths l_min, l_max,
 *   λ_i = 0.5 − (l_i − l_min)/(l_max − l_min)   (0 when l_max = l_min),
 *   r'_i = r_i + w·(λ_i if r_i = 1 else min(0, λ_i))
 * (their direction: shorter is better); the reversed prior uses −λ_i (longer is better). The shaped rewards go through
 * the recipe's advantage (for Dr. GRPO: r' − mean r'). w = 1 is the largest weight that never ranks a wrong answer
 * above a correct one of the same group (r' ≥ 0.5 when correct, ≤ 0 when wrong).
 */
import { isClipped } from '../clipping';
import { advantages } from '../advantage';
import { registerObjective, type AdvantageContext, type ObjectiveSpec, type PassContext } from '../objective';
import { RECIPES, type Recipe } from '../recipes';
import { clippedSurrogateGrad } from '../../../rlvr/methods/ppo-clip';

/** Which end of the metric the prior favours. */
export type ShapingDirection = 'higher' | 'lower';

/** The entropy-advantage objective's parameters. */
export interface EntropyAdvantageSpec extends ObjectiveSpec {
  kind: 'entropy-advantage';
  alpha: number;
  kappa: number;
  /** 'higher' (Cheng et al.: high-entropy tokens get more advantage) or 'lower' (the reverse). */
  favour: ShapingDirection;
}

/** The length-reward objective's parameters. */
export interface LengthRewardSpec extends ObjectiveSpec {
  kind: 'length-reward';
  weight: number;
  /** 'lower' (Kimi k1.5: shorter is better) or 'higher' (longer is better). */
  favour: ShapingDirection;
}

function checkDirection(favour: unknown, who: string): ShapingDirection {
  if (favour !== 'higher' && favour !== 'lower')
    throw new RangeError(`${who}: favour must be 'higher' or 'lower', got ${String(favour)}`);
  return favour;
}

/** Checks an entropy-advantage spec. */
export function checkEntropyAdvantageSpec(spec: ObjectiveSpec): EntropyAdvantageSpec {
  const { alpha, kappa, favour } = spec as Partial<EntropyAdvantageSpec>;
  if (typeof alpha !== 'number' || !(alpha >= 0))
    throw new RangeError(`entropy-advantage: alpha must be a number ≥ 0 (Cheng et al.: 0.4), got ${String(alpha)}`);
  if (typeof kappa !== 'number' || !(kappa > 1))
    throw new RangeError(
      `entropy-advantage: kappa must be a number > 1 (so the term never flips the sign of A; Cheng et al.: 2), ` +
        `got ${String(kappa)}`,
    );
  checkDirection(favour, 'entropy-advantage');
  return spec as EntropyAdvantageSpec;
}

/** Checks a length-reward spec. */
export function checkLengthRewardSpec(spec: ObjectiveSpec): LengthRewardSpec {
  const { weight, favour } = spec as Partial<LengthRewardSpec>;
  if (typeof weight !== 'number' || !(weight >= 0))
    throw new RangeError(`length-reward: weight must be a number ≥ 0, got ${String(weight)}`);
  checkDirection(favour, 'length-reward');
  return spec as LengthRewardSpec;
}

/** A_it = A + s·min(α·H, |A|/κ): the shaped token advantage (s = +1 for 'higher', −1 for 'lower'). */
export function entropyShapedAdvantage(A: number, H: number, spec: EntropyAdvantageSpec): number {
  const psi = Math.min(spec.alpha * H, Math.abs(A) / spec.kappa);
  return spec.favour === 'higher' ? A + psi : A - psi;
}

/** The objective's per-token gradient for one pass: the recipe's clipped surrogate with the shaped advantage. */
function entropyAdvantageTokenGrads(ctx: PassContext, w: Float32Array, cut: Uint8Array): void {
  const spec = checkEntropyAdvantageSpec(ctx.spec);
  const { L, lengths, oldLogp } = ctx.batch;
  if (!ctx.entropy) throw new Error('entropy-advantage: the policy reports no entropies (score().entropy)');
  const useRatio = ctx.recipe.epochs > 1 || ctx.batch.offPolicy === true;
  for (const i of ctx.kept) {
    const c = ctx.coef[i]!;
    for (let k = 0; k < lengths[i]; k++) {
      const j = i * L + k;
      const A = entropyShapedAdvantage(ctx.adv[i], ctx.entropy[j], spec);
      const ratio = useRatio ? Math.exp(ctx.logp[j] - oldLogp[j]) : 1;
      const clipped = useRatio && isClipped(ctx.recipe.clipping, A, ratio);
      if (clipped) cut[j] = 1;
      w[j] = clippedSurrogateGrad(c[k], A, ratio, clipped);
    }
  }
}

registerObjective('entropy-advantage', {
  source: 'entropy-based advantage, Cheng et al. 2025 (arXiv 2506.14758)',
  tokenGrads: (ctx, w, cut) => entropyAdvantageTokenGrads(ctx, w, cut),
});

/** The shaped rewards r' of B groups of G (group-major) by the length reward. */
export function lengthShapedRewards(
  rewards: ArrayLike<number>,
  lengths: ArrayLike<number>,
  B: number,
  G: number,
  spec: LengthRewardSpec,
): Float64Array {
  if (rewards.length !== B * G || lengths.length !== B * G)
    throw new RangeError(`length-reward: ${rewards.length} rewards, ${lengths.length} lengths for ${B} groups of ${G}`);
  const out = new Float64Array(B * G);
  for (let b = 0; b < B; b++) {
    let lo = Infinity,
      hi = -Infinity;
    for (let g = 0; g < G; g++) {
      lo = Math.min(lo, lengths[b * G + g]);
      hi = Math.max(hi, lengths[b * G + g]);
    }
    for (let g = 0; g < G; g++) {
      const i = b * G + g;
      const kimi = hi > lo ? 0.5 - (lengths[i] - lo) / (hi - lo) : 0;
      const lambda = spec.favour === 'lower' ? kimi : -kimi;
      out[i] = rewards[i] + spec.weight * (rewards[i] === 1 ? lambda : Math.min(0, lambda));
    }
  }
  return out;
}

function lengthRewardAdvantages(ctx: AdvantageContext): Float64Array {
  const spec = checkLengthRewardSpec(ctx.spec);
  const { B, G, lengths } = ctx.batch;
  return advantages(ctx.recipe.advantage, lengthShapedRewards(ctx.rewards, lengths, B, G, spec), B, G);
}

registerObjective('length-reward', {
  source: 'length reward, Kimi Team 2025 (arXiv 2501.12599, section 2.3.3)',
  advantages: (ctx) => lengthRewardAdvantages(ctx),
});

/** Dr. GRPO with clip-higher 0.2/0.28 and no KL: the base every shaping (and CANON) is applied to here. */
const DR_GRPO_CLIP_HIGHER: Recipe = {
  ...RECIPES['dr-grpo'],
  clipping: { kind: 'clip-higher', epsLow: 0.2, epsHigh: 0.28 },
};

/** Dr. GRPO with the entropy-based advantage (α = 0.4, κ = 2), in the given direction. */
export function entropyAdvantageRecipe(favour: ShapingDirection, alpha = 0.4, kappa = 2): Recipe {
  return {
    ...DR_GRPO_CLIP_HIGHER,
    name: `Entropy advantage (${favour} is better)`,
    objective: checkEntropyAdvantageSpec({ kind: 'entropy-advantage', alpha, kappa, favour }),
  };
}

/** Dr. GRPO with the Kimi k1.5 length reward (weight 1), in the given direction. */
export function lengthRewardRecipe(favour: ShapingDirection, weight = 1): Recipe {
  return {
    ...DR_GRPO_CLIP_HIGHER,
    name: `Length reward (${favour === 'lower' ? 'shorter' : 'longer'} is better)`,
    objective: checkLengthRewardSpec({ kind: 'length-reward', weight, favour }),
  };
}
