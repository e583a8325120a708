/**
 * The advantage recipe table of the policy-gradient family: one kind per named method, each formula
 * in its own file, differing only where its paper differs. For one group of G responses to the same
 * prompt, rewards r_1..r_G (mean r̄, std s):
 *   'reinforce'   A_i = r_i                               (reinforce.ts; Williams 1992)
 *   'baseline'    A_i = r_i − r̄                           (reinforce.ts; group-mean baseline)
 *   'dr-grpo'     A_i = r_i − r̄                           (reinforce.ts; Liu et al. 2025, eq. 3: GRPO
 *                                                         without the std, and no 1/|o| length normalisation,
 *                                                         token-aggregation.ts)
 *   'rloo'        A_i = r_i − (Σ_j r_j − r_i)/(G − 1)     (rloo.ts; Ahmadian et al. 2024)
 *   'grpo'        A_i = (r_i − r̄)/(s + ε)                 (grpo.ts; Shao et al. 2024, eq. 3)
 *   'bnpo'        A_i = (r_i − p̂)/f_N(p̂; α, β)            (bnpo.ts; Xiao et al. 2025, eq. 6), p̂ = r̄,
 *                 f_N the Beta(α, β) density, (α, β) fixed or fitted to the batch ('adaptive')
 * ReMax's greedy baseline is remax.ts. The surrogates that consume advantages: ppo-clip.ts (PPO/GRPO
 * clip), loops/bandit-pg.ts (the bandit's composed recipe), the GRU loops in loops/.
 */
import { bnpoAdvantages, bnpoParameters } from './bnpo';
import { grpoAdvantages } from './grpo';
import { baselineAdvantages, reinforceAdvantages } from './reinforce';
import { rlooAdvantages } from './rloo';

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

/**
 * B groups of G sampled responses, G to each prompt, in group-major order: what every advantage reads.
 * The bandit's batches (loops/bandit-pg.ts `BanditBatch`) and the GRU's (loops/gru-rl.ts
 * `GruGroupBatch`) extend it with their own representation of a response.
 */
export interface GroupBatch {
  /** Responses per prompt. */
  G: number;
  /** Reward of each response (B·G, group-major). */
  rewards: Float64Array;
}

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
  switch (o.kind) {
    case 'reinforce':
      return reinforceAdvantages(rewards, offset, G, out);
    case 'baseline':
    case 'dr-grpo':
      return baselineAdvantages(rewards, offset, G, out, pGroup);
    case 'rloo':
      return rlooAdvantages(rewards, offset, G, out);
    case 'grpo':
      return grpoAdvantages(rewards, offset, G, out, o.std ?? 'unbiased', o.eps ?? 1e-6);
    case 'bnpo': {
      const ab = bnpo ?? (o.bnpo && o.bnpo !== 'adaptive' ? o.bnpo : null);
      if (!ab)
        throw new RangeError(
          "rlvr.groupAdvantages: BNPO needs fixed (alpha, beta) here; use batchAdvantages for bnpo: 'adaptive'",
        );
      return bnpoAdvantages(rewards, offset, G, out, ab, pGroup);
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
