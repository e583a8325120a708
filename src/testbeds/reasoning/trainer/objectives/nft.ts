/**
 * NFT, Negative-aware Fine-Tuning (Chen et al. 2025, "Bridging Supervised Learning and Reinforcement Learning in Math
 * Reasoning", arXiv 2505.18116; equation numbers of v3; official code github.com/NVlabs/NFT, dp_actor.py
 * `update_policy` and ray_nft_trainer.py `compute_dapo_nft_outcome_advantage`).
 *
 * Policy splitting (eq. 7): π_old(a|q) = r_q·π⁺(a|q) + (1 − r_q)·π⁻(a|q), r_q the old policy's accuracy on question q.
 * The implicit negative policy (eq. 8) is built from the trained (positive) policy π_θ and the old one:
 *   π_θ⁻(a|q) = [π_old(a|q) − r_q·π_θ(a|q)] / (1 − r_q),
 * so maximising the likelihood of π_θ⁻ on wrong answers pushes π_θ down on them. Per token, with the likelihood ratio
 * R_t = π_θ(a_t|q, a_<t)/π_old(a_t|q, a_<t) and r̂_q the group's correct fraction, the practical loss (eq. 10) is
 *   ℓ_t = ω(q)·[ −r·log max_v(R_t, ε⁺) − λ·(1 − r)·log max_v((1 − r̂_q·R_t)/(1 − r̂_q), ε) ]
 * with r ∈ {0, 1} the verifier reward, max_v(x, ε) = x + stop_gradient(max(x, ε) − x) (the value is clipped at ε, the
 * gradient of x is kept: the official `clamp_preserve_grad`), λ = `negWeight` (1 NFT, 0 RFT: the code's
 * `neg_weight`), ε = `epsilon` (`clamp_negative`, 1.0 in the paper), ε⁺ = `epsilonPositive` (`clamp_positive`, 0).
 * The official code also clamps r̂_q to [0.02, 0.98] and log R_t at 10 (torch's clamp: no gradient above it).
 * Prompt weights ω(q) (`promptWeight`, the code's `normalize`):
 *   'uniform'        ω = 1                       (normalize 0; the paper's RFT)
 *   'negative-rate'  ω = 1 − r̂_q                 (normalize 1; the paper's default, = Dr. GRPO on-policy)
 *   'grpo'           ω = √((1 − r̂_q)/r̂_q)        (normalize 2; = GRPO with the population std on-policy)
 * The loss of a batch is Σ_i Σ_t c_it·ℓ_it with the recipe's aggregation weights c (token-mean: the paper's
 * token-level normalisation). Its gradient in log π_θ(a_t), handed to the policy, is (where log R_t ≤ 10)
 *   positive:  −ω·c·R/max(R, ε⁺)                          (= −ω·c for ε⁺ = 0: plain likelihood, no trust region)
 *   negative:  +λ·ω·c·r̂R / [(1 − r̂)·max((1 − r̂R)/(1 − r̂), ε)]
 * On-policy (R = 1, ε ≤ 1) these are −ω·c and λ·ω·c·r̂/(1 − r̂): with ω = √((1 − r̂)/r̂) exactly GRPO's −c·A for a
 * population-std advantage (Prop. 4.1–4.2: NFT and GRPO are equivalent in strict on-policy training), with
 * ω = 1 − r̂ Dr. GRPO's −c·(r − r̂). Off-policy they differ: NFT never clips positives, and on a negative whose
 * likelihood rose (R > 1) the ε = 1 clip caps the weight at the on-policy value times R instead of cutting it.
 */
import { registerObjective, type ObjectiveSpec, type PassContext } from '../objective';
import { RECIPES, type Recipe } from '../recipes';

/** The prompt weightings ω(q) of the official code's `normalize` switch. */
export type NftPromptWeight = 'uniform' | 'negative-rate' | 'grpo';

export const NFT_PROMPT_WEIGHTS: readonly NftPromptWeight[] = ['uniform', 'negative-rate', 'grpo'];

