/**
 * OREAL, Outcome REwArd-based reinforcement Learning (Lyu et al. 2025, "Exploring the Limit of Outcome Reward for
 * Learning Mathematical Reasoning", arXiv 2502.06781; Algorithm 1, the policy loss its line 12 calls eq. (11) and the
 * token-level reward model loss its line 11 calls eq. (12)). The loss as the authors' released code defines it
 * (github.com/InternLM/OREAL, train_oreal.py, the configs oreal_w_tokenrm_*.py):
 *
 *   rollout       K answers per question (prompt_repeat_k = 16), binary rewards r ∈ {−1, +1} (the judger's ±1);
 *                 correctness rate p = (#correct)/K (Algorithm 1, line 7)
 *   shaping       A_i = RLOO of the ±1 rewards over the K answers (reward_shaping_type = "rloo"):
 *                   A⁺ = 2K(1 − p)/(K − 1) for a correct answer, A⁻ = −2Kp/(K − 1) for a wrong one
 *                 ('grpo': (r − mean)/(std + 1e−8) with the unbiased std; 'none': A = r, the unshaped reward)
 *   filter        questions with 0 < p < 1 only, and one correct y⁺ and one wrong y⁻ drawn at random from each
 *                 (filter_trajectory = True; Algorithm 1, lines 8–9) — `orealPairs`
 *   token weights a token-level reward model gives each response token t a score s_t (computed from the prefix
 *                 that predicts token t); with q_t = σ(mean_{u ≤ t} s_u) (the cumulative mean),
 *                   w⁺_t = clamp((q_t − 0.5)/0.5, 0, 1),   w⁻_t = clamp(((1 − q_t) − 0.5)/0.5, 0, 1)
 *                 (threshold_rescale at 0.5); without the model w⁺ = w⁻ = 1 — `orealTokenWeights`
 *   policy loss   eq. (11), per token, normalised by the batch's positive and negative token counts N⁺, N⁻:
 *                   L = Σ_{y⁺} Σ_t −log π_θ(y⁺_t)·w⁺_t·a⁺·λ⁺/N⁺  +  Σ_{y⁻} Σ_t −ρ_t·A⁻·w⁻_t·η/N⁻  + β·KL
 *                 a⁺ = A⁺ (pos_mult_adv = True: behaviour cloning weighted by the shaped reward; false: a⁺ = 1,
 *                 plain behaviour cloning), λ⁺ = positive_loss_factor = 1, η = negative_loss_factor = 0.5,
 *                 ρ_t = exp(log π_θ − sg(log π_θ)) as the code writes it (value 1, gradient ∂log π_θ: no importance
 *                 weight to the sampling policy, also when the experiment takes several Adam steps per batch),
 *                 and the KL the recipe's k3 to the reference with β = kl_coef = 0.01 over all N⁺ + N⁻ tokens
 *                 (the recipe's KL slot, token-mean aggregation).
 * Its gradient in log π_θ(o_t), handed to the policy: −w⁺_t·a⁺·λ⁺/N⁺ on correct answers, −A⁻·w⁻_t·η/N⁻ on wrong
 * ones (A⁻ < 0 pushes them down); `orealTerms` writes the loss with log π_θ in place of ρ (the same gradient). The
 * token-level reward model is trained by eq. (12), the cross-entropy of σ(mean_t s_t) against the outcome
 * (`tokenRmLoss`); its weights are detached from the policy loss.
 *
 * The batch (`OrealRollouts`) carries per pair the correctness rate p and the group size K of the full group it was
 * drawn from, and, when the spec asks for them, the token weights (B·2 × L) the experiment computed with its token
 * reward model before the step. The objective ignores the recipe's advantage, clipping and aggregation weights (its
 * own normalisers N⁺, N⁻); the recipe's KL part is still added by the update.
 */
import { registerObjective, type ObjectiveSpec, type PassContext } from '../objective';
import { RECIPES, type Recipe } from '../recipes';
import type { Rng } from '../../../../core/rng';
import type { Rollouts } from '../update';

/** The reward shaping of the official `reward_shaping_type` switch, and 'none' (the raw ±1 reward). */
export type OrealShaping = 'rloo' | 'grpo' | 'none';

export const OREAL_SHAPINGS: readonly OrealShaping[] = ['rloo', 'grpo', 'none'];

/** OREAL's plain-data parameters (the recipe's objective spec). */
export interface OrealSpec extends ObjectiveSpec {
  kind: 'oreal';
  shaping: OrealShaping;
  /** pos_mult_adv: weight the positives' likelihood by their shaped reward A⁺ (true in every released config). */
  positiveAdvantage: boolean;
  /** λ⁺, positive_loss_factor (1.0). */
  positiveFactor: number;
  /** η, negative_loss_factor (0.5). */
  negativeFactor: number;
  /** Weight tokens by the token-level reward model (the batch must carry `posWeight` and `negWeight`). */
  tokenWeights: boolean;
}

