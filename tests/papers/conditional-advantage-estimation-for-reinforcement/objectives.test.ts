/**
 * CANON's advantage (src/testbeds/reasoning/trainer/objectives/canon.ts) and the directional shaping baselines
 * (objectives/directional-shaping.ts): hand-computed groups, the μ = ½ identity with Dr. GRPO, μ = 0 (intra only),
 * the stable tie rule, odd groups, the length reward and the entropy advantage in both directions, finite-difference
 * checks of the token weights the update hands the policy against each method's loss, and the errors on bad input.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { advantages } from '../../../src/testbeds/reasoning/trainer/advantage';
import { tokenWeights } from '../../../src/testbeds/reasoning/trainer/aggregation';
import { surrogateLoss } from '../../../src/testbeds/reasoning/trainer/clipping';
import {
  canonAdvantages,
  canonHalves,
  canonRecipe,
  canonSpec,
  checkCanonSpec,
  type EntropyRollouts,
} from '../../../src/testbeds/reasoning/trainer/objectives/canon';
import {
  checkEntropyAdvantageSpec,
  checkLengthRewardSpec,
  entropyAdvantageRecipe,
  entropyShapedAdvantage,
  lengthRewardRecipe,
  lengthShapedRewards,
  type EntropyAdvantageSpec,
  type LengthRewardSpec,
} from '../../../src/testbeds/reasoning/trainer/objectives/directional-shaping';
import type { RlPolicy, Scored } from '../../../src/testbeds/reasoning/trainer/policy';
import type { Recipe } from '../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, recipeAdvantages } from '../../../src/testbeds/reasoning/trainer/update';

describe('CANON advantage (Eq. 5)', () => {
  // One group of 4: metric order 1 (0.1), 3 (0.2) | 0 (0.3), 2 (0.4); the higher half is all correct.
  const r = [1, 0, 1, 0],
    m = [0.3, 0.1, 0.4, 0.2];
  it('splits at the median of the metric, lower half first', () => {
    expect(Array.from(canonHalves(m, 1, 4))).toEqual([1, 0, 1, 0]);
  });
  it('μ = 1: inter-group only, r_i minus the other half’s mean', () => {
    expect(Array.from(canonAdvantages(r, m, 1, 4, 1))).toEqual([1, -1, 1, -1]);
  });
  it('μ = 0: intra-group only, r_i minus the own half’s mean (zero when each half is uniform)', () => {
    expect(Array.from(canonAdvantages(r, m, 1, 4, 0))).toEqual([0, 0, 0, 0]);
    // Mixed halves: lower {r=1 (0.1), r=0 (0.2)}, upper {r=1 (0.3), r=1 (0.4)}.
    const a = canonAdvantages([1, 1, 1, 0], m, 1, 4, 0);
    expect(Array.from(a)).toEqual([0, 0.5, 0, -0.5]);
    const inter = canonAdvantages([1, 1, 1, 0], m, 1, 4, 1);
    expect(Array.from(inter)).toEqual([0.5, 0, 0.5, -1]);
    const mixed = canonAdvantages([1, 1, 1, 0], m, 1, 4, 0.3);
    for (let i = 0; i < 4; i++) expect(mixed[i]).toBeCloseTo(0.3 * inter[i] + 0.7 * a[i], 15);
  });
  it('μ = ½ is Dr. GRPO (r − r̄) on random groups, whatever the metric', () => {
    const rng = new Rng(7);
    const B = 20,
      G = 8;
    const rew = Array.from({ length: B * G }, () => (rng.uniform() < 0.4 ? 1 : 0));
    const met = Array.from({ length: B * G }, () => rng.uniform());
    const dr = advantages('dr-grpo', rew, B, G);
    const half = canonAdvantages(rew, met, B, G, 0.5);
    for (let i = 0; i < B * G; i++) expect(half[i]).toBeCloseTo(dr[i], 14);
  });
  it('uniform groups get zero advantage', () => {
    expect(Array.from(canonAdvantages([1, 1, 1, 1, 0, 0, 0, 0], [4, 3, 2, 1, 1, 2, 3, 4], 2, 4, 1))).toEqual([
      0, 0, 0, 0, 0, 0, 0, 0,
    ]);
  });
  it('ties keep the sampler’s order (stable sort) and an odd group puts the extra response in the upper half', () => {
    expect(Array.from(canonHalves([5, 5, 5, 5], 1, 4))).toEqual([0, 0, 1, 1]);
    expect(Array.from(canonHalves([3, 1, 2, 5, 4], 1, 5))).toEqual([1, 0, 0, 1, 1]);
  });
  it('refuses bad parameters and inputs', () => {
    expect(() => checkCanonSpec({ kind: 'canon', metric: 'width', mu: 1 })).toThrow(/metric must be/);
    expect(() => checkCanonSpec({ kind: 'canon', metric: 'length', mu: 1.5 })).toThrow(/mu \(Eq. 5\)/);
    expect(() => canonAdvantages([1, 0], [0, 1], 1, 3, 1)).toThrow(/2 rewards for 1 groups of 3/);
    expect(() => canonAdvantages([1], [0], 1, 1, 1)).toThrow(/G ≥ 2/);
    expect(() => canonHalves([0, NaN], 1, 2)).toThrow(/metric value of response 1/);
  });
  it('the entropy metric needs the batch’s responseEntropy', () => {
    const batch = tinyBatch(new Rng(1));
    delete batch.responseEntropy;
    expect(() => recipeAdvantages(canonRecipe('entropy'), batch, null)).toThrow(/responseEntropy/);
  });
});

describe('directional shaping', () => {
  const kimi: LengthRewardSpec = { kind: 'length-reward', weight: 1, favour: 'lower' };
  it('Kimi length reward: λ = 0.5 − (l − l_min)/(l_max − l_min), min(0, λ) on wrong answers', () => {
    const out = lengthShapedRewards([1, 1, 0, 0], [10, 20, 10, 20], 1, 4, kimi);
    expect(Array.from(out)).toEqual([1.5, 0.5, 0, -0.5]);
    const rev = lengthShapedRewards([1, 1, 0, 0], [10, 20, 10, 20], 1, 4, { ...kimi, favour: 'higher' });
    expect(Array.from(rev)).toEqual([0.5, 1.5, -0.5, 0]);
    // One length in the group: no shaping.
    expect(Array.from(lengthShapedRewards([1, 0], [7, 7], 1, 2, kimi))).toEqual([1, 0]);
  });
  it('weight 1 never ranks a wrong answer above a correct one', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 200; trial++) {
      const r = Array.from({ length: 8 }, () => (rng.uniform() < 0.5 ? 1 : 0));
      const l = Array.from({ length: 8 }, () => 1 + rng.int(40));
      const s = lengthShapedRewards(r, l, 1, 8, kimi);
      for (let i = 0; i < 8; i++)
        for (let j = 0; j < 8; j++) if (r[i] === 1 && r[j] === 0) expect(s[i]).toBeGreaterThan(s[j]);
    }
  });
  it('entropy advantage: A ± min(αH, |A|/κ), never flipping the sign', () => {
    const hi: EntropyAdvantageSpec = { kind: 'entropy-advantage', alpha: 0.4, kappa: 2, favour: 'higher' };
    expect(entropyShapedAdvantage(1, 0.5, hi)).toBeCloseTo(1.2, 15);
    expect(entropyShapedAdvantage(1, 5, hi)).toBeCloseTo(1.5, 15);
    expect(entropyShapedAdvantage(-1, 0.5, hi)).toBeCloseTo(-0.8, 15);
    expect(entropyShapedAdvantage(-1, 0.5, { ...hi, favour: 'lower' })).toBeCloseTo(-1.2, 15);
    expect(entropyShapedAdvantage(0, 3, hi)).toBe(0);
    for (const A of [-0.7, -0.1, 0.2, 0.9])
      for (const H of [0, 0.3, 2, 9])
        expect(Math.sign(entropyShapedAdvantage(A, H, { ...hi, favour: 'lower' }))).toBe(Math.sign(A));
  });
  it('refuses bad parameters', () => {
    expect(() =>
      checkEntropyAdvantageSpec({ kind: 'entropy-advantage', alpha: 0.4, kappa: 1, favour: 'higher' }),
    ).toThrow(/kappa must be a number > 1/);
    expect(() =>
      checkEntropyAdvantageSpec({ kind: 'entropy-advantage', alpha: -1, kappa: 2, favour: 'higher' }),
    ).toThrow(/alpha/);
    expect(() => checkLengthRewardSpec({ kind: 'length-reward', weight: 1, favour: 'up' })).toThrow(/favour must be/);
  });
});

/** A batch of 2 groups of 4 rows with L = 5, random lengths, rewards (mixed), old log-probabilities and entropies. */
function tinyBatch(rng: Rng): EntropyRollouts {
  const B = 2,
    G = 4,
    P = 2,
    L = 5,
    N = B * G;
  const lengths = Int32Array.from({ length: N }, () => 1 + rng.int(L));
  const oldLogp = new Float32Array(N * L);
  for (let i = 0; i < N; i++) for (let t = 0; t < lengths[i]; t++) oldLogp[i * L + t] = -0.2 - rng.uniform();
  return {
    B,
    G,
    P,
    L,
    seq: new Int32Array(N * (P + L)),
    lengths,
    oldLogp,
    rewards: Float64Array.from([1, 0, 0, 1, 0, 1, 1, 1]),
    responseEntropy: Float64Array.from({ length: N }, () => rng.uniform()),
    offPolicy: true,
  };
}

