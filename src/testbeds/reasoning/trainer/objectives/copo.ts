/**
 * COPO, Consistency-Aware Policy Optimization (Han, Chen, Shao et al. 2025, arXiv 2508.04138), as its official code
 * defines it (github.com/hijih/copo-code: verl/trainer/ppo/core_algos.py `compute_score_global`,
 * `compute_grpo_outcome_advantage_with_global`, `compute_policy_loss_with_global`; verl/run_copo.sh, whose README
 * says "soft-with-zero represents our COPO method", with k = 5 ("gamma") and b = 1 ("rho")). The stored paper text
 * gave only its abstract and introduction, so the equations below are the code's.
 *
 * For a prompt q with G responses o_i, verifier rewards r_i ∈ {0, 1} and extracted final answers a_i:
 *   local advantage   A^loc_i = (r_i − mean_g r)/(std_g r + ε)        (GRPO, unbiased std, ε = 1e-6)
 *   answer entropy    H_q = −Σ_a p_a log2 p_a, p_a the share of the G answers equal to a   (`entropy_from_list`)
 *   global reward     R_q = mean_g r · (1 − λ·H_q) with λ = (1 − 1/G)/log2 G when `consistencyCoef` is on
 *                     (`reward_coef_flg`; the released script sets it off: R_q = mean_g r, the group accuracy)
 *   global advantage  A^glob_q = (R_q − mean_q' R)/(std_q' R + ε)     (standardised over the prompts of the batch,
 *                     unbiased std; the same value for every response of q)
 *   blend weight      w_i = σ(k·(H_q − b)) · m_i                        (the "entropy-based soft blending")
 *   loss per token    ℓ_it = (1 − w_i)·ℓ_clip(ρ_it, A^glob_q) + w_i·ℓ_clip(ρ_it, A^loc_i)
 * with ℓ_clip the recipe's clipped PPO surrogate and the recipe's token aggregation (the script: seq-mean-token-mean).
 * The mask m_i picks the variant (`global_flg` of the code):
 *   'soft-with-zero'    m_i = 1[r_i ≠ 0]     COPO as released: a wrong answer learns from the global loss only, a
 *                                            correct one from the entropy blend of both
 *   'soft-with-forced'  m_i = 1[A^loc_i ≠ 0] the blend in groups with mixed rewards, the global loss alone where GRPO's
 *                                            advantage is zero
 *   'only-forced'       w_i = 1[A^loc_i ≠ 0] no soft blend: GRPO where it has a signal, the global loss where it has
 *                                            none (a hard switch)
 *   'only-soft'         m_i = 1
 *   'only-global'       w_i = 0
 *   'no-global'         w_i = 1               (GRPO)
 * Low answer entropy (consistent answers) sends the weight to the global loss, high entropy to the local one.
 *
 * The global advantage is standardised over the prompts of the whole rollout batch. When the trainer splits a batch
 * into mini-batches (several Adam steps per rollout step), it attaches the whole batch's per-prompt statistics to each
 * mini-batch with `attachCopoGroupStats`; without them the objective computes them from the batch it is given.
 * Not ported: verl's dual-clip lower bound (clip_ratio_c = 3; the testbed's GRPO does not use it either) and the
 * sympy canonicalisation of answers (commented out in the code; answers here are token strings).
 */
import { clippedSurrogateGrad } from '../../../rlvr/methods/ppo-clip';
import { splitCompletion } from '../../tasks/syntax';
import { isClipped } from '../clipping';
import { registerObjective, type ObjectiveSpec, type PassContext } from '../objective';
import { RECIPES, type Recipe } from '../recipes';
import type { Rollouts } from '../update';

/** The code's `global_flg` switch (see the module comment). */
export type CopoBlend =
  'soft-with-zero' | 'soft-with-forced' | 'only-forced' | 'only-soft' | 'only-global' | 'no-global';

export const COPO_BLENDS: readonly CopoBlend[] = [
  'soft-with-zero',
  'soft-with-forced',
  'only-forced',
  'only-soft',
  'only-global',
  'no-global',
];

/** COPO's parameters (the recipe's objective spec, `kind: 'copo'`). */
export interface CopoParams {
  /** k: the steepness of the blend's sigmoid (run_copo.sh: 5; the README calls it gamma). */
  k: number;
  /** b: the answer entropy (bits) where the blend is even (run_copo.sh: 1; the README's rho). */
  b: number;
  blend: CopoBlend;
  /** Multiply the global reward by 1 − λ·H (the code's reward_coef_flg; false in the released script). */
  consistencyCoef: boolean;
}

/** The released script's settings (verl/run_copo.sh). */
export const COPO_DEFAULTS: CopoParams = { k: 5, b: 1, blend: 'soft-with-zero', consistencyCoef: false };

const EPS = 1e-6;

