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
 * Optional slots (absent: the terms above only): the importance ratio's form (importance.ts: per token, per
 * sequence as GSPO, or none), a token control (token-control.ts: Clip-Cov, KL-Cov), the off-policy REINFORCE
 * terms (off-policy.ts: OPMD, AsymRE, RED-Weight), a registered objective (objective.ts) replacing the advantage
 * and/or the clipped surrogate's per-token gradient. Ratios are computed when the recipe makes several passes or
 * the batch was sampled by an older policy (`Rollouts.offPolicy`); on-policy with one pass ρ = 1 exactly.
 */
import type { Rng } from '../../../core/rng';
import { clipCovSelect } from '../../rlvr/methods/clip-cov';
import { klCovSelect, klCovTokenGrad } from '../../rlvr/methods/kl-cov';
import { clippedSurrogateGrad } from '../../rlvr/methods/ppo-clip';
import { tokenCovariance } from '../../rlvr/methods/token-covariance';
import { EOS } from '../tasks/vocab';
import { advantages } from './advantage';
import { tokenWeights } from './aggregation';
import { isClipped } from './clipping';
import { keepMask } from './filters';
import { sequenceRatio } from './importance';
import { klEstimate, klGrad } from './kl';
import { objectiveFor } from './objective';
import { advantageWeight, offPolicyTermGrad } from './off-policy';
import type { RlPolicy } from './policy';
import { checkTokenControl } from './token-control';
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
  /** Sampled by an older policy than the one updated (staleness > 0): ratios are computed even on one pass. */
  offPolicy?: boolean;
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
  /** Mean k3 estimate of KL(μ ‖ π_θ) to the sampling policy over kept tokens, first pass (NaN when ratios are 1). */
  klBehaviour: number;
  /** Tokens the token control detached (Clip-Cov) or penalised (KL-Cov), per pass (0 without one). */
  controlled: number;
}

/** Whether each response hit the completion budget without the stop token (B·G flags). */
export function truncatedResponses(r: Rollouts): Uint8Array {
  const N = r.B * r.G,
    T = r.P + r.L;
  const out = new Uint8Array(N);
  for (let i = 0; i < N; i++) out[i] = r.seq[i * T + r.P + r.lengths[i] - 1] === EOS ? 0 : 1;
  return out;
}

/** The per-response advantages and keep mask of a batch under a recipe (reward-side KL included). */
export function recipeAdvantages(
  recipe: Recipe,
  r: Rollouts,
  refLogp: Float32Array | null,
  tokenAdv?: Float64Array,
): { adv: Float64Array; keep: Uint8Array } {
  const N = r.B * r.G;
  if (recipe.advantage === 'gae') {
    // PPO: the loop's per-token advantages (gae.ts); a response's own is its first token's, A_0
    if (!tokenAdv || tokenAdv.length !== N * r.L)
      throw new Error(
        `reasoning.update: the ${recipe.name} recipe's 'gae' advantage needs the loop's per-token advantages ` +
          `(N·L = ${N * r.L}; trainRl computes them with RlConfig.critic)`,
      );
    const adv = Float64Array.from({ length: N }, (_, i) => tokenAdv[i * r.L]);
    const truncated = recipe.filters.includes('overlong') ? truncatedResponses(r) : undefined;
    return { adv, keep: keepMask(recipe.filters, r.rewards, r.B, r.G, truncated) };
  }
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
  let adv = advantages(recipe.advantage, rewards, r.B, r.G, { greedyRewards: r.greedyRewards });
  const objective = recipe.objective ? objectiveFor(recipe.objective, recipe.name) : null;
  if (objective?.advantages) {
    adv = objective.advantages({ spec: recipe.objective!, recipe, batch: r, rewards, base: adv });
    if (adv.length !== N)
      throw new RangeError(
        `reasoning.update: objective '${recipe.objective!.kind}' gave ${adv.length} advantages for ${N}`,
      );
  }
  const truncated = recipe.filters.includes('overlong') ? truncatedResponses(r) : undefined;
  return { adv, keep: keepMask(recipe.filters, r.rewards, r.B, r.G, truncated) };
}

/**
 * Applies `recipe` to the batch: `epochs` passes of score → token weights → backward → step on `policy`.
 * `refLogp` (B·G × L) is required when the recipe has a KL part; `rng` when it has a Clip-Cov token control
 * (its random choice of tokens). `tokenAdv` (B·G × L) is required by a recipe whose advantage is 'gae': the
 * per-token advantages replace the per-response one in every token's term. Takes no step when no response is kept.
 */
