/**
 * BAPO, BAlanced Policy Optimization with adaptive clipping (Xi et al. 2025, "BAPO: Stabilizing Off-Policy
 * Reinforcement Learning for LLMs via Balanced Policy Optimization with Adaptive Clipping", arXiv 2510.18927,
 * §4.2, eq. 8 and Algorithm 1; official code github.com/WooooDyy/BAPO, recipe/bapo/policy_loss.py).
 *
 * For each gradient pass over a batch, with the importance ratio r_t = π_θ(y_t)/π_rollout(y_t) and the token's
 * aggregation weight c_t, the clipped surrogate of Algorithm 1 line 20 is
 *   ℓ_t = −c_t·min(r_t·A_t, clip(r_t, c_low, c_high)·A_t),
 * whose gradient is −c_t·A_t·r_t unless the clip cuts the token (A > 0 and r > c_high, or A < 0 and r < c_low).
 * The bounds are searched per batch (Algorithm 1, lines 9–17) so that the positive-advantage tokens' share of the
 * loss reaches the target ρ₀ (eq. 8):
 *   P(c_high)       = Σ_{A_t>0} c_t·min(r_t A_t, clip(r_t, 0, c_high) A_t) = Σ_{A_t>0} c_t·A_t·min(r_t, c_high)
 *   N(c_low)        = Σ_{A_t<0} c_t·|min(r_t A_t, clip(r_t, c_low, ·) A_t)| = Σ_{A_t<0} c_t·|A_t|·max(r_t, c_low)
 *   ρ(c_low,c_high) = P / (P + N)                                          (1 when no negative token contributes)
 *   c_low ← a⁻, c_high ← a⁺;
 *   while ρ < ρ₀ and c_low + δ₂ ≤ b⁻:  if c_high + δ₁ ≤ b⁺ then c_high += δ₁ else c_low += δ₂.
 * Reading of eq. 8: its π_rollout(y_t)-weighted sums are expectations over the sampled tokens, taken here as sums over
 * the batch's tokens (as the official code's `_compute_effective_advantage` does, which sums the clipped-ratio
 * advantage without any extra weight); its denominator |Σ_{A_t} …| is read as the total absolute contribution
 * P + N (the paper's Figure 4 plots the positive and negative contributions as shares that add to one, and the
 * code's criterion P/N ≥ target is the same test with target = ρ₀/(1 − ρ₀)). The token weights c_t of the recipe's
 * aggregation enter both (all equal under token-mean, the code's `loss_agg_mode`).
 * Constants (§5.1): ρ₀ = 0.4, [a⁻, b⁻] = [0.6, 0.9], [a⁺, b⁺] = [1.2, 3.0], δ₁ = 0.05 (upper), δ₂ = 0.02 (lower).
 * Under eq. 8, ρ is non-decreasing in c_high and non-increasing in c_low (a raised c_low lifts the clipped value of
 * low-ratio negatives); Algorithm 1 raises c_high first and, once c_high is at b⁺, raises c_low to b⁻, which cuts
 * the gradient of more low-ratio negative tokens.
 *
 * With the search off (`adaptive: false`) the bounds stay at [a⁻, a⁺] and the objective is the fixed (asymmetric)
 * PPO clip, so the symmetric GRPO clip (0.8, 1.2) and DAPO's clip-higher (0.8, 1.28) are this objective with fixed
 * bounds: the same weights, bit for bit, as the recipe's clipping part (tests/…/objectives/bapo.test.ts).
 * On-policy with one pass (no `offPolicy`, `epochs` 1) the ratios are exactly 1, as in update.ts.
 */
import { clippedSurrogateGrad, ppoClipped } from '../../../rlvr/methods/ppo-clip';
import { registerObjective, type ObjectiveSpec, type PassContext } from '../objective';
import { RECIPES, type Recipe } from '../recipes';

/** The search's parameters (Algorithm 1's inputs). */
export interface BapoBounds {
  /** ρ₀: the target share of the loss from positive-advantage tokens. */
  target: number;
  /** [a⁻, b⁻]: the movable range of c_low. */
  lowStart: number;
  lowMax: number;
  /** [a⁺, b⁺]: the movable range of c_high. */
  highStart: number;
  highMax: number;
  /** δ₁: the step of c_high; δ₂: the step of c_low. */
  stepHigh: number;
  stepLow: number;
}

