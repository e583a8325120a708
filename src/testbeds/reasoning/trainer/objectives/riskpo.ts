/**
 * RiskPO (Ren, Jiang et al. 2025, "RiskPO: Risk-based Policy Optimization via Verifiable Reward for LLM
 * Post-Training", arXiv 2510.00911): the mean objective of GRPO is replaced by a Mixed Value-at-Risk (MVaR) of the
 * reward distribution, and the reward is made richer by bundling K questions, so that the objective's random variable
 * is a bundle score X ∈ {0, …, K}. As the authors' code defines it (github.com/RTkenny/RiskPO:
 * verl/trainer/ppo/core_algos.py `compute_grpo_bundle_rvar_outcome_advantage_quantile_tracking`, the quantile tracker
 * of verl/trainer/ppo/ray_trainer.py, the README's "Implementation Details", and the two training scripts for the
 * settings: hard-level data (run_qwen2.5_1.5b_MVaR_dapomath.sh) α = 0.2, β = 0.8, ω = 1.5, K = 5, lr_q = 0.1, credit
 * 'sum-mean', no natural baseline in the advantage; easy-level data (run_qwen2.5_1.5b_MVaR_math.sh) β = 0.9, credit
 * 'std', natural baseline):
 *
 *   bundle, paper   K consecutive prompts of the batch form a bundle; with G answers per prompt, the j-th "paper" of a
 *                   bundle is the j-th answer of each of its K questions, and its score is X_j = Σ_k r_{k,j} ∈ {0..K}
 *                   (`bundlePaperScores`; the code pairs answers by their index, without replacement)
 *   objective       MVaR = (ω·CVaR_α(X) + RVaR_{α,β}(X)) / (ω + 1), with the lower-tail CVaR_α = (1/α)∫_0^α q_τ dτ and
 *                   the range VaR RVaR_{α,β} = (1/(β − α))∫_α^β q_τ dτ (q_τ the τ-quantile of X)
 *   gradient        by the likelihood-ratio form of the quantile integrals (Rockafellar–Uryasev / Danskin):
 *                   ∇ α·CVaR_α = −E[(q_α − X)^+ ∇log p(X)] and ∇ (β − α)·RVaR_{α,β} = E[((X − q_α)^+ − (X − q_β)^+)
 *                   ∇log p(X)], so each paper gets the score (`mvarScore`)
 *                     g_RVaR(X) = [(X − q_α)^+ − (X − q_β)^+ + (q_α − q_β)] / (β − α)
 *                                 (the "natural baseline" q_α − q_β, a constant, zero in expectation; dropped in the
 *                                 hard-level script: natural_baseline_adv=False)
 *                     g_CVaR(X) = −(q_α − X)^+ / α
 *                     g(X)      = (ω·g_CVaR(X) + g_RVaR(X)) / (ω + 1)
 *                   (tests/…/riskpo.test.ts checks E[g(X)∇log p(X)] against a finite difference of the exact MVaR)
 *   normalisation   g is divided by the std of the bundle's G paper scores (norm_adv_by_std_in_grpo; unbiased, as
 *                   torch.std), then, credit 'std', each answer of the paper gets g / (σ_q + ε) with σ_q the unbiased
 *                   std of its question's G rewards (1 when σ_q ≤ 10⁻³); credit 'sum-mean': answer k of the paper gets
 *                   g·d_k/Σ_k' d_k' with d_k = r_k − (mean reward of its question), g/K when |Σ d| ≤ 10⁻⁶; credit
 *                   'uniform': g itself
 *   quantiles       q_α, q_β are tracked across updates by stochastic approximation over all papers of each batch,
 *                   q ← q + lr_q·(τ − F̂(q)) with F̂(q) = mean 1{X < q}, after each update's advantages; the first
 *                   update initialises them to the batch's empirical quantiles and uses, as the code does when no
 *                   tracked value is given, each bundle's own empirical quantiles (torch.quantile, linear
 *                   interpolation) — the spec's qDown/qUp = null (`QuantileTracker`)
 *
 * One departure, needed for the tracked quantiles: a bundle whose G papers all score the same has std 0; with its
 * own quantiles its g is 0 (0/ε = 0 in the code), but with tracked quantiles g ≠ 0 and the code's division by 0 + ε
 * would multiply it by 10⁶. Such a bundle's std is taken as 1, as the code does for a question's std.
 *
 * The objective replaces only the advantage (objective slot `advantages`); the recipe's aggregation, clipping and
 * importance parts act on it as on GRPO's. Filters that drop responses would break the bundles: the RiskPO recipe has
 * none, and the batch's prompts must come in whole bundles (B a multiple of K).
 */