/** σ(x), stable for large |x|. */
function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Shannon entropy in bits of the empirical distribution of `keys` (the code's `entropy_from_list`). */
export function copoAnswerEntropy(keys: readonly string[]): number {
  if (keys.length === 0) throw new RangeError('copo.copoAnswerEntropy: no answers');
  const counts = new Map<string, number>();
  for (const a of keys) counts.set(a, (counts.get(a) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / keys.length;
    h -= p * Math.log2(p);
  }
  return h === 0 ? 0 : h; // no −0
}

/**
 * The final answer of a completion as a key: the tokens after the answer marker up to EOS, '' when the completion
 * wrote no answer (every such completion is one answer, as the code's empty extraction is).
 */
export function copoAnswerKey(completion: ArrayLike<number>): string {
  const a = splitCompletion(completion).answer;
  return a === null ? '' : Array.from(a).join(',');
}

/** The answer keys of every response of a batch (B·G). */
export function copoBatchAnswerKeys(r: Rollouts): string[] {
  const T = r.P + r.L;
  const out: string[] = [];
  for (let i = 0; i < r.B * r.G; i++) out.push(copoAnswerKey(r.seq.subarray(i * T + r.P, i * T + r.P + r.lengths[i])));
  return out;
}

/** The global reward R_q of one group: its accuracy, times 1 − λ·H with λ = (1 − 1/G)/log2 G when `coef`. */
export function copoGlobalReward(accuracy: number, entropyBits: number, G: number, coef: boolean): number {
  if (!coef) return accuracy;
  if (G < 2) throw new RangeError('copo.globalReward: the consistency coefficient needs groups of G ≥ 2');
  const lambda = (1 - 1 / G) / Math.log2(G);
  return accuracy * (1 - lambda * entropyBits);
}

/** (x − mean)/(unbiased std + 1e-6) over the entries (0 for a single entry: no spread to standardise by). */
export function copoStandardise(xs: ArrayLike<number>): Float64Array {
  const n = xs.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i] - m) ** 2;
  const s = n > 1 ? Math.sqrt(v / (n - 1)) : 0;
  return Float64Array.from(xs, (x) => (x - m) / (s + EPS));
}

/** Per-prompt statistics of a batch: the answer entropy H_q (bits) and the global advantage A^glob_q. */
export interface CopoGroupStats {
  answerEntropy: Float64Array;
  globalAdvantage: Float64Array;
}

/** H_q, R_q and A^glob_q of the B groups of a batch (group-major rewards, one answer key per response). */
export function copoGroupStats(
  rewards: ArrayLike<number>,
  answers: readonly string[],
  B: number,
  G: number,
  consistencyCoef: boolean,
): CopoGroupStats & { globalReward: Float64Array } {
  if (rewards.length !== B * G || answers.length !== B * G)
    throw new RangeError(`copo.groupStats: ${rewards.length} rewards and ${answers.length} answers for ${B}×${G}`);
  const H = new Float64Array(B);
  const R = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    let acc = 0;
    for (let g = 0; g < G; g++) acc += rewards[b * G + g];
    H[b] = copoAnswerEntropy(answers.slice(b * G, (b + 1) * G));
    R[b] = copoGlobalReward(acc / G, H[b], G, consistencyCoef);
  }
  return { answerEntropy: H, globalReward: R, globalAdvantage: copoStandardise(R) };
}

/** The blend weight w_i of the local loss for one response (see the module comment). */
export function copoBlendWeight(p: CopoParams, entropyBits: number, reward: number, localAdvantage: number): number {
  const soft = logistic(p.k * (entropyBits - p.b));
  switch (p.blend) {
    case 'soft-with-zero':
      return reward !== 0 ? soft : 0;
    case 'soft-with-forced':
      return localAdvantage !== 0 ? soft : 0;
    case 'only-forced':
      return localAdvantage !== 0 ? 1 : 0;
    case 'only-soft':
      return soft;
    case 'only-global':
      return 0;
    case 'no-global':
      return 1;
  }
}

/** The spec's parameters, checked (errors name the recipe's field). */
export function copoParams(spec: ObjectiveSpec): CopoParams {
  const num = (key: 'k' | 'b'): number => {
    const v = spec[key] ?? COPO_DEFAULTS[key];
    if (typeof v !== 'number' || !Number.isFinite(v))
      throw new TypeError(`reasoning.objectives.copo: objective.${key} must be a finite number, got ${String(v)}`);
    return v;
  };
  const blend = (spec.blend ?? COPO_DEFAULTS.blend) as CopoBlend;
  if (!COPO_BLENDS.includes(blend))
    throw new RangeError(
      `reasoning.objectives.copo: objective.blend must be one of ${COPO_BLENDS.join(', ')}, got ${String(spec.blend)}`,
    );
  const coef = spec.consistencyCoef ?? COPO_DEFAULTS.consistencyCoef;
  if (typeof coef !== 'boolean')
    throw new TypeError(`reasoning.objectives.copo: objective.consistencyCoef must be a boolean, got ${String(coef)}`);
  const p: CopoParams = { k: num('k'), b: num('b'), blend, consistencyCoef: coef };
  if (!(p.k > 0))
    throw new RangeError(
      `reasoning.objectives.copo: objective.k must be > 0 (the blend's steepness; 5 in run_copo.sh)`,
    );
  return p;
}

const ATTACHED = new WeakMap<Rollouts, CopoGroupStats>();