/** The paper's constants (§5.1 "Implementation details"). */
export const BAPO_PAPER: BapoBounds = {
  target: 0.4,
  lowStart: 0.6,
  lowMax: 0.9,
  highStart: 1.2,
  highMax: 3.0,
  stepHigh: 0.05,
  stepLow: 0.02,
};

/** The tokens the search sees: advantage, ratio and aggregation weight of each kept token. */
export interface SearchTokens {
  A: ArrayLike<number>;
  r: ArrayLike<number>;
  c: ArrayLike<number>;
}

/** Eq. 8's positive and negative contributions (both ≥ 0) at the bounds (c_low, c_high). */
export function contributions(t: SearchTokens, cLow: number, cHigh: number): { pos: number; neg: number } {
  let pos = 0,
    neg = 0;
  for (let j = 0; j < t.A.length; j++) {
    const A = t.A[j];
    if (A > 0) pos += t.c[j] * A * Math.min(t.r[j], cHigh);
    else if (A < 0) neg -= t.c[j] * A * Math.max(t.r[j], cLow);
  }
  return { pos, neg };
}

/** ρ = P/(P + N), the positive tokens' share of the loss; 1 when no negative token contributes (N = 0). */
export function positiveShare(pos: number, neg: number): number {
  return neg > 0 ? pos / (pos + neg) : 1;
}

/** What the search chose. */
export interface BoundSearch {
  cLow: number;
  cHigh: number;
  /** ρ at the chosen bounds and at the start bounds (a⁻, a⁺). */
  rho: number;
  rhoStart: number;
  /** Whether ρ ≥ ρ₀ at the chosen bounds. */
  met: boolean;
  /** Steps taken on c_high and on c_low. */
  highSteps: number;
  lowSteps: number;
}

/** Checks a search's parameters; `where` names the recipe in the message. */
export function checkBounds(b: BapoBounds, where: string): void {
  const bad = (what: string) => {
    throw new RangeError(`reasoning.objectives.bapo (${where}): ${what}`);
  };
  for (const k of ['target', 'lowStart', 'lowMax', 'highStart', 'highMax', 'stepHigh', 'stepLow'] as const)
    if (typeof b[k] !== 'number' || !Number.isFinite(b[k])) bad(`${k} must be a finite number, got ${b[k]}`);
  if (!(b.target >= 0 && b.target <= 1)) bad(`target ρ₀ must lie in [0, 1], got ${b.target}`);
  if (!(b.lowStart > 0 && b.lowStart <= b.lowMax && b.lowMax <= 1))
    bad(`the c_low range needs 0 < lowStart ≤ lowMax ≤ 1, got [${b.lowStart}, ${b.lowMax}]`);
  if (!(b.highStart >= 1 && b.highStart <= b.highMax))
    bad(`the c_high range needs 1 ≤ highStart ≤ highMax, got [${b.highStart}, ${b.highMax}]`);
  if (!(b.stepHigh > 0 && b.stepLow > 0)) bad(`steps must be > 0, got δ₁ ${b.stepHigh}, δ₂ ${b.stepLow}`);
}

/** How many steps of `step` fit in [start, max] (a 1e-9 slack absorbs the decimal steps' rounding). */
function stepsIn(start: number, max: number, step: number): number {
  return Math.floor((max - start) / step + 1e-9);
}

/**
 * Algorithm 1, lines 9–17: from (a⁻, a⁺), raise c_high by δ₁ while ρ < ρ₀ and it stays ≤ b⁺, then c_low by δ₂,
 * for as long as c_low + δ₂ ≤ b⁻ (the loop's guard, which also gates the c_high steps). Bounds are start + i·step
 * (integer i), so the decimal steps never drift past their range.
 */
export function searchBounds(t: SearchTokens, b: BapoBounds): BoundSearch {
  const hiMax = stepsIn(b.highStart, b.highMax, b.stepHigh),
    loMax = stepsIn(b.lowStart, b.lowMax, b.stepLow);
  let hi = 0,
    lo = 0;
  const at = (i: number, j: number) => {
    const { pos, neg } = contributions(t, b.lowStart + j * b.stepLow, b.highStart + i * b.stepHigh);
    return positiveShare(pos, neg);
  };
  const rhoStart = at(0, 0);
  let rho = rhoStart;
  while (rho < b.target && lo + 1 <= loMax) {
    if (hi + 1 <= hiMax) hi++;
    else lo++;
    rho = at(hi, lo);
  }
  return {
    cLow: b.lowStart + lo * b.stepLow,
    cHigh: b.highStart + hi * b.stepHigh,
    rho,
    rhoStart,
    met: rho >= b.target,
    highSteps: hi,
    lowSteps: lo,
  };
}