import { registerObjective, type AdvantageContext, type ObjectiveSpec } from '../objective';
import { RECIPES, type Recipe } from '../recipes';

/** How a paper's score g is shared among its answers (the code's credit_assign_mode). */
export type RiskpoCredit = 'std' | 'uniform' | 'sum-mean';

/** The RiskPO objective's plain-data parameters (the quantiles are filled in by the training loop's tracker). */
export interface RiskpoSpec extends ObjectiveSpec {
  kind: 'riskpo';
  /** K, questions per bundle (1: no bundling, X is the 0/1 reward). */
  bundleSize: number;
  /** α, the lower quantile level (CVaR_α and the RVaR's lower end). */
  alphaDown: number;
  /** β, the upper quantile level of the RVaR. */
  alphaUp: number;
  /** ω, the CVaR's weight in the mixture (0: RVaR only). */
  wMix: number;
  /** Tracked q_α (null: each bundle's own empirical quantile). */
  qDown: number | null;
  /** Tracked q_β (null: each bundle's own empirical quantile). */
  qUp: number | null;
  credit: RiskpoCredit;
  /** Divide by the bundle's paper-score std (the code's norm_adv_by_std_in_grpo). */
  normByStd: boolean;
  /** Add the constant q_α − q_β to g_RVaR (the code's natural_baseline_adv). */
  naturalBaseline: boolean;
}

const EPS = 1e-6;

/** Checks a spec's parameters (plain data crosses threads; a typo must fail loudly). */
export function checkRiskpoSpec(spec: ObjectiveSpec): RiskpoSpec {
  const s = spec as Partial<RiskpoSpec>;
  if (!Number.isInteger(s.bundleSize) || (s.bundleSize as number) < 1)
    throw new RangeError(
      `riskpo: bundleSize must be a positive integer (the authors use 5), got ${String(s.bundleSize)}`,
    );
  const a = s.alphaDown,
    b = s.alphaUp;
  if (typeof a !== 'number' || typeof b !== 'number' || !(a > 0 && a < b && b <= 1))
    throw new RangeError(
      `riskpo: the quantile levels need 0 < alphaDown < alphaUp ≤ 1 (the authors: 0.2 and 0.9), got ${a} and ${b}`,
    );
  if (typeof s.wMix !== 'number' || !(s.wMix >= 0))
    throw new RangeError(`riskpo: wMix must be a number ≥ 0 (the authors use 1.5), got ${String(s.wMix)}`);
  const tracked = (q: unknown) => q === null || (typeof q === 'number' && Number.isFinite(q));
  if (!tracked(s.qDown) || !tracked(s.qUp) || (s.qDown === null) !== (s.qUp === null))
    throw new RangeError(
      `riskpo: qDown and qUp must both be finite numbers (tracked quantiles) or both null (per-bundle quantiles), ` +
        `got ${String(s.qDown)} and ${String(s.qUp)}`,
    );
  if (s.credit !== 'std' && s.credit !== 'uniform' && s.credit !== 'sum-mean')
    throw new RangeError(`riskpo: credit must be 'std', 'uniform' or 'sum-mean', got ${String(s.credit)}`);
  if (typeof s.normByStd !== 'boolean') throw new RangeError(`riskpo: normByStd must be a boolean`);
  if (typeof s.naturalBaseline !== 'boolean') throw new RangeError(`riskpo: naturalBaseline must be a boolean`);
  return spec as RiskpoSpec;
}

/** The paper scores of B prompts × G answers in bundles of K: (B/K)·G scores, bundle-major, X_{k,j} = Σ r. */
export function bundlePaperScores(rewards: ArrayLike<number>, B: number, G: number, K: number): Float64Array {
  if (rewards.length !== B * G)
    throw new RangeError(`riskpo.bundlePaperScores: ${rewards.length} rewards for ${B}×${G}`);
  if (B % K !== 0)
    throw new RangeError(
      `riskpo: the batch's ${B} prompts do not form whole bundles of ${K}; make batchPrompts a multiple of bundleSize`,
    );
  const nb = B / K;
  const out = new Float64Array(nb * G);
  for (let u = 0; u < nb; u++)
    for (let j = 0; j < G; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += rewards[(u * K + k) * G + j];
      out[u * G + j] = s;
    }
  return out;
}