/** A policy whose scores are given log-probabilities and entropies; it records the token weights it is handed. */
class FixedScores implements RlPolicy {
  w: Float32Array | null = null;
  constructor(
    readonly logp: Float32Array,
    readonly entropy: Float32Array,
  ) {}
  sample(): never {
    throw new Error('not a sampler');
  }
  score(): Scored {
    return { logp: this.logp, entropy: this.entropy };
  }
  backward(_s: Scored, w: Float32Array): void {
    this.w = Float32Array.from(w);
  }
  step(): number {
    return 0;
  }
  snapshot(): Float32Array {
    return new Float32Array(0);
  }
}

/**
 * The loss Σ_i Σ_t c_it·ℓ_clip(ρ_it, A_it) of a recipe on the batch at log-probabilities `logp` (float64), with the
 * token advantage A_it from `tokenAdv` (entropies held fixed: detached).
 */
function surrogate(
  recipe: Recipe,
  b: EntropyRollouts,
  logp: Float64Array,
  tokenAdv: (i: number, j: number) => number,
): number {
  const c = tokenWeights(recipe.aggregation, b.lengths, b.L);
  let loss = 0;
  for (let i = 0; i < b.B * b.G; i++)
    for (let t = 0; t < b.lengths[i]; t++) {
      const j = i * b.L + t;
      loss += c[i][t] * surrogateLoss(recipe.clipping, tokenAdv(i, j), Math.exp(logp[j] - b.oldLogp[j]));
    }
  return loss;
}