/** A recipe's BAPO objective: the search's parameters and whether it runs (false: fixed bounds [a⁻, a⁺]). */
export interface BapoSpec extends ObjectiveSpec, BapoBounds {
  kind: 'bapo';
  adaptive: boolean;
}

/** The spec of the paper's BAPO (adaptive, §5.1 constants). */
export function bapoSpec(over: Partial<BapoBounds> = {}): BapoSpec {
  return { kind: 'bapo', adaptive: true, ...BAPO_PAPER, ...over };
}

/** A fixed clip with explicit ratio bounds (lo, hi) through the same objective (the search off). */
export function fixedClipSpec(lo: number, hi: number): BapoSpec {
  return { kind: 'bapo', adaptive: false, ...BAPO_PAPER, lowStart: lo, lowMax: lo, highStart: hi, highMax: hi };
}

/** What one pass of the objective measured (for the observer). */
export interface BapoPassStats extends BoundSearch {
  pass: number;
  /** Eq. 8's contributions at the chosen bounds; negShareLoss = N/(P + N) = 1 − ρ (NaN when P + N = 0). */
  pos: number;
  neg: number;
  negShareLoss: number;
  /**
   * The negative tokens' share of the policy-gradient weight: Σ_{A<0} |w_t| / Σ |w_t| over the surrogate's
   * per-token gradients w_t = −c_t·A_t·r_t (0 where clipped); NaN when every weight is 0.
   */
  negShareGrad: number;
  /** Kept tokens, and the fractions of positive and of negative tokens the clip cut. */
  tokens: number;
  clipPos: number;
  clipNeg: number;
  /** Mean predictive entropy over kept tokens under the current policy (NaN when the policy reports none). */
  entropy: number;
  /**
   * Of the positive-advantage tokens with low probability in the paper's sense (Appendix B.4.2, Definition 1:
   * π_θ(y_t) ≤ exp(E_π log π) = exp(−H_t)), the fraction the clip cut; and the same for the high-probability ones
   * (NaN when there are none, or without entropies).
   */
  posLowProbClipped: number;
  posHighProbClipped: number;
}

let observer: ((s: BapoPassStats) => void) | null = null;

/**
 * Sets (or clears, with null) a function called with each pass's statistics: a measurement hook for experiments
 * (the gradients do not depend on it). Returns the previous observer.
 */
export function observeBapo(fn: ((s: BapoPassStats) => void) | null): ((s: BapoPassStats) => void) | null {
  const prev = observer;
  observer = fn;
  return prev;
}

/** Reads a recipe's objective spec as a BapoSpec (throws naming the recipe when a field is missing or wrong). */
export function readSpec(spec: ObjectiveSpec, recipe: Recipe): BapoSpec {
  const s = spec as BapoSpec;
  if (typeof s.adaptive !== 'boolean')
    throw new RangeError(
      `reasoning.objectives.bapo (${recipe.name}): 'adaptive' must be true or false, got ${String(s.adaptive)}`,
    );
  checkBounds(s, recipe.name);
  if ((recipe.importance ?? 'token') !== 'token')
    throw new RangeError(
      `reasoning.objectives.bapo (${recipe.name}): BAPO clips the per-token ratio; the recipe's importance must be ` +
        `'token', got '${recipe.importance}'`,
    );
  return s;
}