/** The released configuration (oreal_w_tokenrm_OREAL-7B-SFT_seqlen16k.py). */
export const OREAL_DEFAULTS: Omit<OrealSpec, 'kind'> = {
  shaping: 'rloo',
  positiveAdvantage: true,
  positiveFactor: 1,
  negativeFactor: 0.5,
  tokenWeights: true,
};

/** Pairs (G = 2: one correct, one wrong answer per question) with what OREAL's loss needs of the full groups. */
export interface OrealRollouts extends Rollouts {
  /** K, the answers sampled per question (the group the pair was drawn from). */
  groupSize: number;
  /** Correctness rate p of each question's K answers (B). */
  passRate: Float64Array;
  /** w⁺ per token (B·2 × L), when the spec has tokenWeights. */
  posWeight?: Float32Array;
  /** w⁻ per token (B·2 × L), when the spec has tokenWeights. */
  negWeight?: Float32Array;
}

/** Checks a spec (plain data crosses threads; a typo must fail loudly). */
export function checkOrealSpec(spec: ObjectiveSpec): OrealSpec {
  const s = spec as Partial<OrealSpec>;
  if (!OREAL_SHAPINGS.includes(s.shaping as OrealShaping))
    throw new RangeError(
      `reasoning.objectives.oreal: objective.shaping must be one of ${OREAL_SHAPINGS.join(', ')} (the official ` +
        `reward_shaping_type is 'rloo'), got ${String(s.shaping)}`,
    );
  for (const k of ['positiveFactor', 'negativeFactor'] as const)
    if (typeof s[k] !== 'number' || !(s[k]! >= 0) || !Number.isFinite(s[k]))
      throw new RangeError(
        `reasoning.objectives.oreal: objective.${k} must be a finite number ≥ 0 (official 1.0 and 0.5), got ` +
          String(s[k]),
      );
  for (const k of ['positiveAdvantage', 'tokenWeights'] as const)
    if (typeof s[k] !== 'boolean')
      throw new TypeError(`reasoning.objectives.oreal: objective.${k} must be true or false, got ${String(s[k])}`);
  return spec as OrealSpec;
}

/**
 * The shaped rewards (A⁺, A⁻) of a question whose K answers have correctness rate p ∈ (0, 1), from the ±1 rewards:
 * RLOO A_i = r_i − mean_{j≠i} r_j; GRPO (r − mean)/(std + 1e−8) with the unbiased std (torch's default); none: ±1.
 */
export function shapedRewards(shaping: OrealShaping, p: number, K: number): { pos: number; neg: number } {
  if (!(K >= 2) || !Number.isInteger(K))
    throw new RangeError(`reasoning.objectives.oreal: the group size K must be an integer ≥ 2, got ${K}`);
  if (!(p > 0 && p < 1))
    throw new RangeError(`reasoning.objectives.oreal: a pair needs a correctness rate strictly in (0, 1), got ${p}`);
  if (shaping === 'none') return { pos: 1, neg: -1 };
  if (shaping === 'rloo') return { pos: (2 * K * (1 - p)) / (K - 1), neg: (-2 * K * p) / (K - 1) };
  const mean = 2 * p - 1;
  const std = Math.sqrt((4 * p * (1 - p) * K) / (K - 1));
  return { pos: (1 - mean) / (std + 1e-8), neg: (-1 - mean) / (std + 1e-8) };
}

/** threshold_rescale: clamp((q − τ)/(1 − τ), 0, 1). */
export function thresholdRescale(q: number, threshold = 0.5): number {
  return Math.min(1, Math.max(0, (q - threshold) / (1 - threshold)));
}

/** σ(x), stable for large |x|. */
function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * Token weights from token reward-model scores (N rows of L, `lengths` tokens each): q_t = σ(cumulative mean of the
 * scores up to t), w⁺ = thresholdRescale(q), w⁻ = thresholdRescale(1 − q). Zero after each response's end.
 */
export function orealTokenWeights(
  scores: ArrayLike<number>,
  lengths: ArrayLike<number>,
  L: number,
  threshold = 0.5,
): { pos: Float32Array; neg: Float32Array } {
  const N = lengths.length;
  const pos = new Float32Array(N * L),
    neg = new Float32Array(N * L);
  for (let i = 0; i < N; i++) {
    let sum = 0;
    for (let t = 0; t < lengths[i]; t++) {
      sum += scores[i * L + t];
      const q = sigmoid(sum / (t + 1));
      pos[i * L + t] = thresholdRescale(q, threshold);
      neg[i * L + t] = thresholdRescale(1 - q, threshold);
    }
  }
  return { pos, neg };
}

