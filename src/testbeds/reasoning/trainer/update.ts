/**
 * One policy update from a sampled batch, composed from the recipe's parts. For responses i (B groups of G)
 * with rewards r_i, tokens t < |o_i|, log-probabilities under the sampling policy (old), the current policy
 * and the reference:
 *   r'_i  = r_i − β·Σ_t k(x_t)                 when the KL is in the reward (kl.ts), else r_i
 *   A_i   = advantage(r')                      (advantage.ts), then the filters' keep mask (filters.ts)
 *   c_it  = aggregation weights over the kept responses (aggregation.ts)
 *   loss  = Σ_i Σ_t c_it·[ℓ_clip(ρ_it, A_i) + β·k(x_it) (KL in the loss) − α·H_it (entropy bonus)]
 * and the policy is given w = ∂loss/∂log π per token (and e = −α·c for the entropy), for `epochs` passes.
 * The per-token gradient of the surrogate is the RLVR testbed's `clippedSurrogateGrad` (methods/ppo-clip.ts),
 * so the GRPO recipe computes the same floats as the GRU loop (loops/gru-rl.ts) on the same batch.
 */
import { clippedSurrogateGrad } from '../../rlvr/methods/ppo-clip';
import { advantages } from './advantage';
import { tokenWeights } from './aggregation';
import { isClipped } from './clipping';
import { keepMask } from './filters';
import { klEstimate, klGrad } from './kl';
import type { RlPolicy } from './policy';
import type { Recipe } from './recipes';

/** A sampled batch: B groups of G responses, each row prompt (P tokens) + completion (L tokens). */
export interface Rollouts {
  B: number;
  G: number;
  P: number;
  L: number;
  /** B·G × (P + L) token rows (pad after each completion's end). */
  seq: Int32Array;
  /** Completion lengths (≥ 1). */
  lengths: Int32Array;
  /** log π_old of each completion token, B·G × L (0 after the end). */
  oldLogp: Float32Array;
  /** Verifier rewards (0/1), B·G. */
  rewards: Float64Array;
  /** ReMax: the reward of each group's greedy answer (B). */
  greedyRewards?: Float64Array;
}

/** What one update did. */
export interface UpdateStats {
  /** Responses kept by the filters. */
  kept: number;
  /** Fraction of kept tokens whose gradient the clip cut (over all passes). */
  clipFraction: number;
  /** Mean per-token KL estimate to the reference over kept tokens (NaN without a KL part). */
  kl: number;
  /** Gradient norm before clipping, last pass (NaN when nothing was kept and no step was taken). */
  gradNorm: number;
}

/** The per-response advantages and keep mask of a batch under a recipe (reward-side KL included). */
export function recipeAdvantages(
  recipe: Recipe,
  r: Rollouts,
  refLogp: Float32Array | null,
): { adv: Float64Array; keep: Uint8Array } {
  const N = r.B * r.G;
  let rewards: Float64Array = r.rewards;
  if (recipe.kl.kind === 'reward') {
    if (!refLogp) throw new Error('reasoning.update: a KL penalty needs the reference log-probabilities');
    rewards = new Float64Array(N);
    for (let i = 0; i < N; i++) {
      let k = 0;
      for (let t = 0; t < r.lengths[i]; t++)
        k += klEstimate(recipe.kl.estimator, r.oldLogp[i * r.L + t] - refLogp[i * r.L + t]);
      rewards[i] = r.rewards[i] - recipe.kl.beta * k;
    }
  }
  const adv = advantages(recipe.advantage, rewards, r.B, r.G, { greedyRewards: r.greedyRewards });
  return { adv, keep: keepMask(recipe.filters, r.rewards, r.B, r.G) };
}

/**
 * Applies `recipe` to the batch: `epochs` passes of score → token weights → backward → step on `policy`.
 * `refLogp` (B·G × L) is required when the recipe has a KL part. Takes no step when no response is kept.
 */
export function policyUpdate(policy: RlPolicy, recipe: Recipe, r: Rollouts, refLogp: Float32Array | null): UpdateStats {
  const N = r.B * r.G,
    L = r.L,
    T = r.P + L;
  if (recipe.kl.kind !== 'none' && !refLogp)
    throw new Error(`reasoning.update: the ${recipe.name} recipe has a KL part and needs reference log-probabilities`);
  const { adv, keep } = recipeAdvantages(recipe, r, refLogp);
  const kept: number[] = [];
  for (let i = 0; i < N; i++) if (keep[i]) kept.push(i);
  if (kept.length === 0) return { kept: 0, clipFraction: 0, kl: NaN, gradNorm: NaN };
  const wts = tokenWeights(
    recipe.aggregation,
    kept.map((i) => r.lengths[i]),
    L,
  );
  const coef: (Float64Array | null)[] = new Array(N).fill(null);
  kept.forEach((i, j) => (coef[i] = wts[j]));
  const lossKl = recipe.kl.kind === 'loss' ? recipe.kl : null;
  const alpha = recipe.entropyBonus;
  const w = new Float32Array(N * L);
  const e = alpha ? new Float32Array(N * L) : undefined;
  let clipped = 0,
    tokens = 0,
    klSum = 0,
    gradNorm = NaN;
  for (let pass = 0; pass < recipe.epochs; pass++) {
    const s = policy.score(r.seq, N, T, r.P);
    w.fill(0);
    for (let i = 0; i < N; i++) {
      const c = coef[i];
      if (!c) continue;
      const A = adv[i];
      for (let k = 0; k < r.lengths[i]; k++) {
        const j = i * L + k;
        const ratio = recipe.epochs > 1 ? Math.exp(s.logp[j] - r.oldLogp[j]) : 1;
        const cut = recipe.epochs > 1 && isClipped(recipe.clipping, A, ratio);
        let g = clippedSurrogateGrad(c[k], A, ratio, cut);
        if (refLogp && recipe.kl.kind !== 'none') {
          const x = s.logp[j] - refLogp[j];
          if (pass === 0) klSum += klEstimate(recipe.kl.estimator, x);
          if (lossKl) g += lossKl.beta * c[k] * klGrad(lossKl.estimator, x);
        }
        w[j] = g;
        if (e) e[j] = -alpha * c[k];
        if (cut) clipped++;
        tokens++;
      }
    }
    if (e && !s.entropy) throw new Error('reasoning.update: an entropy bonus needs a policy that reports entropies');
    policy.backward(s, w, e);
    gradNorm = policy.step();
  }
  const firstPassTokens = tokens / recipe.epochs;
  return {
    kept: kept.length,
    clipFraction: clipped / tokens,
    kl: recipe.kl.kind === 'none' ? NaN : klSum / firstPassTokens,
    gradNorm,
  };
}
