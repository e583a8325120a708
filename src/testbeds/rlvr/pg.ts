/**
 * The policy-gradient family for RLVR, each method once, differing only where its paper differs.
 *
 * Advantages of one group of G responses to the same prompt, rewards r_1..r_G (mean r̄, std s):
 *   REINFORCE                A_i = r_i                               (Williams 1992)
 *   REINFORCE + baseline     A_i = r_i − r̄                           (group-mean baseline; = Dr. GRPO's advantage)
 *   Dr. GRPO                 A_i = r_i − r̄, and no 1/|o| length normalisation (Liu et al. 2025, eq. 3)
 *   RLOO                     A_i = r_i − (Σ_j r_j − r_i)/(G − 1)     (Ahmadian et al. 2024)
 *   GRPO                     A_i = (r_i − r̄)/(s + ε)                 (Shao et al. 2024, eq. 3)
 *   BNPO                     A_i = (r_i − p̂)/f_N(p̂; α, β)           (Xiao et al. 2025, eq. 6), p̂ = r̄,
 *                            f_N the Beta(α, β) density, α = max(1 + a/3, 1), β = max(1 + b/3, 1) where
 *                            (a, b) are the method-of-moments Beta fit to the batch's p̂ (their Thm. 2 / code)
 *
 * The per-sample surrogate on a batch drawn from a behaviour policy μ (possibly stale), ρ_i = π(o_i)/μ(o_i):
 *   weight_i = mask_i · A_i · (ρ_i if importance weighting) [· exp(A_i/T) for RED-Weight] + τ_asym
 *   mask_i   = 0 where clipping cuts the gradient: 'ppo' (one-sided, = min(ρA, clip(ρ)A), GRPO/PPO):
 *              A > 0 and ρ > 1 + ε_high, or A < 0 and ρ < 1 − ε_low; 'two-side': ρ ∉ [1 − ε_low, 1 + ε_high];
 *              and optionally only positive-advantage ('positive') or negative-advantage ('negative')
 *              samples are kept (PSR / NSR, the "−P" / "−N" variants).
 *   regularisers: OPMD's k2 term τ(log π(o) − log μ(o))² per sample (Kimi k1.5; Yao et al. 2025 REP),
 *              AsymRE's shifted baseline = forward-KL term −τ log π(o) per sample (Arnal et al. 2025),
 *              β·KL(π ‖ π_ref) to a reference (exact over the prompt's responses), c·H(π) entropy bonus.
 *
 * On the tabular bandit, ∂ log π_q(o)/∂z_q = e_o − π_q, so the ascent direction on prompt q's logits is
 *   d_q = (1/G) Σ_i weight_i (e_{o_i} − π_q) − (1/G) Σ_i 2τ_k2 (log π(o_i) − log μ(o_i))(e_{o_i} − π_q)
 *         − β ∇KL + c ∇H,
 * and a step is z_q ← z_q + η d_q for every prompt in the batch (SGD on the batch-mean loss with
 * learning rate η·B). Sequences have one token here, so GRPO's and Dr. GRPO's length aggregation
 * coincide; `aggregateTokenLoss` holds both for sequence models.
 */
import { logGamma } from '../../stats/distributions';
import { Rng } from '../../core/rng';
import { addEntropyGradient, addKlGradient, type Bandit, sampleGroup } from './bandit';

export type AdvantageKind = 'reinforce' | 'baseline' | 'dr-grpo' | 'rloo' | 'grpo' | 'bnpo';
export const ADVANTAGE_KINDS: readonly AdvantageKind[] = ['reinforce', 'baseline', 'dr-grpo', 'rloo', 'grpo', 'bnpo'];

export interface AdvantageOptions {
  kind: AdvantageKind;
  /** GRPO's standard deviation: 'unbiased' (torch.std, as verl/TRL) or 'population'. Default 'unbiased'. */
  std?: 'unbiased' | 'population';
  /** GRPO's ε in (r − r̄)/(s + ε). Default 1e-6. */
  eps?: number;
  /** BNPO: fixed (α, β), or 'adaptive' (default): fitted to the batch's group success rates. */
  bnpo?: { alpha: number; beta: number } | 'adaptive';
  /** BNPO / baseline: use these per-group success probabilities instead of the group means (oracle p(q)). */
  pExact?: ArrayLike<number>;
}

/** Beta(α, β) density at p, with the boundary conventions 0^0 = 1 (so α = 1 or β = 1 are finite at the ends). */
export function betaPdf(p: number, alpha: number, beta: number): number {
  if (!(alpha > 0 && beta > 0)) throw new RangeError(`rlvr.betaPdf: α and β must be positive, got ${alpha}, ${beta}`);
  if (p < 0 || p > 1) return 0;
  const logB = logGamma(alpha) + logGamma(beta) - logGamma(alpha + beta);
  const ta = alpha === 1 ? 0 : (alpha - 1) * Math.log(p);
  const tb = beta === 1 ? 0 : (beta - 1) * Math.log(1 - p);
  return Math.exp(ta + tb - logB);
}