describe('finite differences: the token weights are ∂loss/∂log π', () => {
  const rng = new Rng(11);
  const b = tinyBatch(rng);
  const N = b.B * b.G,
    L = b.L;
  // Log-probabilities moved off the sampler's by ±0.05 (ratios inside the clip band) or by +0.6 / −0.6 (outside).
  const logp = new Float32Array(N * L),
    entropy = new Float32Array(N * L);
  for (let i = 0; i < N; i++)
    for (let t = 0; t < b.lengths[i]; t++) {
      const j = i * L + t;
      const u = rng.uniform();
      logp[j] = b.oldLogp[j] + (u < 0.15 ? 0.6 : u < 0.3 ? -0.6 : 0.1 * (rng.uniform() - 0.5));
      entropy[j] = 2 * rng.uniform();
    }
  const h = 1e-6;
  const check = (recipe: Recipe, tokenAdv: (i: number, j: number) => number) => {
    const pol = new FixedScores(logp, entropy);
    policyUpdate(pol, recipe, b, null);
    const x = Float64Array.from(logp);
    let checked = 0,
      nonzero = 0;
    for (let i = 0; i < N; i++)
      for (let t = 0; t < b.lengths[i]; t++) {
        const j = i * L + t;
        const up = Float64Array.from(x),
          dn = Float64Array.from(x);
        up[j] += h;
        dn[j] -= h;
        const fd = (surrogate(recipe, b, up, tokenAdv) - surrogate(recipe, b, dn, tokenAdv)) / (2 * h);
        expect(pol.w![j]).toBeCloseTo(fd, 6);
        checked++;
        if (Math.abs(fd) > 1e-6) nonzero++;
      }
    expect(checked).toBeGreaterThan(10);
    expect(nonzero).toBeGreaterThan(3);
    return pol.w!;
  };
  it('CANON by entropy and by length (μ = 1, constant aggregation, clip-higher)', () => {
    for (const metric of ['entropy', 'length'] as const) {
      const recipe = canonRecipe(metric);
      const A = canonAdvantages(b.rewards, metric === 'entropy' ? b.responseEntropy! : b.lengths, b.B, b.G, 1);
      check(recipe, (i) => A[i]);
    }
  });
  it('CANON with μ = ½ hands the policy Dr. GRPO’s token weights', () => {
    const half = check(canonRecipe('entropy', 0.5), (i) => advantages('dr-grpo', b.rewards, b.B, b.G)[i]);
    const dr = new FixedScores(logp, entropy);
    policyUpdate(dr, { ...canonRecipe('entropy'), objective: undefined }, b, null);
    for (let j = 0; j < N * L; j++) expect(half[j]).toBeCloseTo(dr.w![j], 12);
  });
  it('entropy advantage, both directions (entropies detached)', () => {
    for (const favour of ['higher', 'lower'] as const) {
      const recipe = entropyAdvantageRecipe(favour);
      const spec = recipe.objective as EntropyAdvantageSpec;
      const A = advantages('dr-grpo', b.rewards, b.B, b.G);
      check(recipe, (i, j) => entropyShapedAdvantage(A[i], entropy[j], spec));
    }
  });
  it('length reward, both directions', () => {
    for (const favour of ['higher', 'lower'] as const) {
      const recipe = lengthRewardRecipe(favour);
      const shaped = lengthShapedRewards(b.rewards, b.lengths, b.B, b.G, recipe.objective as LengthRewardSpec);
      const A = advantages('dr-grpo', shaped, b.B, b.G);
      check(recipe, (i) => A[i]);
    }
  });
  it('the specs are plain data', () => {
    expect(JSON.parse(JSON.stringify(canonSpec('length')))).toEqual({ kind: 'canon', metric: 'length', mu: 1 });
  });
});
