/**
 * The recipe table: each named method of the GRPO family as a composition of parts (advantage.ts,
 * aggregation.ts, clipping.ts, kl.ts, filters.ts), like TRL's `loss_type` list but composable. A notebook
 * takes a recipe and overrides only what it varies: `{ ...RECIPES.grpo, kl: { kind: 'none' } }`.
 */
import type { AdvantageName } from './advantage';
import type { AggregationName } from './aggregation';
import type { Clipping } from './clipping';
import type { CriticSpec } from './critic';
import type { FilterName } from './filters';
import type { ImportanceName } from './importance';
import type { KlPenalty } from './kl';
import type { ObjectiveSpec } from './objective';
import type { OffPolicyTerms } from './off-policy';
import type { TokenControl } from './token-control';

/** One method: which part fills each slot of the update. */
export interface Recipe {
  /** Display name. */
  name: string;
  advantage: AdvantageName;
  aggregation: AggregationName;
  clipping: Clipping;
  kl: KlPenalty;
  /** Entropy bonus α: the loss gets −α·Σ_t c_t·H_t (0 = off). */
  entropyBonus: number;
  /** Sample filters, applied in order. */
  filters: FilterName[];
  /**
   * Dynamic sampling (DAPO, Yu et al. 2025, eq. 11): after filtering, draw fresh prompts again until the batch
   * has B surviving groups (at most `maxRounds` draws in all).
   */
  dynamicSampling: { maxRounds: number } | null;
  /** Gradient passes over each sampled batch (1 = on-policy; > 1: PPO-style reuse, the clip acts). */
  epochs: number;
  /** The importance ratio's form (importance.ts; default 'token'). */
  importance?: ImportanceName;
  /** A covariance-based token control (token-control.ts: Clip-Cov, KL-Cov; default none). */
  tokenControl?: TokenControl;
  /** The off-policy REINFORCE family's extra terms (off-policy.ts: OPMD, AsymRE, RED-Weight; default none). */
  offPolicyTerms?: OffPolicyTerms;
  /** A registered objective replacing the advantage and/or the clipped surrogate (objective.ts; default none). */
  objective?: ObjectiveSpec;
  /** The learned critic of a recipe whose advantage is 'gae' (critic.ts, gae.ts); required by it, else unused. */
  critic?: CriticSpec;
}

const NO_KL: KlPenalty = { kind: 'none' };
const PPO_CLIP: Clipping = { kind: 'symmetric', eps: 0.2 };