/**
 * BNPO's Beta parameters from the batch's success rates (official code, `compute_bnpo_outcome_advantage`):
 * method-of-moments fit (a, b) of a Beta to the p̂'s (sample mean m, unbiased variance v):
 * a = (m(1 − m)/v − 1)·m, b = (m(1 − m)/v − 1)·(1 − m); then α = max(1 + a/3, 1), β = max(1 + b/3, 1),
 * the minimiser of the gradient variance under p ~ Beta(a, b) (their Theorem 2). With no spread (v = 0)
 * the fit is undefined and α = β = 1 (REINFORCE with baseline) is returned.
 */
export function bnpoParameters(pHat: ArrayLike<number>): { alpha: number; beta: number; a: number; b: number } {
  const n = pHat.length;
  if (n < 2) return { alpha: 1, beta: 1, a: NaN, b: NaN };
  let m = 0;
  for (let i = 0; i < n; i++) m += pHat[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (pHat[i] - m) * (pHat[i] - m);
  v /= n - 1;
  if (!(v > 1e-12) || m <= 0 || m >= 1) return { alpha: 1, beta: 1, a: NaN, b: NaN };
  const k = (m * (1 - m)) / v - 1;
  const a = k * m;
  const b = k * (1 - m);
  return { alpha: Math.max(1 + a / 3, 1), beta: Math.max(1 + b / 3, 1), a, b };
}

/** Largest BNPO weight 1/f_N (the official code clamps at 1e6). */
export const BNPO_MAX_WEIGHT = 1e6;

/**
 * Advantages of one group rewards[offset … offset + G) into out[offset …]. For BNPO, `bnpo` must be
 * a fixed (α, β) (use `batchAdvantages` for the adaptive fit); `pGroup` overrides the group mean.
 */
export function groupAdvantages(
  rewards: ArrayLike<number>,
  offset: number,
  G: number,
  o: AdvantageOptions,
  out: Float64Array,
  pGroup?: number,
  bnpo?: { alpha: number; beta: number },
): void {
  let sum = 0;
  for (let i = 0; i < G; i++) sum += rewards[offset + i];
  const mean = sum / G;
  switch (o.kind) {
    case 'reinforce':
      for (let i = 0; i < G; i++) out[offset + i] = rewards[offset + i];
      return;
    case 'baseline':
    case 'dr-grpo': {
      const b = pGroup ?? mean;
      for (let i = 0; i < G; i++) out[offset + i] = rewards[offset + i] - b;
      return;
    }
    case 'rloo': {
      if (G < 2) throw new RangeError('rlvr.groupAdvantages: RLOO needs groups of at least 2');
      for (let i = 0; i < G; i++) out[offset + i] = rewards[offset + i] - (sum - rewards[offset + i]) / (G - 1);
      return;
    }
    case 'grpo': {
      let ss = 0;
      for (let i = 0; i < G; i++) ss += (rewards[offset + i] - mean) ** 2;
      const unbiased = (o.std ?? 'unbiased') === 'unbiased';
      if (unbiased && G < 2)
        throw new RangeError('rlvr.groupAdvantages: GRPO with the unbiased std needs groups of at least 2');
      const s = Math.sqrt(ss / (unbiased ? G - 1 : G));
      const eps = o.eps ?? 1e-6;
      for (let i = 0; i < G; i++) out[offset + i] = (rewards[offset + i] - mean) / (s + eps);
      return;
    }
    case 'bnpo': {
      const ab = bnpo ?? (o.bnpo && o.bnpo !== 'adaptive' ? o.bnpo : null);
      if (!ab)
        throw new RangeError(
          "rlvr.groupAdvantages: BNPO needs fixed (alpha, beta) here; use batchAdvantages for bnpo: 'adaptive'",
        );
      const p = pGroup ?? mean;
      const w = Math.min(1 / betaPdf(p, ab.alpha, ab.beta), BNPO_MAX_WEIGHT);
      for (let i = 0; i < G; i++) {
        const d = rewards[offset + i] - p;
        out[offset + i] = d === 0 ? 0 : w * d;
      }
      return;
    }
  }
}

/**
 * Advantages of a batch of B groups of G (rewards in group-major order). Returns the advantages and,
 * for BNPO, the (α, β) used.
 */
export function batchAdvantages(
  rewards: ArrayLike<number>,
  B: number,
  G: number,
  o: AdvantageOptions,
  out?: Float64Array,
): { adv: Float64Array; alpha?: number; beta?: number } {
  if (rewards.length !== B * G)
    throw new RangeError(`rlvr.batchAdvantages: ${rewards.length} rewards for ${B} groups of ${G}`);
  if (o.pExact && o.pExact.length !== B)
    throw new RangeError(`rlvr.batchAdvantages: pExact has ${o.pExact.length} entries for ${B} groups`);
  const adv = out ?? new Float64Array(B * G);
  let ab: { alpha: number; beta: number } | undefined;
  if (o.kind === 'bnpo') {
    if (o.bnpo && o.bnpo !== 'adaptive') ab = o.bnpo;
    else {
      const pHat = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        if (o.pExact) pHat[b] = o.pExact[b];
        else {
          let s = 0;
          for (let i = 0; i < G; i++) s += rewards[b * G + i];
          pHat[b] = s / G;
        }
      }
      const f = bnpoParameters(pHat);
      ab = { alpha: f.alpha, beta: f.beta };
    }
  }
  for (let b = 0; b < B; b++) groupAdvantages(rewards, b * G, G, o, adv, o.pExact ? o.pExact[b] : undefined, ab);
  return ab ? { adv, alpha: ab.alpha, beta: ab.beta } : { adv };
}