/**
 * Attaches per-prompt statistics computed on a larger batch (the whole rollout batch) to a mini-batch `r` cut from
 * it, so that the global advantage keeps its batch-wide standardisation (one entry per group of `r`).
 */
export function attachCopoGroupStats(r: Rollouts, stats: CopoGroupStats): void {
  if (stats.answerEntropy.length !== r.B || stats.globalAdvantage.length !== r.B)
    throw new RangeError(`copo.attachGroupStats: ${stats.globalAdvantage.length} groups' statistics for ${r.B} groups`);
  ATTACHED.set(r, stats);
}

/** The statistics the objective uses for a batch: the attached ones, else computed from the batch itself. */
export function copoStatsFor(r: Rollouts, p: CopoParams): CopoGroupStats {
  return ATTACHED.get(r) ?? copoGroupStats(r.rewards, copoBatchAnswerKeys(r), r.B, r.G, p.consistencyCoef);
}

/** Per response of a batch: the local advantage (given), the global advantage, and the blend weight w_i. */
export function copoResponseParts(
  r: Rollouts,
  localAdvantage: ArrayLike<number>,
  p: CopoParams,
  stats: CopoGroupStats = copoStatsFor(r, p),
): { global: Float64Array; weight: Float64Array } {
  const N = r.B * r.G;
  const global = new Float64Array(N);
  const weight = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    const b = Math.floor(i / r.G);
    global[i] = stats.globalAdvantage[b];
    weight[i] = copoBlendWeight(p, stats.answerEntropy[b], r.rewards[i], localAdvantage[i]);
  }
  return { global, weight };
}

/**
 * Writes COPO's per-token weights w_jt = ∂loss/∂log π for the kept responses of one pass:
 *   (1 − w_i)·g(A^glob_q, ρ) + w_i·g(A^loc_i, ρ),   g(A, ρ) = 0 where the recipe's clip cuts it, else −c_t·A·ρ,
 * and `cut` = 1 where a term with positive weight was cut by the clip. The local advantage is the recipe's own
 * advantage part (`ctx.adv`: GRPO's for the COPO recipes). Ratios are 1 on a strictly on-policy single pass, as in
 * update.ts.
 */
export function copoTokenGrads(ctx: PassContext, w: Float32Array, cut: Uint8Array): void {
  const p = copoParams(ctx.spec);
  const imp = ctx.recipe.importance ?? 'token';
  if (imp !== 'token')
    throw new Error(
      `reasoning.objectives.copo: the ${ctx.recipe.name} recipe's importance must be 'token', got ${imp}`,
    );
  const r = ctx.batch;
  const { global, weight } = copoResponseParts(r, ctx.adv, p);
  const useRatio = ctx.recipe.epochs > 1 || r.offPolicy === true;
  for (const i of ctx.kept) {
    const c = ctx.coef[i]!;
    const wl = weight[i],
      Al = ctx.adv[i],
      Ag = global[i];
    for (let t = 0; t < r.lengths[i]; t++) {
      const j = i * r.L + t;
      const rho = useRatio ? Math.exp(ctx.logp[j] - r.oldLogp[j]) : 1;
      const cutL = useRatio && isClipped(ctx.recipe.clipping, Al, rho);
      const cutG = useRatio && isClipped(ctx.recipe.clipping, Ag, rho);
      // A weight of exactly 1 or 0 gives the single surrogate's weight bit for bit (GRPO's, for 'no-global').
      const gl = clippedSurrogateGrad(c[t], Al, rho, cutL);
      const gg = clippedSurrogateGrad(c[t], Ag, rho, cutG);
      w[j] = wl === 1 ? gl : wl === 0 ? gg : (1 - wl) * gg + wl * gl;
      cut[j] = (wl > 0 && cutL) || (wl < 1 && cutG) ? 1 : 0;
    }
  }
}

registerObjective('copo', {
  source:
    'COPO (Han et al. 2025, arXiv 2508.04138; github.com/hijih/copo-code core_algos.py ' +
    '`compute_policy_loss_with_global`)',
  tokenGrads: copoTokenGrads,
});

/**
 * GRPO as the COPO code runs it (run_copo.sh): group-standardised advantage, PPO clip 0.2 both sides, per-sequence
 * token mean (seq-mean-token-mean), no KL, no entropy term; the base of the COPO recipes.
 */
const COPO_GRPO: Recipe = { ...RECIPES.grpo, kl: { kind: 'none' } };

/** COPO and its blend variants on the same GRPO base. */
export const COPO_RECIPES = {
  /** COPO as released: soft-with-zero, k = 5, b = 1, global reward = group accuracy. */
  copo: { ...COPO_GRPO, name: 'COPO', objective: { kind: 'copo', ...COPO_DEFAULTS } },
  /** The hard switch: GRPO where the group's rewards are mixed, the global loss alone where they agree. */
  'copo-hard': {
    ...COPO_GRPO,
    name: 'COPO (hard switch)',
    objective: { kind: 'copo', ...COPO_DEFAULTS, blend: 'only-forced' },
  },
} satisfies Record<string, Recipe>;