/** NFT's parameters (the recipe's objective spec, `kind: 'nft'`). */
export interface NftParams {
  /** ε: the clip of the implicit negative ratio (> 0; official `clamp_negative` = 1.0). */
  epsilon: number;
  /** ε⁺: the clip of the positive ratio (≥ 0; official `clamp_positive` = 0, i.e. none). */
  epsilonPositive: number;
  /** λ: the weight of the negative-answer loss (1 = NFT, 0 = RFT; official `neg_weight`). */
  negWeight: number;
  /** ω(q) (official `normalize`). */
  promptWeight: NftPromptWeight;
}

/** The official defaults (train_7B.sh: clamp_negative 1.0, clamp_positive 0.0, neg_weight 1.0, normalize 1). */
export const NFT_DEFAULTS: NftParams = { epsilon: 1, epsilonPositive: 0, negWeight: 1, promptWeight: 'negative-rate' };

/** The official code's clamp of the correct rate r̂_q (dp_actor.py: torch.clamp(correct_rate, 0.02, 0.98)). */
export const RATE_CLAMP: readonly [number, number] = [0.02, 0.98];

/** The official code's clamp of the log-ratio (exp((log π − log π_old).clamp(max=10))). */
export const LOG_RATIO_MAX = 10;

/** ω(q) for a (clamped) correct rate r̂ ∈ (0, 1). */
export function promptWeight(kind: NftPromptWeight, rate: number): number {
  switch (kind) {
    case 'uniform':
      return 1;
    case 'negative-rate':
      return 1 - rate;
    case 'grpo':
      return Math.sqrt((1 - rate) / rate);
  }
}

/** r̂_q of one group of rewards, clamped to `RATE_CLAMP`. */
export function correctRate(rewards: ArrayLike<number>, from: number, G: number): number {
  let s = 0;
  for (let g = 0; g < G; g++) s += rewards[from + g] > 0 ? 1 : 0;
  return Math.min(RATE_CLAMP[1], Math.max(RATE_CLAMP[0], s / G));
}

/** The per-token loss ℓ_t (eq. 10, without c and ω) at log-ratio d = log π_θ − log π_old, reward r ∈ {0, 1}. */
export function nftTokenLoss(d: number, correct: boolean, rate: number, p: NftParams): number {
  const R = Math.exp(Math.min(d, LOG_RATIO_MAX));
  if (correct) return -Math.log(Math.max(R, p.epsilonPositive));
  return -p.negWeight * Math.log(Math.max((1 - rate * R) / (1 - rate), p.epsilon));
}

/**
 * ∂ℓ_t/∂log π_θ (the straight-through gradient of max_v; 0 above the log-ratio clamp) and whether a clip binds
 * (max_v takes its ε branch: the value is clipped, the gradient rescaled).
 */
export function nftTokenGrad(
  d: number,
  correct: boolean,
  rate: number,
  p: NftParams,
): { grad: number; clipped: boolean } {
  if (d > LOG_RATIO_MAX) return { grad: 0, clipped: true };
  const R = Math.exp(d);
  if (correct) {
    const m = Math.max(R, p.epsilonPositive);
    return { grad: -R / m, clipped: R < p.epsilonPositive };
  }
  if (p.negWeight === 0) return { grad: 0, clipped: false };
  const x = (1 - rate * R) / (1 - rate);
  return { grad: (p.negWeight * rate * R) / ((1 - rate) * Math.max(x, p.epsilon)), clipped: x < p.epsilon };
}