/** ℓ(m, y) = −y log σ(m) − (1 − y) log(1 − σ(m)) in the stable form. */
function bceWithLogits(m: number, y: number): number {
  return Math.max(m, 0) - m * y + Math.log1p(Math.exp(-Math.abs(m)));
}

/**
 * Eq. (12), the token reward model's loss on N responses: (1/N) Σ_i BCE(mean_t s_it, 1[r_i > 0]), and its gradient in
 * each score, ∂/∂s_it = (σ(m_i) − y_i)/(N·|o_i|).
 */
export function tokenRmLoss(
  scores: ArrayLike<number>,
  lengths: ArrayLike<number>,
  rewards: ArrayLike<number>,
  L: number,
): { loss: number; grad: Float64Array } {
  const N = lengths.length;
  const grad = new Float64Array(N * L);
  let loss = 0;
  for (let i = 0; i < N; i++) {
    let m = 0;
    for (let t = 0; t < lengths[i]; t++) m += scores[i * L + t];
    m /= lengths[i];
    const y = rewards[i] > 0 ? 1 : 0;
    loss += bceWithLogits(m, y) / N;
    const g = (sigmoid(m) - y) / (N * lengths[i]);
    for (let t = 0; t < lengths[i]; t++) grad[i * L + t] = g;
  }
  return { loss, grad };
}

/** What eq. (11) (without its KL term) gives on a batch of pairs: the loss and ∂loss/∂log π per token. */
export interface OrealTerms {
  loss: number;
  /** ∂loss/∂log π_θ(o_it), N × L (0 after each end). */
  grad: Float64Array;
  /** N⁺ and N⁻, the positive and negative token counts. */
  posTokens: number;
  negTokens: number;
}

/**
 * Eq. (11) without the KL on a pair batch: `logp` (N × L), 0/1 `rewards`, p and K per pair's group (rows 2b, 2b+1
 * belong to group b), token weights (or null: 1). The negatives' ρ = exp(log π − sg(log π)) is written as log π
 * (value shifted by a constant, the same gradient).
 */
export function orealTerms(
  spec: OrealSpec,
  logp: ArrayLike<number>,
  lengths: ArrayLike<number>,
  rewards: ArrayLike<number>,
  passRate: ArrayLike<number>,
  K: number,
  G: number,
  L: number,
  posWeight: ArrayLike<number> | null,
  negWeight: ArrayLike<number> | null,
): OrealTerms {
  const N = lengths.length;
  let posTokens = 0,
    negTokens = 0;
  for (let i = 0; i < N; i++)
    if (rewards[i] > 0) posTokens += lengths[i];
    else negTokens += lengths[i];
  const grad = new Float64Array(N * L);
  let loss = 0;
  for (let i = 0; i < N; i++) {
    const A = shapedRewards(spec.shaping, passRate[Math.floor(i / G)], K);
    const correct = rewards[i] > 0;
    for (let t = 0; t < lengths[i]; t++) {
      const j = i * L + t;
      if (correct) {
        const c = (posWeight ? posWeight[j] : 1) * (spec.positiveAdvantage ? A.pos : 1) * spec.positiveFactor;
        loss += (-logp[j] * c) / posTokens;
        grad[j] = -c / posTokens;
      } else {
        const c = A.neg * (negWeight ? negWeight[j] : 1) * spec.negativeFactor;
        loss += (-logp[j] * c) / negTokens;
        grad[j] = -c / negTokens;
      }
    }
  }
  return { loss, grad, posTokens, negTokens };
}

/** The objective's per-token gradient for one pass (objective.ts `tokenGrads`). */
function orealTokenGrads(ctx: PassContext, w: Float32Array): void {
  const spec = checkOrealSpec(ctx.spec);
  const b = ctx.batch as OrealRollouts;
  const N = b.B * b.G;
  if (!(b.passRate instanceof Float64Array) || b.passRate.length !== b.B || !(b.groupSize >= 2))
    throw new Error(
      `reasoning.objectives.oreal: the ${ctx.recipe.name} recipe needs an OrealRollouts batch (pairs from ` +
        'orealPairs, with passRate and groupSize); got a plain batch',
    );
  if (ctx.kept.length !== N)
    throw new Error(`reasoning.objectives.oreal: the ${ctx.recipe.name} recipe must not filter (pairs are chosen)`);
  if (spec.tokenWeights && !(b.posWeight && b.negWeight))
    throw new Error(
      `reasoning.objectives.oreal: the ${ctx.recipe.name} recipe weights tokens; set posWeight and negWeight ` +
        '(orealTokenWeights of the token reward model) on the batch',
    );
  const t = orealTerms(
    spec,
    ctx.logp,
    b.lengths,
    b.rewards,
    b.passRate,
    b.groupSize,
    b.G,
    b.L,
    spec.tokenWeights ? b.posWeight! : null,
    spec.tokenWeights ? b.negWeight! : null,
  );
  for (let j = 0; j < N * b.L; j++) w[j] = t.grad[j];
}