export function policyUpdate(
  policy: RlPolicy,
  recipe: Recipe,
  r: Rollouts,
  refLogp: Float32Array | null,
  rng?: Rng,
  tokenAdv?: Float64Array,
): UpdateStats {
  const N = r.B * r.G,
    L = r.L,
    T = r.P + L;
  if (recipe.kl.kind !== 'none' && !refLogp)
    throw new Error(`reasoning.update: the ${recipe.name} recipe has a KL part and needs reference log-probabilities`);
  const control = recipe.tokenControl ?? null;
  if (control) checkTokenControl(control);
  if (control?.kind === 'clip-cov' && !rng)
    throw new Error(`reasoning.update: the ${recipe.name} recipe's Clip-Cov chooses tokens at random; pass an rng`);
  const { adv, keep } = recipeAdvantages(recipe, r, refLogp, tokenAdv);
  const perToken = recipe.advantage === 'gae' ? tokenAdv! : null;
  const kept: number[] = [];
  for (let i = 0; i < N; i++) if (keep[i]) kept.push(i);
  if (kept.length === 0) return { kept: 0, clipFraction: 0, kl: NaN, gradNorm: NaN, klBehaviour: NaN, controlled: 0 };
  const wts = tokenWeights(
    recipe.aggregation,
    kept.map((i) => r.lengths[i]),
    L,
  );
  const coef: (Float64Array | null)[] = new Array(N).fill(null);
  kept.forEach((i, j) => (coef[i] = wts[j]));
  const lossKl = recipe.kl.kind === 'loss' ? recipe.kl : null;
  const alpha = recipe.entropyBonus;
  const importance = recipe.importance ?? 'token';
  const terms = recipe.offPolicyTerms ?? {};
  // On-policy with one pass the ratios are exactly 1 (the sampler's log-probabilities are the policy's).
  const useRatio = recipe.epochs > 1 || r.offPolicy === true;
  const objective = recipe.objective ? objectiveFor(recipe.objective, recipe.name) : null;
  const objW = objective?.tokenGrads ? new Float32Array(N * L) : null;
  const objCut = objW ? new Uint8Array(N * L) : null;
  const w = new Float32Array(N * L);
  const e = alpha ? new Float32Array(N * L) : undefined;
  const seqRatio = new Float64Array(N);
  // Per pass, the token control's choice: 1 = detached (Clip-Cov) or penalised (KL-Cov).
  const chosen = control ? new Uint8Array(N * L) : null;
  let clipped = 0,
    tokens = 0,
    klSum = 0,
    klBehaviourSum = 0,
    controlled = 0,
    gradNorm = NaN;
  for (let pass = 0; pass < recipe.epochs; pass++) {
    const s = policy.score(r.seq, N, T, r.P);
    if (useRatio && importance === 'sequence')
      for (const i of kept) seqRatio[i] = sequenceRatio(s.logp, r.oldLogp, i * L, r.lengths[i]);
    const ratioOf = (i: number, j: number): number =>
      !useRatio ? 1 : importance === 'sequence' ? seqRatio[i] : Math.exp(s.logp[j] - r.oldLogp[j]);
    if (chosen && control) {
      chosen.fill(0);
      const pos: number[] = [],
        a: number[] = [],
        lp: number[] = [];
      for (const i of kept)
        for (let k = 0; k < r.lengths[i]; k++) {
          pos.push(i * L + k);
          a.push(perToken ? perToken[i * L + k] : adv[i]);
          lp.push(s.logp[i * L + k]);
        }
      const cov = tokenCovariance(a, lp);
      const pick =
        control.kind === 'clip-cov'
          ? clipCovSelect(
              cov,
              pos.map((j, q) => useRatio && isClipped(recipe.clipping, a[q], ratioOf(Math.floor(j / L), j))),
              control.ratio,
              control.lb,
              control.ub,
              rng!.split(`clip-cov${pass}`),
            )
          : klCovSelect(cov, control.ratio);
      for (const q of pick) chosen[pos[q]] = 1;
      controlled += pick.length;
    }
    if (objW && objCut) {
      objW.fill(0);
      objCut.fill(0);
      objective!.tokenGrads!(
        { spec: recipe.objective!, recipe, batch: r, pass, logp: s.logp, entropy: s.entropy, refLogp, adv, kept, coef },
        objW,
        objCut,
      );
    }
    w.fill(0);
    for (let i = 0; i < N; i++) {
      const c = coef[i];
      if (!c) continue;
      const Ai = adv[i];
      const red = advantageWeight(terms, Ai);
      for (let k = 0; k < r.lengths[i]; k++) {
        const j = i * L + k;
        const A = perToken ? perToken[j] : Ai;
        const ratio = ratioOf(i, j);
        const cut = objCut ? objCut[j] === 1 : useRatio && isClipped(recipe.clipping, A, ratio);
        const d = useRatio ? s.logp[j] - r.oldLogp[j] : 0;
        if (useRatio && pass === 0) klBehaviourSum += Math.exp(d) - 1 - d;
        const detached = chosen !== null && control?.kind === 'clip-cov' && chosen[j] === 1;
        let g = detached
          ? 0
          : objW
            ? objW[j]
            : clippedSurrogateGrad(c[k], A, ratio, cut, importance === 'none' ? 1 : ratio, red);
        if (terms.asymRe || terms.k2Behaviour) g += offPolicyTermGrad(terms, c[k], d);
        if (chosen && control?.kind === 'kl-cov' && chosen[j] === 1)
          g += klCovTokenGrad(control.beta, c[k], s.logp[j], r.oldLogp[j]);
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
    klBehaviour: useRatio ? klBehaviourSum / firstPassTokens : NaN,
    controlled: controlled / recipe.epochs,
  };
}