/** The τ-quantile of xs with linear interpolation between order statistics (torch.quantile's default). */
export function linearQuantile(xs: ArrayLike<number>, tau: number): number {
  if (xs.length === 0) throw new RangeError('riskpo.linearQuantile: no values');
  const s = Float64Array.from(xs).sort();
  const pos = tau * (s.length - 1);
  const lo = Math.floor(pos),
    hi = Math.min(lo + 1, s.length - 1);
  return s[lo] + (pos - lo) * (s[hi] - s[lo]);
}

/** Unbiased standard deviation (torch.std); 0 for a single value. */
function unbiasedStd(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return 0;
  let m = 0;
  for (let i = 0; i < n; i++) m += xs[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (xs[i] - m) ** 2;
  return Math.sqrt(v / (n - 1));
}

/**
 * The MVaR score g(X) of a paper with score x at quantiles qa = q_α, qb = q_β (see the module comment):
 * (ω·g_CVaR + g_RVaR)/(ω + 1), g_RVaR with the natural baseline q_α − q_β unless `naturalBaseline` is false.
 */
export function mvarScore(
  x: number,
  qa: number,
  qb: number,
  alphaDown: number,
  alphaUp: number,
  wMix: number,
  naturalBaseline = true,
): number {
  const base = naturalBaseline ? qa - qb : 0;
  const rvar = (Math.max(x - qa, 0) - Math.max(x - qb, 0) + base) / (alphaUp - alphaDown + EPS);
  if (wMix === 0) return rvar;
  const cvar = -Math.max(qa - x, 0) / (alphaDown + EPS);
  return (wMix * cvar + rvar) / (wMix + 1);
}

/** What the RiskPO advantage of a batch gives: one advantage per answer and the paper scores it used. */
export interface RiskpoTerms {
  adv: Float64Array;
  /** (B/K)·G paper scores, bundle-major. */
  papers: Float64Array;
}

/** The RiskPO advantages of B prompts × G answers (group-major rewards) under `spec`. */
export function riskpoTerms(spec: RiskpoSpec, rewards: ArrayLike<number>, B: number, G: number): RiskpoTerms {
  checkRiskpoSpec(spec);
  const K = spec.bundleSize;
  const papers = bundlePaperScores(rewards, B, G, K);
  const adv = new Float64Array(B * G);
  // σ_q per question (unbiased; 1 when ≤ 10⁻³, as the code's question_stds) and the question's mean reward.
  const qStd = new Float64Array(B),
    qMean = new Float64Array(B);
  for (let b = 0; b < B; b++) {
    const rs = Array.from({ length: G }, (_, g) => rewards[b * G + g]);
    const s = unbiasedStd(rs);
    qStd[b] = s > 1e-3 ? s : 1;
    qMean[b] = rs.reduce((a, x) => a + x, 0) / G;
  }
  for (let u = 0; u < B / K; u++) {
    const xs = papers.subarray(u * G, (u + 1) * G);
    const qa = spec.qDown ?? (G === 1 ? xs[0] : linearQuantile(xs, spec.alphaDown));
    const qb = spec.qUp ?? (G === 1 ? xs[0] : linearQuantile(xs, spec.alphaUp));
    const sd = G === 1 ? 1 : unbiasedStd(xs);
    const norm = spec.normByStd ? (sd > 1e-3 ? sd : 1) : 1;
    for (let j = 0; j < G; j++) {
      const g =
        mvarScore(xs[j], qa, qb, spec.alphaDown, spec.alphaUp, spec.wMix, spec.naturalBaseline) /
        (spec.normByStd ? norm + EPS : 1);
      // credit 'sum-mean': answer k of the paper gets g·d_k/Σ d with d_k = r_k − mean reward of its question
      // (g/K when |Σ d| ≤ 10⁻⁶), as the code's sum-mean mode
      let dSum = 0;
      for (let k = 0; k < K; k++) dSum += rewards[(u * K + k) * G + j] - qMean[u * K + k];
      for (let k = 0; k < K; k++) {
        const b = u * K + k;
        const i = b * G + j;
        if (spec.credit === 'std') adv[i] = g / (qStd[b] + EPS);
        else if (spec.credit === 'uniform') adv[i] = g;
        else adv[i] = Math.abs(dSum) > 1e-6 ? (g * (rewards[i] - qMean[b])) / dSum : g / K;
      }
    }
  }
  return { adv, papers };
}

/**
 * The empirical MVaR of a sample of bundle scores at quantiles (qa, qb), as the authors log it
 * (ray_trainer.py): RVaR = mean of the scores in [qa, qb], CVaR = mean of those ≤ qa (each the overall mean when
 * empty), MVaR = (ω·CVaR + RVaR)/(ω + 1).
 */
export function empiricalMvar(xs: ArrayLike<number>, qa: number, qb: number, wMix: number): number {
  let all = 0,
    r = 0,
    nr = 0,
    c = 0,
    nc = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    all += x;
    if (x >= qa && x <= qb) {
      r += x;
      nr++;
    }
    if (x <= qa) {
      c += x;
      nc++;
    }
  }
  const m = all / xs.length;
  const rvar = nr ? r / nr : m,
    cvar = nc ? c / nc : m;
  return (wMix * cvar + rvar) / (wMix + 1);
}

