/**
 * CANON, conditional advantage estimation (Chen et al. 2025, "Conditional Advantage Estimation for Reinforcement
 * Learning in Large Reasoning Models", arXiv 2509.23962), as the authors' code defines it (github.com/biuboomc/CANON,
 * verl/trainer/ppo/core_algos.py: `compute_dr_entropy_per_token_group_outcome_advantage` (metric: entropy) and
 * `compute_dr_length_on_mean_group_outcome_advantage` (metric: length); README: `_lambda` is μ of Eq. 5 and `alpha`
 * the α of Eq. 8; scripts/setups.sh: μ = 1, α = 1).
 *
 * Regrouping. The G responses of a prompt are sorted by a target metric m (ascending, a stable sort: ties keep the
 * sampler's order) and split into two halves of equal size (Theorem 1: the inter-group signal is strongest for equal
 * halves): C⁻, the first ⌊G/2⌋ (lower metric), and C⁺, the rest (higher metric). With r̄⁻, r̄⁺ their mean rewards:
 *
 *   inter-group   A_i^inter = r_i − r̄^{other half}          (which side of the metric is better: a response of the
 *                                                            better half gets more than one of the worse half)
 *   intra-group   A_i^intra = r_i − r̄^{own half}            (which response is better among those on the same side)
 *   Eq. 5         A_i = μ·A_i^inter + (1 − μ)·A_i^intra       (`_lambda` = μ; the official default μ = 1)
 *
 * and the policy loss is Dr. GRPO's: the advantage divided by the generation budget, tokens summed per response, mean
 * over responses (`loss_agg_mode=seq-mean-token-sum` with the 1/max_length inside the advantage), which is the
 * testbed's 'constant' aggregation c = 1/(N·L_max) with A as above. Eq. 8's α (a weight on the inter-group terms,
 * r − α·r̄ or α·r − r̄ depending on the half and the metric in the code) is kept at its official default α = 1 (β = 0),
 * where the entropy and the length variants of the code coincide; it is not a parameter here.
 *
 * Special case: μ = ½ gives r_i − (r̄⁻ + r̄⁺)/2 = r_i − r̄ (equal halves), exactly Dr. GRPO's advantage ("DR.GRPO can
 * be expressed as the average of CANON's two advantage estimates"); μ = 0 compares only within halves.
 *
 * Metrics: 'entropy' is the response's mean per-token predictive entropy (verl's masked_mean of the actor's entropy
 * over the response tokens), read from the batch's `responseEntropy` (filled by the code that samples, from the
 * sampler's entropies: the policy that generated the batch, as verl computes it before the update); 'length' is the
 * number of response tokens (the stop token included, as verl's response mask counts it).
 */
import { registerObjective, type AdvantageContext, type ObjectiveSpec } from '../objective';
import { RECIPES, type Recipe } from '../recipes';
import type { Rollouts } from '../update';

/** The target metric of the regrouping. */
export type CanonMetric = 'entropy' | 'length';

/** CANON's plain-data parameters. */
export interface CanonSpec extends ObjectiveSpec {
  kind: 'canon';
  metric: CanonMetric;
  /** μ of Eq. 5: the weight of the inter-group advantage (1 − μ on the intra-group one); official default 1. */
  mu: number;
}

/** A batch that carries each response's mean per-token sampling entropy (B·G), for the entropy metric. */
export interface EntropyRollouts extends Rollouts {
  responseEntropy?: Float64Array;
}

/** Checks a spec's parameters (plain data crosses threads; a typo must fail loudly). */
export function checkCanonSpec(spec: ObjectiveSpec): CanonSpec {
  const { metric, mu } = spec as Partial<CanonSpec>;
  if (metric !== 'entropy' && metric !== 'length')
    throw new RangeError(`canon: metric must be 'entropy' or 'length', got ${String(metric)}`);
  if (typeof mu !== 'number' || !(mu >= 0 && mu <= 1))
    throw new RangeError(`canon: mu (Eq. 5) must be a number in [0, 1] (official default 1), got ${String(mu)}`);
  return spec as CanonSpec;
}

/**
 * Which responses fall in the higher-metric half C⁺ (1) or the lower half C⁻ (0), per group of G (group-major): an
 * ascending stable sort of the group's metric values, the first ⌊G/2⌋ in C⁻ (the official `mid = n // 2`).
 */