/**
 * Aggregate per-token losses of a batch of sequences: 'seq-mean-token-mean' (GRPO: mean over each
 * sequence's |o| tokens, then over sequences), 'token-mean' (DAPO: mean over all tokens), or
 * 'seq-mean-token-sum-norm' (Dr. GRPO: sum over tokens divided by a constant, the maximum length).
 * Returns the per-token weights c_t such that loss = Σ_t c_t ℓ_t.
 */
export function aggregateTokenLoss(
  lengths: ArrayLike<number>,
  mode: 'seq-mean-token-mean' | 'token-mean' | 'seq-mean-token-sum-norm',
  maxLen?: number,
): Float64Array[] {
  const n = lengths.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += lengths[i];
  const L = maxLen ?? Math.max(...Array.from(lengths));
  return Array.from({ length: n }, (_, i) => {
    const len = lengths[i];
    const c = mode === 'seq-mean-token-mean' ? 1 / (n * len) : mode === 'token-mean' ? 1 / total : 1 / (n * L);
    return new Float64Array(len).fill(c);
  });
}

/** A batch of groups on the bandit, sampled from a behaviour policy μ. */
export interface GroupBatch {
  /** Prompt of each group (B). */
  prompts: Int32Array;
  G: number;
  /** Sampled response of each sample (B·G, group-major). */
  actions: Int32Array;
  rewards: Float64Array;
  /** log μ(o_i) under the behaviour policy that generated the sample. */
  behaviourLogProb: Float64Array;
}

/** Sample G responses for each prompt from the behaviour policy (probabilities and log-probabilities, Q·K). */
export function sampleBatch(
  rng: Rng,
  bandit: Bandit,
  behaviourProbs: ArrayLike<number>,
  behaviourLogProbs: ArrayLike<number>,
  prompts: Int32Array,
  G: number,
): GroupBatch {
  const B = prompts.length;
  const K = bandit.nResponses;
  const actions = new Int32Array(B * G);
  const rewards = new Float64Array(B * G);
  const blp = new Float64Array(B * G);
  for (let b = 0; b < B; b++) {
    const q = prompts[b];
    sampleGroup(rng, behaviourProbs, K, q, G, actions, b * G);
    for (let i = 0; i < G; i++) {
      const a = actions[b * G + i];
      rewards[b * G + i] = bandit.rewards[q * K + a];
      blp[b * G + i] = behaviourLogProbs[q * K + a];
    }
  }
  return { prompts, G, actions, rewards, behaviourLogProb: blp };
}

export interface PgConfig {
  advantage: AdvantageOptions;
  /** Multiply the advantage by the importance ratio ρ = π/μ (the IS weight of GRPO/PPO). */
  importanceWeight: boolean;
  /** 'ppo': one-sided clip min(ρA, clip(ρ, 1 − ε_low, 1 + ε_high)A) (GRPO, PPO); 'two-side': drop samples with ρ outside the band. */
  clip: 'none' | 'ppo' | 'two-side';
  clipLow?: number;
  clipHigh?: number;
  /** Keep only samples with positive ('positive', PSR, "−P") or negative ('negative', NSR, "−N") advantage. */
  samples?: 'all' | 'positive' | 'negative';
  /** OPMD: τ in τ(log π(o) − log μ(o))² per sample (Kimi k1.5's ½ absorbed into τ, as in Trinity-RFT). */
  k2Coef?: number;
  /** AsymRE: τ in −τ log π(o) per sample (a baseline lowered by τ). */
  asymShift?: number;
  /** RED-Weight: multiply the advantage by exp(A/T) (null: off). */
  advantageWeightTemp?: number | null;
  /** β in β·KL(π ‖ π_ref), exact over each batch prompt's responses. */
  klRefCoef?: number;
  /** c in c·H(π), exact over each batch prompt's responses. */
  entropyCoef?: number;
}