/**
 * Stochastic-approximation quantile tracking (the authors' ray_trainer.py: SGD on q with gradient −(τ − F̂(q)),
 * F̂(q) = mean 1{X < q}): the first batch sets q to its empirical quantiles, every later batch moves q by
 * lr·(τ − F̂(q)).
 */
export class QuantileTracker {
  readonly q: Float64Array;
  private started = false;
  constructor(
    readonly taus: readonly number[],
    readonly lr: number,
  ) {
    if (!(lr > 0)) throw new RangeError(`riskpo.QuantileTracker: lr must be > 0, got ${lr}`);
    for (const t of taus)
      if (!(t > 0 && t < 1)) throw new RangeError(`riskpo.QuantileTracker: levels must lie in (0, 1), got ${t}`);
    this.q = new Float64Array(taus.length);
  }
  /** Whether a batch has been seen (before it, the advantage uses each bundle's own quantiles). */
  get ready(): boolean {
    return this.started;
  }
  /** One tracking step on a batch of scores. */
  update(xs: ArrayLike<number>): void {
    if (!this.started) {
      this.taus.forEach((t, i) => (this.q[i] = linearQuantile(xs, t)));
      this.started = true;
      return;
    }
    this.taus.forEach((t, i) => {
      let below = 0;
      for (let n = 0; n < xs.length; n++) if (xs[n] < this.q[i]) below++;
      this.q[i] += this.lr * (t - below / xs.length);
    });
  }
}

/** The RiskPO advantage for the objective slot (objective.ts `advantages`). */
function riskpoAdvantages(ctx: AdvantageContext): Float64Array {
  const spec = checkRiskpoSpec(ctx.spec);
  if (ctx.recipe.filters.length)
    throw new Error(
      `riskpo: the ${ctx.recipe.name} recipe has filters (${ctx.recipe.filters.join(', ')}); dropping answers breaks ` +
        'the bundles (use RISKPO_RECIPE, whose filters are [])',
    );
  return riskpoTerms(spec, ctx.rewards, ctx.batch.B, ctx.batch.G).adv;
}

registerObjective('riskpo', {
  source: 'RiskPO, Ren, Jiang et al. 2025 (arXiv 2510.00911; the authors\u2019 bundle MVaR advantage)',
  advantages: (ctx) => riskpoAdvantages(ctx),
});

/**
 * A RiskPO spec. The defaults are the authors' script for the hard-level data (run_qwen2.5_1.5b_MVaR_dapomath.sh:
 * α 0.2, β 0.8, ω 1.5, K 5, credit 'sum-mean', no natural baseline in the advantage); `RISKPO_EASY` holds their
 * easy-level script's (run_qwen2.5_1.5b_MVaR_math.sh: β 0.9, credit 'std', natural baseline).
 */
export function riskpoSpec(o: Partial<Omit<RiskpoSpec, 'kind'>> = {}): RiskpoSpec {
  return checkRiskpoSpec({
    kind: 'riskpo',
    bundleSize: 5,
    alphaDown: 0.2,
    alphaUp: 0.8,
    wMix: 1.5,
    qDown: null,
    qUp: null,
    credit: 'sum-mean',
    normByStd: true,
    naturalBaseline: false,
    ...o,
  });
}

/** The authors' easy-level (MATH/GSM8K) settings: β 0.9, credit 'std', natural baseline q_α − q_β in g_RVaR. */
export const RISKPO_EASY: Partial<RiskpoSpec> = { alphaUp: 0.9, credit: 'std', naturalBaseline: true };

/**
 * The RiskPO recipe: GRPO's parts (PPO clip 0.2, per-sequence token mean) without KL (use_kl_loss=False in the
 * authors' scripts) and without filters, the advantage replaced by the bundle MVaR advantage.
 */
export const RISKPO_RECIPE: Recipe = {
  ...RECIPES.grpo,
  name: 'RiskPO',
  kl: { kind: 'none' },
  filters: [],
  objective: riskpoSpec(),
};