registerObjective('oreal', {
  source: 'OREAL (Lyu et al. 2025, arXiv 2502.06781, eq. 11; github.com/InternLM/OREAL train_oreal.py)',
  tokenGrads: (ctx, w) => orealTokenGrads(ctx, w),
});

/**
 * Algorithm 1, lines 7–9: from a batch of B groups of K answers keep the questions with 0 < p < 1 and draw one
 * correct and one wrong answer of each at random; the pairs (G = 2, correct first) carry p and K. Null when no
 * question has mixed rewards.
 */
export function orealPairs(r: Rollouts, rng: Rng): OrealRollouts | null {
  const { B, G, L } = r,
    T = r.P + L;
  const rows: number[] = [],
    rates: number[] = [];
  for (let b = 0; b < B; b++) {
    const pos: number[] = [],
      neg: number[] = [];
    for (let g = 0; g < G; g++) (r.rewards[b * G + g] > 0 ? pos : neg).push(b * G + g);
    if (pos.length === 0 || neg.length === 0) continue;
    rows.push(pos[rng.int(pos.length)], neg[rng.int(neg.length)]);
    rates.push(pos.length / G);
  }
  if (rows.length === 0) return null;
  const out: OrealRollouts = {
    B: rates.length,
    G: 2,
    P: r.P,
    L,
    seq: new Int32Array(rows.length * T),
    lengths: Int32Array.from(rows, (i) => r.lengths[i]),
    oldLogp: new Float32Array(rows.length * L),
    rewards: Float64Array.from(rows, (i) => r.rewards[i]),
    groupSize: G,
    passRate: Float64Array.from(rates),
  };
  rows.forEach((i, j) => {
    out.seq.set(r.seq.subarray(i * T, (i + 1) * T), j * T);
    out.oldLogp.set(r.oldLogp.subarray(i * L, (i + 1) * L), j * L);
  });
  return out;
}

/** An OREAL spec from the released defaults with overrides. */
export function orealSpec(o: Partial<Omit<OrealSpec, 'kind'>> = {}): OrealSpec {
  return checkOrealSpec({ kind: 'oreal', ...OREAL_DEFAULTS, ...o });
}

/**
 * The OREAL recipe: the objective replaces the surrogate; the KL to the reference is the code's "unbias" estimator
 * (k3) with kl_coef 0.01 over all trained tokens (token-mean); no filters (the pairs are chosen by `orealPairs`), one
 * on-policy pass. The advantage and clipping entries are unused by OREAL.
 */
export const OREAL_RECIPE: Recipe = {
  ...RECIPES.grpo,
  name: 'OREAL',
  aggregation: 'token-mean',
  clipping: { kind: 'none' },
  kl: { kind: 'loss', estimator: 'k3', beta: 0.01 },
  filters: [],
  objective: orealSpec(),
};

/** The pairs of groups `idx` of a pair batch, with their p, K and token weights (for mini-batch steps). */
export function selectPairs(b: OrealRollouts, idx: readonly number[]): OrealRollouts {
  const { G, L } = b,
    T = b.P + L;
  const rows = idx.flatMap((g) => Array.from({ length: G }, (_, k) => g * G + k));
  const pick = <A extends Float32Array | Float64Array | Int32Array>(x: A, w: number, make: (n: number) => A): A => {
    const out = make(rows.length * w);
    rows.forEach((i, j) => out.set(x.subarray(i * w, (i + 1) * w) as never, j * w));
    return out;
  };
  const out: OrealRollouts = {
    B: idx.length,
    G,
    P: b.P,
    L,
    seq: pick(b.seq, T, (n) => new Int32Array(n)),
    lengths: pick(b.lengths, 1, (n) => new Int32Array(n)),
    oldLogp: pick(b.oldLogp, L, (n) => new Float32Array(n)),
    rewards: pick(b.rewards, 1, (n) => new Float64Array(n)),
    groupSize: b.groupSize,
    passRate: Float64Array.from(idx, (g) => b.passRate[g]),
  };
  if (b.offPolicy) out.offPolicy = true;
  if (b.posWeight) out.posWeight = pick(b.posWeight, L, (n) => new Float32Array(n));
  if (b.negWeight) out.negWeight = pick(b.negWeight, L, (n) => new Float32Array(n));
  return out;
}