export function canonHalves(metric: ArrayLike<number>, B: number, G: number): Uint8Array {
  if (metric.length !== B * G) throw new RangeError(`canon: ${metric.length} metric values for ${B} groups of ${G}`);
  const upper = new Uint8Array(B * G);
  const mid = Math.floor(G / 2);
  for (let b = 0; b < B; b++) {
    const idx = Array.from({ length: G }, (_, g) => g);
    for (const g of idx)
      if (!Number.isFinite(metric[b * G + g]))
        throw new RangeError(`canon: metric value of response ${b * G + g} is ${metric[b * G + g]}`);
    // Array.prototype.sort is stable (ES2019): ties keep the sampler's order, as Python's sorted does.
    idx.sort((x, y) => metric[b * G + x] - metric[b * G + y]);
    idx.forEach((g, rank) => (upper[b * G + g] = rank >= mid ? 1 : 0));
  }
  return upper;
}

/** The CANON advantages (Eq. 5, α = 1) of B groups of G rewards (group-major) regrouped by `metric`. */
export function canonAdvantages(
  rewards: ArrayLike<number>,
  metric: ArrayLike<number>,
  B: number,
  G: number,
  mu: number,
): Float64Array {
  if (rewards.length !== B * G) throw new RangeError(`canon: ${rewards.length} rewards for ${B} groups of ${G}`);
  if (G < 2) throw new RangeError('canon: the regrouping needs groups of G ≥ 2 responses');
  const upper = canonHalves(metric, B, G);
  const out = new Float64Array(B * G);
  for (let b = 0; b < B; b++) {
    const sum = [0, 0],
      n = [0, 0];
    for (let g = 0; g < G; g++) {
      const h = upper[b * G + g];
      sum[h] += rewards[b * G + g];
      n[h]++;
    }
    const m = [sum[0] / n[0], sum[1] / n[1]];
    for (let g = 0; g < G; g++) {
      const i = b * G + g,
        h = upper[i];
      const inter = rewards[i] - m[1 - h];
      const intra = rewards[i] - m[h];
      out[i] = mu * inter + (1 - mu) * intra;
    }
  }
  return out;
}

/** The metric values of a batch (B·G) for a spec: mean sampling entropy per response, or its length. */
export function canonMetricValues(metric: CanonMetric, batch: EntropyRollouts): Float64Array {
  const N = batch.B * batch.G;
  if (metric === 'length') return Float64Array.from(batch.lengths);
  const h = batch.responseEntropy;
  if (!h || h.length !== N)
    throw new Error(
      `canon: the entropy metric needs the batch's responseEntropy (${N} values, each response's mean sampling ` +
        `entropy), got ${h ? h.length : 'none'}; fill it where the batch is sampled (see the CANON paper's experiment)`,
    );
  return Float64Array.from(h);
}

function canonObjectiveAdvantages(ctx: AdvantageContext): Float64Array {
  const spec = checkCanonSpec(ctx.spec);
  const batch = ctx.batch as EntropyRollouts;
  return canonAdvantages(ctx.rewards, canonMetricValues(spec.metric, batch), batch.B, batch.G, spec.mu);
}

registerObjective('canon', {
  source: 'CANON, Chen et al. 2025 (arXiv 2509.23962, Eq. 5; the authors\u2019 core_algos.py)',
  advantages: (ctx) => canonObjectiveAdvantages(ctx),
});

/** A CANON spec (official default μ = 1). */
export function canonSpec(metric: CanonMetric, mu = 1): CanonSpec {
  return checkCanonSpec({ kind: 'canon', metric, mu });
}

/**
 * The CANON recipe on Dr. GRPO (the official script runs both with loss_agg_mode seq-mean-token-sum, clip-higher
 * ε_low 0.2 / ε_high 0.28, no KL, no entropy term): the objective replaces Dr. GRPO's advantage r − r̄.
 */
export function canonRecipe(metric: CanonMetric, mu = 1): Recipe {
  return {
    ...RECIPES['dr-grpo'],
    name: `CANON (${metric})`,
    clipping: { kind: 'clip-higher', epsLow: 0.2, epsHigh: 0.28 },
    objective: canonSpec(metric, mu),
  };
}