/** The spec's parameters, checked (errors name the recipe's field). */
export function nftParams(spec: ObjectiveSpec): NftParams {
  const num = (k: keyof NftParams, dflt: number): number => {
    const v = spec[k] ?? dflt;
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new TypeError(`reasoning.objectives.nft: objective.${k} must be a finite number, got ${String(v)}`);
    return v;
  };
  const p: NftParams = {
    epsilon: num('epsilon', NFT_DEFAULTS.epsilon),
    epsilonPositive: num('epsilonPositive', NFT_DEFAULTS.epsilonPositive),
    negWeight: num('negWeight', NFT_DEFAULTS.negWeight),
    promptWeight: (spec.promptWeight ?? NFT_DEFAULTS.promptWeight) as NftPromptWeight,
  };
  if (!(p.epsilon > 0))
    throw new RangeError(
      `reasoning.objectives.nft: objective.epsilon must be > 0 (the negative ratio's clip; the paper uses 1), ` +
        `got ${p.epsilon}`,
    );
  if (!(p.epsilonPositive >= 0))
    throw new RangeError(`reasoning.objectives.nft: objective.epsilonPositive must be ≥ 0, got ${p.epsilonPositive}`);
  if (!(p.negWeight >= 0))
    throw new RangeError(
      `reasoning.objectives.nft: objective.negWeight must be ≥ 0 (1 = NFT, 0 = RFT; the official code's ` +
        `negative values select DAPO's loss, which is the dapo recipe here), got ${p.negWeight}`,
    );
  if (!NFT_PROMPT_WEIGHTS.includes(p.promptWeight))
    throw new RangeError(
      `reasoning.objectives.nft: objective.promptWeight must be one of ${NFT_PROMPT_WEIGHTS.join(', ')}, ` +
        `got ${String(spec.promptWeight)}`,
    );
  return p;
}

/** Writes NFT's per-token weights w = c·ω·∂ℓ/∂log π for the kept responses of one pass (see the module comment). */
export function nftTokenGrads(ctx: PassContext, w: Float32Array, cut: Uint8Array): void {
  const p = nftParams(ctx.spec);
  const { G, L, rewards, oldLogp, lengths } = ctx.batch;
  for (const i of ctx.kept) {
    const c = ctx.coef[i]!;
    const g0 = Math.floor(i / G) * G;
    const rate = correctRate(rewards, g0, G);
    const omega = promptWeight(p.promptWeight, rate);
    const correct = rewards[i] > 0;
    for (let k = 0; k < lengths[i]; k++) {
      const j = i * L + k;
      const t = nftTokenGrad(ctx.logp[j] - oldLogp[j], correct, rate, p);
      w[j] = c[k] * omega * t.grad;
      cut[j] = t.clipped ? 1 : 0;
    }
  }
}

registerObjective('nft', {
  source: 'NFT (Chen et al. 2025, arXiv 2505.18116, eq. 10; github.com/NVlabs/NFT dp_actor.py)',
  tokenGrads: nftTokenGrads,
});

/**
 * The paper's pipeline, the official code's settings (train_7B.sh, on the DAPO code base): DAPO's dynamic sampling of
 * groups with mixed rewards (Algorithm 1 keeps questions with 0 < r̂_q < 1), token-level normalisation, no KL, no
 * entropy term. The ratio clip lives in the objective (the recipe's `clipping` is unused by it).
 */
const NFT_BASE: Recipe = {
  ...RECIPES.dapo,
  name: 'NFT',
  clipping: { kind: 'none' },
  objective: { kind: 'nft', ...NFT_DEFAULTS },
};

/** The NFT recipes: the paper's NFT, and its RFT and prompt-weighting switches on the same pipeline. */
export const NFT_RECIPES = {
  /** NFT as run in the paper: ε = 1, ω = 1 − r̂_q, λ = 1. */
  nft: NFT_BASE,
  /** The paper's RFT baseline: the negative loss zeroed and ω = 1 (neg_weight 0, normalize 0). */
  'rft-nft': {
    ...NFT_BASE,
    name: 'RFT',
    objective: { kind: 'nft', ...NFT_DEFAULTS, negWeight: 0, promptWeight: 'uniform' },
  },
  /** NFT with ω = 1 (normalize 0): the negatives' effect alone against the paper's RFT. */
  'nft-uniform': {
    ...NFT_BASE,
    name: 'NFT (ω = 1)',
    objective: { kind: 'nft', ...NFT_DEFAULTS, promptWeight: 'uniform' },
  },
  /** NFT with ω = √((1 − r̂_q)/r̂_q) (normalize 2): GRPO's gradient in strict on-policy training. */
  'nft-grpo': {
    ...NFT_BASE,
    name: 'NFT (ω = GRPO)',
    objective: { kind: 'nft', ...NFT_DEFAULTS, promptWeight: 'grpo' },
  },
} satisfies Record<string, Recipe>;