/** The named methods. */
export const RECIPES = {
  /** REINFORCE (Williams 1992): A = r, sequence-mean, on-policy. */
  reinforce: {
    name: 'REINFORCE',
    advantage: 'reinforce',
    aggregation: 'sequence-mean',
    clipping: { kind: 'none' },
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
  },
  /** RLOO (Ahmadian et al. 2024): leave-one-out baseline, sequence-mean, on-policy. */
  rloo: {
    name: 'RLOO',
    advantage: 'rloo',
    aggregation: 'sequence-mean',
    clipping: { kind: 'none' },
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
  },
  /**
   * GRPO (Shao et al. 2024, eq. 3–4): group-standardised advantage, per-sequence token mean, PPO clip ε = 0.2,
   * k3 KL in the loss with β = 0.04 (their §4.1 setting), one gradient pass per batch (μ = 1).
   */
  grpo: {
    name: 'GRPO',
    advantage: 'grpo',
    aggregation: 'sequence-mean',
    clipping: PPO_CLIP,
    kl: { kind: 'loss', estimator: 'k3', beta: 0.04 },
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
  },
  /**
   * PPO with a learned critic (Schulman et al. 2017, eq. 7 and 11–12; critic.ts, gae.ts) in verl's RLVR
   * configuration, the PPO baseline of the papers built on verl: a separate critic initialised from the base
   * model with a fresh linear value head, GAE with γ = λ = 1, advantages whitened over the batch's tokens,
   * clipped value loss (range 0.5), critic learning rate 10× the policy's (verl's PPO examples: 1e-5 vs 1e-6),
   * token-mean aggregation, clip 0.2, no KL (use_kl_loss and use_kl_in_reward off by default).
   */
  ppo: {
    name: 'PPO',
    advantage: 'gae',
    aggregation: 'token-mean',
    clipping: PPO_CLIP,
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
    critic: { gamma: 1, lambda: 1, lrScale: 10, valueClip: 0.5 },
  },
  /** Dr. GRPO (Liu et al. 2025, eq. 3): no std, constant normaliser, no KL. */
  'dr-grpo': {
    name: 'Dr. GRPO',
    advantage: 'dr-grpo',
    aggregation: 'constant',
    clipping: PPO_CLIP,
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
  },
  /**
   * DAPO (Yu et al. 2025, eq. 8–11): GRPO advantage, token-mean, clip-higher (ε_low 0.2, ε_high 0.28), no KL,
   * dynamic sampling of groups with mixed rewards (overlong shaping not included: the budget is never hit here).
   */
  dapo: {
    name: 'DAPO',
    advantage: 'grpo',
    aggregation: 'token-mean',
    clipping: { kind: 'clip-higher', epsLow: 0.2, epsHigh: 0.28 },
    kl: NO_KL,
    entropyBonus: 0,
    filters: ['uniform-groups'],
    dynamicSampling: { maxRounds: 3 },
    epochs: 1,
  },
  /** BNPO (Xiao et al. 2025, eq. 6): Beta-normalised advantage with the adaptive (α, β), as GRPO otherwise. */
  bnpo: {
    name: 'BNPO',
    advantage: 'bnpo',
    aggregation: 'sequence-mean',
    clipping: PPO_CLIP,
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
  },
  /** ReMax (Li et al. 2024): greedy-answer baseline, sequence-mean, on-policy. */
  remax: {
    name: 'ReMax',
    advantage: 'remax',
    aggregation: 'sequence-mean',
    clipping: { kind: 'none' },
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
  },
  /**
   * RFT, rejection-sampling fine-tuning (Yuan et al. 2023, §3.3): sample G answers per prompt, keep the correct
   * ones, maximise their likelihood. As a composition: A = r ∈ {0, 1}, keep correct only, token-mean over the
   * kept tokens — exactly the supervised cross-entropy on the accepted samples.
   */
  rft: {
    name: 'RFT',
    advantage: 'reinforce',
    aggregation: 'token-mean',
    clipping: { kind: 'none' },
    kl: NO_KL,
    entropyBonus: 0,
    filters: ['correct-only'],
    dynamicSampling: null,
    epochs: 1,
  },
  /**
   * GSPO (Zheng et al. 2025, "Group Sequence Policy Optimization"): GRPO's advantage with the length-normalised
   * sequence-level ratio, clipped per sequence with the paper's small range (ε_low 3·10⁻⁴, ε_high 4·10⁻⁴), no KL.
   * The ratio acts only when a batch is reused (`epochs` > 1) or stale (the loop's `staleness`).
   */
  gspo: {
    name: 'GSPO',
    advantage: 'grpo',
    aggregation: 'sequence-mean',
    clipping: { kind: 'clip-higher', epsLow: 3e-4, epsHigh: 4e-4 },
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
    importance: 'sequence',
  },
  /**
   * Clip-Cov (Cui et al. 2025, §4; the official scripts' constants: ratio 2·10⁻⁴, covariance band (1, 5)) on GRPO
   * without KL and with two passes per batch, as the entropy-mechanism notebook's GRU section runs it.
   */
  'clip-cov': {
    name: 'Clip-Cov',
    advantage: 'grpo',
    aggregation: 'sequence-mean',
    clipping: PPO_CLIP,
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 2,
    tokenControl: { kind: 'clip-cov', ratio: 2e-4, lb: 1, ub: 5 },
  },
  /**
   * KL-Cov (Cui et al. 2025, §4; official constants k = 2·10⁻³, β = 1): the unclipped surrogate plus the
   * |log π − log μ| penalty on the top-k covariance tokens, two passes per batch (the penalty is 0 on the first).
   */
  'kl-cov': {
    name: 'KL-Cov',
    advantage: 'grpo',
    aggregation: 'sequence-mean',
    clipping: { kind: 'none' },
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 2,
    tokenControl: { kind: 'kl-cov', ratio: 2e-3, beta: 1 },
  },
  /**
   * Lite PPO (Liu et al. 2025, "Part I: Tricks or Traps?"): the vanilla PPO clip with their two techniques,
   * advantages centred on the group mean and scaled by the batch std, and token-level loss aggregation; no KL.
   */
  'lite-ppo': {
    name: 'Lite PPO',
    advantage: 'group-mean-batch-std',
    aggregation: 'token-mean',
    clipping: PPO_CLIP,
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
  },
  /**
   * The off-policy REINFORCE family of Yao et al. 2025 ("Group-Relative REINFORCE Is Secretly an Off-Policy
   * Algorithm"), with the coefficients of the authors' Trinity-RFT rec_gsm8k configurations: group-mean baseline,
   * no KL. REC-OneSide-NoIS keeps PPO's clip as a regulariser without the importance weight; OPMD adds
   * τ(log π − log μ)² (τ = 0.1); AsymRE lowers the baseline by τ = 0.1; RED-Weight weights by exp(A/T), T = 1.
   * They differ from REINFORCE only on stale or reused data (the loop's `staleness`, `epochs`).
   */
  'rec-oneside-nois': {
    name: 'REC-OneSide-NoIS',
    advantage: 'baseline',
    aggregation: 'sequence-mean',
    clipping: PPO_CLIP,
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
    importance: 'none',
  },
  opmd: {
    name: 'OPMD',
    advantage: 'baseline',
    aggregation: 'sequence-mean',
    clipping: { kind: 'none' },
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
    importance: 'none',
    offPolicyTerms: { k2Behaviour: 0.1 },
  },
  asymre: {
    name: 'AsymRE',
    advantage: 'baseline',
    aggregation: 'sequence-mean',
    clipping: { kind: 'none' },
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
    importance: 'none',
    offPolicyTerms: { asymRe: 0.1 },
  },
  'red-weight': {
    name: 'RED-Weight',
    advantage: 'baseline',
    aggregation: 'sequence-mean',
    clipping: { kind: 'none' },
    kl: NO_KL,
    entropyBonus: 0,
    filters: [],
    dynamicSampling: null,
    epochs: 1,
    importance: 'none',
    offPolicyTerms: { advantageWeightTemp: 1 },
  },
} satisfies Record<string, Recipe>;

export type RecipeName = keyof typeof RECIPES;

export const RECIPE_NAMES = Object.keys(RECIPES) as RecipeName[];
