/**
 * PACS (Li et al. 2025, "Implicit Actor Critic Coupling via a Supervised Learning Framework for RLVR", arXiv
 * 2509.02522): the verifier's outcome R ∈ {0, 1} is a label, predicted from a score ψ built from the policy's own
 * log-probabilities, and the policy is trained by the (weighted) binary cross-entropy. As the authors' code defines it
 * (github.com/ritzz-ai/PACS, src/pacs/pacs_core_algos.py, `compute_pacs_loss`, defaults of scripts/pacs/*.sh):
 *
 *   reward proxy   r̂_i = β · Σ_t [log π_θ(o_it) − log π_old(o_it)]          (`compute_reward`, reward_method '1':
 *                  summed over the response's tokens; the "reference" is the sampling policy π_old of the batch,
 *                  verl's old_log_probs, not a frozen model; β = 1 or 2 in the authors' scripts)
 *   score          ψ_i = r̂_i − (1/(G−1)) Σ_{j≠i} r̂_j                     (RLOO over the G responses of a prompt,
 *                  `compute_rloo_outcome_advantage`, the scripts' ADV_ESTIMATOR=rloo; 'naive': ψ_i = r̂_i)
 *   loss           L = (1/N) Σ_i ω_i · ℓ(ψ_i, R_i),   ℓ(ψ, R) = −R log σ(ψ) − (1 − R) log(1 − σ(ψ))
 *                  (BCEWithLogitsLoss(weight=ω) with logits ψ and targets R, mean over the N responses)
 *   weights        ω_i = G / (2 · #{j in the group: R_j = R_i}) when the group has both outcomes, else 1
 *                  (`compute_weight`, mode 'question': sklearn's class_weight 'balanced' per prompt, USE_WEIGHT=True)
 *
 * Its gradient (the paper's gradient analysis; the identity `pacsTokenWeight` implements): with the implicit critic's
 * success estimate σ(ψ_i) and δ_i = ω_i·(R_i − σ(ψ_i)),
 *   ∂L/∂log π_θ(o_it) = −(β/N) · (δ_i − (1/(G−1)) Σ_{j≠i} δ_j)            (RLOO score; 'naive': −(β/N)·δ_i)
 * i.e. the REINFORCE policy gradient of every token of o_i (the actor) weighted by the error of the reward prediction
 * σ(ψ) (the critic), both made of the same parameters. At θ = θ_old (the first step on a fresh batch) ψ = 0 and
 * σ(ψ) = 1/2, and without the class weights the update is exactly REINFORCE with the leave-one-out baseline,
 * −(β/N)·A^RLOO_i per token (`pacsTokenWeight` with ψ = 0; tests/…/objectives/pacs.test.ts).
 *
 * The PACS loss is per response (a sum over tokens inside r̂, a mean over responses), so the recipe's aggregation
 * weights c_it are not used; its clipping and advantage parts are not used either (the recipe's KL part, absent in the
 * exported recipe, would still be added by the slot). Filters that drop single responses would break the groups of
 * the leave-one-out score and are refused.
 */
import { registerObjective, type ObjectiveSpec, type PassContext } from '../objective';
import { RECIPES, type Recipe } from '../recipes';

/** The score ψ built from the reward proxies of a group. */
export type PacsScore = 'rloo' | 'naive';
/** The per-response weights of the cross-entropy. */
export type PacsWeighting = 'balanced' | 'none';

/** The PACS objective's plain-data parameters. */
export interface PacsSpec extends ObjectiveSpec {
  kind: 'pacs';
  /** β of the reward proxy (the authors' scripts: 1 and 2). */
  beta: number;
  score: PacsScore;
  weighting: PacsWeighting;
}

/** σ(x) = 1/(1 + e^{−x}), stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** ℓ(ψ, R) = −R log σ(ψ) − (1 − R) log(1 − σ(ψ)), in the stable form of BCEWithLogitsLoss. */
export function bceWithLogits(psi: number, label: number): number {
  return Math.max(psi, 0) - psi * label + Math.log1p(Math.exp(-Math.abs(psi)));
}

/** The reward proxies r̂_i = β Σ_{t<|o_i|} (log π − log π_old) of N responses (rows of L tokens). */
export function rewardProxies(
  logp: ArrayLike<number>,
  oldLogp: ArrayLike<number>,
  lengths: ArrayLike<number>,
  L: number,
  beta: number,
): Float64Array {
  const out = new Float64Array(lengths.length);
  for (let i = 0; i < lengths.length; i++) {
    let s = 0;
    for (let t = 0; t < lengths[i]; t++) s += logp[i * L + t] - oldLogp[i * L + t];
    out[i] = beta * s;
  }
  return out;
}

/** The scores ψ of B groups of G reward proxies (group-major): RLOO (r̂_i minus the others' mean) or r̂ itself. */
export function pacsScores(rHat: ArrayLike<number>, B: number, G: number, score: PacsScore): Float64Array {
  if (rHat.length !== B * G) throw new RangeError(`pacs.scores: ${rHat.length} reward proxies for ${B} groups of ${G}`);
  if (score === 'naive') return Float64Array.from(rHat);
  if (G < 2) throw new RangeError('pacs.scores: the leave-one-out score needs groups of G ≥ 2 responses');
  const out = new Float64Array(B * G);
  for (let b = 0; b < B; b++) {
    let sum = 0;
    for (let g = 0; g < G; g++) sum += rHat[b * G + g];
    for (let g = 0; g < G; g++) {
      const i = b * G + g;
      out[i] = rHat[i] - (sum - rHat[i]) / (G - 1);
    }
  }
  return out;
}