/** The objective's per-pass work: ratios → bounds → per-token gradients and cut flags (+ statistics). */
export function bapoTokenGrads(ctx: PassContext, w: Float32Array, cut: Uint8Array): BapoPassStats {
  const spec = readSpec(ctx.spec, ctx.recipe);
  const { batch, logp, adv, kept, coef, entropy } = ctx;
  const L = batch.L;
  const useRatio = ctx.recipe.epochs > 1 || batch.offPolicy === true;
  let n = 0;
  for (const i of kept) n += batch.lengths[i];
  const A = new Float64Array(n),
    r = new Float64Array(n),
    c = new Float64Array(n),
    pos = new Int32Array(n);
  let q = 0;
  for (const i of kept)
    for (let k = 0; k < batch.lengths[i]; k++, q++) {
      const j = i * L + k;
      A[q] = adv[i];
      r[q] = useRatio ? Math.exp(logp[j] - batch.oldLogp[j]) : 1;
      c[q] = coef[i]![k];
      pos[q] = j;
    }
  const tokens = { A, r, c };
  const found: BoundSearch = spec.adaptive
    ? searchBounds(tokens, spec)
    : (() => {
        const { pos: P, neg: N } = contributions(tokens, spec.lowStart, spec.highStart);
        const rho = positiveShare(P, N);
        const m = { cLow: spec.lowStart, cHigh: spec.highStart, rho, rhoStart: rho, met: rho >= spec.target };
        return { ...m, highSteps: 0, lowSteps: 0 };
      })();
  let gPos = 0,
    gNeg = 0,
    nPos = 0,
    nNeg = 0,
    cutPos = 0,
    cutNeg = 0,
    hSum = 0,
    lowN = 0,
    lowCut = 0,
    highN = 0,
    highCut = 0;
  for (let t = 0; t < n; t++) {
    const j = pos[t];
    const clipped = ppoClipped(A[t], r[t], found.cLow, found.cHigh);
    const g = clippedSurrogateGrad(c[t], A[t], r[t], clipped);
    w[j] = g;
    cut[j] = clipped ? 1 : 0;
    if (A[t] > 0) {
      nPos++;
      gPos += Math.abs(g);
      if (clipped) cutPos++;
      if (entropy) {
        // Definition 1 (Appendix B.4.2): low probability iff log π(y_t) ≤ E_π log π = −H_t.
        if (logp[j] <= -entropy[j]) {
          lowN++;
          if (clipped) lowCut++;
        } else {
          highN++;
          if (clipped) highCut++;
        }
      }
    } else if (A[t] < 0) {
      nNeg++;
      gNeg += Math.abs(g);
      if (clipped) cutNeg++;
    }
    if (entropy) hSum += entropy[j];
  }
  const { pos: P, neg: N } = contributions(tokens, found.cLow, found.cHigh);
  return {
    ...found,
    pass: ctx.pass,
    pos: P,
    neg: N,
    negShareLoss: P + N > 0 ? N / (P + N) : NaN,
    negShareGrad: gPos + gNeg > 0 ? gNeg / (gPos + gNeg) : NaN,
    tokens: n,
    clipPos: nPos ? cutPos / nPos : 0,
    clipNeg: nNeg ? cutNeg / nNeg : 0,
    entropy: entropy && n ? hSum / n : NaN,
    posLowProbClipped: lowN ? lowCut / lowN : NaN,
    posHighProbClipped: highN ? highCut / highN : NaN,
  };
}

registerObjective('bapo', {
  source: 'BAPO (Xi et al. 2025, arXiv 2510.18927), eq. 8 and Algorithm 1',
  tokenGrads(ctx, w, cut) {
    const s = bapoTokenGrads(ctx, w, cut);
    observer?.(s);
  },
});

/**
 * The recipes: GRPO's advantage and token-mean aggregation (the official code's verl defaults: `adv_estimator`
 * grpo, `loss_agg_mode` token-mean, no KL, no entropy term), one gradient pass per batch, the surrogate's bounds
 * chosen by the objective: BAPO (adaptive, §5.1 constants); GRPO with the symmetric clip ε = 0.2 and DAPO's
 * clip-higher (ε_low 0.2, ε_high 0.28) as fixed bounds of the same objective.
 */
const BASE: Recipe = {
  ...RECIPES.grpo,
  aggregation: 'token-mean',
  kl: { kind: 'none' },
  clipping: { kind: 'symmetric', eps: 0.2 },
};

export const BAPO_RECIPES = {
  grpo: { ...BASE, name: 'GRPO', objective: fixedClipSpec(0.8, 1.2) },
  'clip-higher': {
    ...BASE,
    name: 'Clip-Higher',
    clipping: { kind: 'clip-higher', epsLow: 0.2, epsHigh: 0.28 },
    objective: fixedClipSpec(0.8, 1.28),
  },
  bapo: { ...BASE, name: 'BAPO', objective: bapoSpec() },
} satisfies Record<string, Recipe>;