export interface PgDiagnostics {
  /** Fraction of samples whose gradient the clip (or the sample filter) removed. */
  clippedFraction: number;
  meanRatio: number;
  maxRatio: number;
  /** Fraction of samples with non-zero advantage. */
  informativeFraction: number;
  alpha?: number;
  beta?: number;
}

/**
 * The ascent direction d on the logits (Q·K; zero outside the batch's prompts) for one batch, at the
 * current policy (probs, logProbs). Step: z ← z + η·d.
 */
export function pgDirection(
  bandit: Bandit,
  probs: ArrayLike<number>,
  logProbs: ArrayLike<number>,
  batch: GroupBatch,
  cfg: PgConfig,
  out: Float64Array,
  refLogProbs?: ArrayLike<number>,
): PgDiagnostics {
  const K = bandit.nResponses;
  const B = batch.prompts.length;
  const G = batch.G;
  out.fill(0);
  const pExact = cfg.advantage.pExact;
  const { adv, alpha, beta } = batchAdvantages(
    batch.rewards,
    B,
    G,
    pExact ? { ...cfg.advantage, pExact } : cfg.advantage,
  );
  const lo = 1 - (cfg.clipLow ?? 0.2);
  const hi = 1 + (cfg.clipHigh ?? cfg.clipLow ?? 0.2);
  const only = cfg.samples ?? 'all';
  const k2 = cfg.k2Coef ?? 0;
  const asym = cfg.asymShift ?? 0;
  const temp = cfg.advantageWeightTemp ?? null;
  const klc = cfg.klRefCoef ?? 0;
  const entc = cfg.entropyCoef ?? 0;
  if (klc !== 0 && !refLogProbs) throw new RangeError('rlvr.pgDirection: klRefCoef needs refLogProbs');
  let clipped = 0;
  let ratioSum = 0;
  let ratioMax = 0;
  let informative = 0;
  for (let b = 0; b < B; b++) {
    const q = batch.prompts[b];
    const s = q * K;
    for (let i = 0; i < G; i++) {
      const j = b * G + i;
      const o = batch.actions[j];
      const A = adv[j];
      if (A !== 0) informative++;
      const lp = logProbs[s + o];
      const ratio = Math.exp(lp - batch.behaviourLogProb[j]);
      ratioSum += ratio;
      if (ratio > ratioMax) ratioMax = ratio;
      let keep = true;
      if (cfg.clip === 'ppo') keep = !((A > 0 && ratio > hi) || (A < 0 && ratio < lo));
      else if (cfg.clip === 'two-side') keep = ratio >= lo && ratio <= hi;
      if (only === 'positive' && !(A > 0)) keep = false;
      if (only === 'negative' && !(A < 0)) keep = false;
      if (!keep) clipped++;
      let w = keep ? A : 0;
      if (cfg.importanceWeight) w *= ratio;
      if (temp !== null && keep) w *= Math.exp(A / temp);
      w += asym;
      if (k2 !== 0) w -= 2 * k2 * (lp - batch.behaviourLogProb[j]);
      if (w === 0) continue;
      const c = w / G;
      for (let a = 0; a < K; a++) out[s + a] -= c * probs[s + a];
      out[s + o] += c;
    }
    if (klc !== 0) addKlGradient(probs, logProbs, refLogProbs as ArrayLike<number>, K, q, -klc, out);
    if (entc !== 0) addEntropyGradient(probs, logProbs, K, q, entc, out);
  }
  const n = B * G;
  return {
    clippedFraction: clipped / n,
    meanRatio: ratioSum / n,
    maxRatio: ratioMax,
    informativeFraction: informative / n,
    alpha,
    beta,
  };
}

/** B distinct prompts drawn uniformly from Q (partial Fisher–Yates), or all prompts when B ≥ Q. */
export function samplePrompts(rng: Rng, Q: number, B: number): Int32Array {
  if (B >= Q) return Int32Array.from({ length: Q }, (_, i) => i);
  const idx = Int32Array.from({ length: Q }, (_, i) => i);
  for (let i = 0; i < B; i++) {
    const j = i + rng.int(Q - i);
    const t = idx[i];
    idx[i] = idx[j];
    idx[j] = t;
  }
  return idx.slice(0, B);
}