/**
 * Per-response weights ω: 'balanced' gives n/(n_classes · n_c) to the responses of class c within each group that has
 * both outcomes (sklearn's compute_class_weight('balanced') per prompt, as `compute_weight` mode 'question'), 1 in
 * groups with one outcome; 'none' gives 1 everywhere.
 */
export function pacsWeights(rewards: ArrayLike<number>, B: number, G: number, weighting: PacsWeighting): Float64Array {
  const out = new Float64Array(B * G).fill(1);
  if (weighting === 'none') return out;
  for (let b = 0; b < B; b++) {
    let pos = 0;
    for (let g = 0; g < G; g++) if (rewards[b * G + g] === 1) pos++;
    if (pos === 0 || pos === G) continue;
    for (let g = 0; g < G; g++) out[b * G + g] = G / (2 * (rewards[b * G + g] === 1 ? pos : G - pos));
  }
  return out;
}

/** Checks a spec's parameters (plain data crosses threads; a typo must fail loudly). */
export function checkPacsSpec(spec: ObjectiveSpec): PacsSpec {
  const { beta, score, weighting } = spec as Partial<PacsSpec>;
  if (typeof beta !== 'number' || !(beta > 0))
    throw new RangeError(`pacs: beta must be a positive number (the authors use 1 and 2), got ${String(beta)}`);
  if (score !== 'rloo' && score !== 'naive')
    throw new RangeError(`pacs: score must be 'rloo' or 'naive', got ${String(score)}`);
  if (weighting !== 'balanced' && weighting !== 'none')
    throw new RangeError(`pacs: weighting must be 'balanced' or 'none', got ${String(weighting)}`);
  return spec as PacsSpec;
}

/** What one PACS evaluation of a batch gives: ψ, the critic's σ(ψ), ω, the loss and ∂L/∂r̂ per response. */
export interface PacsTerms {
  psi: Float64Array;
  critic: Float64Array;
  weights: Float64Array;
  loss: number;
  /** ∂L/∂log π_θ(o_it) for every token t of response i (the same for all its tokens). */
  tokenWeight: Float64Array;
}

/**
 * The PACS loss of a batch (B groups of G responses, rows of L tokens) and its per-response token weight
 * ∂L/∂log π(o_it) = −(β/N)(δ_i − mean_{j≠i} δ_j), δ = ω(R − σ(ψ)) (RLOO; 'naive': −(β/N)δ_i).
 */
export function pacsTerms(
  spec: PacsSpec,
  logp: ArrayLike<number>,
  oldLogp: ArrayLike<number>,
  lengths: ArrayLike<number>,
  rewards: ArrayLike<number>,
  B: number,
  G: number,
  L: number,
): PacsTerms {
  const N = B * G;
  const rHat = rewardProxies(logp, oldLogp, lengths, L, spec.beta);
  const psi = pacsScores(rHat, B, G, spec.score);
  const weights = pacsWeights(rewards, B, G, spec.weighting);
  const critic = psi.map(sigmoid);
  let loss = 0;
  const delta = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    loss += weights[i] * bceWithLogits(psi[i], rewards[i]);
    delta[i] = weights[i] * (rewards[i] - critic[i]);
  }
  loss /= N;
  const tokenWeight = new Float64Array(N);
  for (let b = 0; b < B; b++) {
    let sum = 0;
    for (let g = 0; g < G; g++) sum += delta[b * G + g];
    for (let g = 0; g < G; g++) {
      const i = b * G + g;
      const centred = spec.score === 'rloo' ? delta[i] - (sum - delta[i]) / (G - 1) : delta[i];
      tokenWeight[i] = (-spec.beta / N) * centred;
    }
  }
  return { psi, critic, weights, loss, tokenWeight };
}

/** The objective's per-token gradient for one pass of the update (objective.ts `tokenGrads`). */
function pacsTokenGrads(ctx: PassContext, w: Float32Array): void {
  const spec = checkPacsSpec(ctx.spec);
  const { B, G, L, lengths, oldLogp, rewards } = ctx.batch;
  if (ctx.kept.length !== B * G)
    throw new Error(
      `pacs: the ${ctx.recipe.name} recipe's filters dropped ${B * G - ctx.kept.length} of ${B * G} responses; the ` +
        "PACS score needs whole groups (use a recipe without filters, e.g. PACS_RECIPE's filters: [])",
    );
  const terms = pacsTerms(spec, ctx.logp, oldLogp, lengths, rewards, B, G, L);
  for (let i = 0; i < B * G; i++) for (let t = 0; t < lengths[i]; t++) w[i * L + t] = terms.tokenWeight[i];
}

registerObjective('pacs', {
  source: 'PACS, Li et al. 2025 (arXiv 2509.02522; the authors\u2019 compute_pacs_loss)',
  tokenGrads: (ctx, w) => pacsTokenGrads(ctx, w),
});

/** A PACS spec with the authors' default script (β = 1, RLOO score, per-prompt balanced weights). */
export function pacsSpec(beta = 1, score: PacsScore = 'rloo', weighting: PacsWeighting = 'balanced'): PacsSpec {
  return checkPacsSpec({ kind: 'pacs', beta, score, weighting });
}

/**
 * The PACS recipe: the objective replaces the surrogate; no KL (use_kl_loss=False), no entropy term, no filters. The
 * advantage, aggregation and clipping entries are unused by PACS (kept from GRPO so the record shows a full recipe).
 */
export const PACS_RECIPE: Recipe = {
  ...RECIPES.grpo,
  name: 'PACS',
  kl: { kind: 'none' },
  clipping: { kind: 'none' },
  filters: [],
  objective: pacsSpec(1),
};
