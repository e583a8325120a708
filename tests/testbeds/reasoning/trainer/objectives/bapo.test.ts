/**
 * BAPO's objective (trainer/objectives/bapo.ts; Xi et al. 2025, eq. 8 and Algorithm 1): the bound search meets its
 * target ρ₀ at the smallest c_high on a constructed batch, stops at the tops of both ranges when the target is out of
 * reach, keeps the start bounds when the target is already met (and then equals the fixed clip); ρ moves the way eq. 8
 * says with each bound; the weights handed to the policy are the gradient of the clipped surrogate at the batch's
 * adaptive bounds (central differences); the fixed-bound specs give the recipe clipping part's weights bit for bit;
 * on-policy the three recipes coincide; bad specs fail with a message naming the recipe.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../../src/core/rng';
import { advantages } from '../../../../../src/testbeds/reasoning/trainer/advantage';
import { tokenWeights } from '../../../../../src/testbeds/reasoning/trainer/aggregation';
import {
  BAPO_PAPER,
  BAPO_RECIPES,
  bapoSpec,
  contributions,
  fixedClipSpec,
  observeBapo,
  positiveShare,
  searchBounds,
  type BapoPassStats,
  type SearchTokens,
} from '../../../../../src/testbeds/reasoning/trainer/objectives/bapo';
import { RECIPES, type Recipe } from '../../../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../../../src/testbeds/reasoning/trainer/update';
import { FreeLogp } from '../../free-logp';

const toks = (A: number[], r: number[], c?: number[]): SearchTokens => ({ A, r, c: c ?? A.map(() => 1) });

describe('the bound search (Algorithm 1 with eq. 8)', () => {
  it('meets the target at the smallest c_high on the grid a⁺ + i·δ₁, leaving c_low at a⁻', () => {
    // One positive token (A = 1, r = 2) and three negatives at r = 1: ρ = min(2, c_high)/(min(2, c_high) + 3),
    // so ρ ≥ 0.4 needs c_high ≥ 2: 16 steps of 0.05 from 1.2.
    const t = toks([1, -1, -1, -1], [2, 1, 1, 1]);
    const s = searchBounds(t, BAPO_PAPER);
    expect(s.rhoStart).toBeCloseTo(1.2 / 4.2, 12);
    expect(s.met).toBe(true);
    expect(s.highSteps).toBe(16);
    expect(s.cHigh).toBeCloseTo(2, 12);
    expect(s.lowSteps).toBe(0);
    expect(s.cLow).toBe(BAPO_PAPER.lowStart);
    expect(s.rho).toBeCloseTo(0.4, 12);
    // one step less misses the target
    const { pos, neg } = contributions(t, s.cLow, s.cHigh - BAPO_PAPER.stepHigh);
    expect(positiveShare(pos, neg)).toBeLessThan(0.4);
  });

  it('out of reach: c_high goes to b⁺, then c_low to the last grid point ≤ b⁻, and the target stays unmet', () => {
    const t = toks([1, -1, -1, -1, -1], [2, 1, 1, 1, 0.7], [1, 3, 3, 3, 1]);
    const s = searchBounds(t, BAPO_PAPER);
    expect(s.met).toBe(false);
    expect(s.highSteps).toBe(36);
    expect(s.cHigh).toBeCloseTo(3, 12);
    expect(s.lowSteps).toBe(15);
    expect(s.cLow).toBeCloseTo(0.9, 12);
    // raising c_low lifted the clipped value of the r = 0.7 negative: ρ fell below its value at c_low = a⁻
    const { pos, neg } = contributions(t, BAPO_PAPER.lowStart, 3);
    expect(s.rho).toBeLessThan(positiveShare(pos, neg));
  });

  it('already met at the start bounds: no step is taken', () => {
    const s = searchBounds(toks([1, 1, -1], [1.5, 0.9, 1.1]), BAPO_PAPER);
    expect(s.met).toBe(true);
    expect([s.highSteps, s.lowSteps, s.cLow, s.cHigh]).toEqual([0, 0, 0.6, 1.2]);
    expect(s.rho).toBe(s.rhoStart);
    // no negative contribution: ρ = 1; nothing at all: ρ = 1
    expect(searchBounds(toks([1, 0], [3, 1]), BAPO_PAPER).rho).toBe(1);
    expect(positiveShare(0, 0)).toBe(1);
  });

  it('ρ is non-decreasing in c_high and non-increasing in c_low (eq. 8), on random tokens', () => {
    const rng = new Rng(3);
    const n = 200;
    const A = Array.from({ length: n }, () => rng.range(-2, 2));
    const r = Array.from({ length: n }, () => Math.exp(rng.range(-1, 1)));
    const c = Array.from({ length: n }, () => rng.range(0.1, 1));
    const rho = (lo: number, hi: number) => {
      const { pos, neg } = contributions({ A, r, c }, lo, hi);
      return positiveShare(pos, neg);
    };
    for (let hi = 1.2; hi < 3; hi += 0.1) expect(rho(0.6, hi + 0.1)).toBeGreaterThanOrEqual(rho(0.6, hi));
    for (let lo = 0.6; lo < 0.9; lo += 0.05) expect(rho(lo + 0.05, 1.2)).toBeLessThanOrEqual(rho(lo, 1.2));
    // and strictly so where tokens sit between the bounds' values
    expect(rho(0.6, 2.5)).toBeGreaterThan(rho(0.6, 1.2));
    expect(rho(0.9, 1.2)).toBeLessThan(rho(0.6, 1.2));
  });

  it("the code's criterion P/N ≥ ρ₀/(1 − ρ₀) is the same test as ρ ≥ ρ₀", () => {
    const rng = new Rng(4);
    for (let k = 0; k < 200; k++) {
      const pos = rng.range(0, 3),
        neg = rng.range(0.01, 3),
        target = rng.range(0.05, 0.95);
      expect(positiveShare(pos, neg) >= target).toBe(pos / neg >= target / (1 - target));
    }
  });
});

// A stale batch where the negatives are longer (token-mean: they dominate the loss) and the positive tokens' ratios
// are high (their contribution is capped at c_high): the search must move.
const B = 2,
  G = 4,
  L = 5,
  N = B * G;
const rewards = Float64Array.from([1, 0, 0, 0, 1, 1, 0, 0]);
const lengths = Int32Array.from([2, 5, 5, 4, 2, 3, 5, 5]);
const rng = new Rng(9);
const oldLogp = new Float32Array(N * L),
  theta = new Float32Array(N * L);
for (let i = 0; i < N; i++)
  for (let t = 0; t < lengths[i]; t++) {
    oldLogp[i * L + t] = -rng.range(0.2, 3);
    theta[i * L + t] = oldLogp[i * L + t] + (rewards[i] ? rng.range(0.3, 1.1) : rng.range(-0.9, 0.4));
  }
const batch: Rollouts = { B, G, P: 1, L, seq: new Int32Array(N * (L + 1)), lengths, oldLogp, rewards, offPolicy: true };

function run(recipe: Recipe, b: Rollouts = batch): { w: Float32Array; clip: number; stats: BapoPassStats[] } {
  const stats: BapoPassStats[] = [];
  const prev = observeBapo((s) => stats.push(s));
  try {
    const p = new FreeLogp(theta);
    const u = policyUpdate(p, recipe, b, null);
    return { w: p.w!, clip: u.clipFraction, stats };
  } finally {
    observeBapo(prev);
  }
}

describe('BAPO in the update', () => {
  const adv = advantages('grpo', rewards, B, G);
  const c = tokenWeights('token-mean', lengths, L);

  it('weights = ∂/∂log π of −Σ c·min(rA, clip(r, c_low, c_high)A) at the batch bounds (central differences)', () => {
    const { w, stats } = run(BAPO_RECIPES.bapo);
    expect(stats).toHaveLength(1);
    const s = stats[0];
    expect(s.rhoStart).toBeLessThan(BAPO_PAPER.target); // the search had to move
    expect(s.highSteps).toBeGreaterThan(0);
    expect(s.met).toBe(true);
    expect(s.clipPos + s.clipNeg).toBeGreaterThan(0); // some tokens clipped at the chosen bounds
    const loss = (th: Float64Array) => {
      let sum = 0;
      for (let i = 0; i < N; i++)
        for (let t = 0; t < lengths[i]; t++) {
          const r = Math.exp(th[i * L + t] - oldLogp[i * L + t]);
          sum -= c[i][t] * Math.min(r * adv[i], Math.min(s.cHigh, Math.max(s.cLow, r)) * adv[i]);
        }
      return sum;
    };
    const th = Float64Array.from(theta);
    const h = 1e-6;
    for (let j = 0; j < N * L; j++) {
      const up = Float64Array.from(th),
        dn = Float64Array.from(th);
      up[j] += h;
      dn[j] -= h;
      expect(w[j], `token ${j}`).toBeCloseTo((loss(up) - loss(dn)) / (2 * h), 6);
    }
    // the chosen bounds meet the target and one c_high step less does not
    expect(s.rho).toBeGreaterThanOrEqual(BAPO_PAPER.target);
    const A: number[] = [],
      r: number[] = [],
      cc: number[] = [];
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) {
        A.push(adv[i]);
        r.push(Math.exp(theta[i * L + t] - oldLogp[i * L + t]));
        cc.push(c[i][t]);
      }
    const less = contributions({ A, r, c: cc }, s.cLow, s.cHigh - BAPO_PAPER.stepHigh);
    expect(positiveShare(less.pos, less.neg)).toBeLessThan(BAPO_PAPER.target);
    expect(s.negShareLoss).toBeCloseTo(1 - s.rho, 12);
  });

  it('with the target already met the bounds stay at (a⁻, a⁺): BAPO is the fixed clip (0.6, 1.2)', () => {
    const easy = bapoSpec({ target: 0.05 });
    const a = run({ ...BAPO_RECIPES.bapo, objective: easy });
    expect(a.stats[0].highSteps + a.stats[0].lowSteps).toBe(0);
    const fixed = run({ ...BAPO_RECIPES.bapo, objective: fixedClipSpec(0.6, 1.2) });
    expect(Array.from(a.w)).toEqual(Array.from(fixed.w));
    expect(a.clip).toBe(fixed.clip);
    // and the fixed clip is the recipe's clip-higher part with ε_low 0.4, ε_high 0.2, bit for bit
    const plain = run({
      ...BAPO_RECIPES.bapo,
      objective: undefined,
      clipping: { kind: 'clip-higher', epsLow: 0.4, epsHigh: 0.2 },
    });
    expect(Array.from(a.w)).toEqual(Array.from(plain.w));
    expect(a.clip).toBe(plain.clip);
  });

  it("GRPO (0.8, 1.2) and Clip-Higher (0.8, 1.28): the clipping part's weights and clip fraction, bit for bit", () => {
    const g = run(BAPO_RECIPES.grpo),
      gPlain = run({ ...BAPO_RECIPES.grpo, objective: undefined });
    expect(g.clip).toBeGreaterThan(0);
    expect(Array.from(g.w)).toEqual(Array.from(gPlain.w));
    expect(g.clip).toBe(gPlain.clip);
    const h = run(BAPO_RECIPES['clip-higher']),
      hPlain = run({
        ...BAPO_RECIPES['clip-higher'],
        objective: undefined,
        clipping: { kind: 'clip-higher', epsLow: 0.2, epsHigh: 0.28 },
      });
    expect(Array.from(h.w)).toEqual(Array.from(hPlain.w));
    expect(h.clip).toBe(hPlain.clip);
    // BAPO differs from both here (its bounds moved)
    expect(Array.from(run(BAPO_RECIPES.bapo).w)).not.toEqual(Array.from(g.w));
  });

  it('on-policy with one pass the ratios are 1 and the three recipes give identical weights', () => {
    const onPolicy: Rollouts = { ...batch, oldLogp: theta, offPolicy: false };
    const [g, h, b] = [BAPO_RECIPES.grpo, BAPO_RECIPES['clip-higher'], BAPO_RECIPES.bapo].map((r) => run(r, onPolicy));
    expect(Array.from(h.w)).toEqual(Array.from(g.w));
    expect(Array.from(b.w)).toEqual(Array.from(g.w));
    expect(g.clip).toBe(0);
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) expect(g.w[i * L + t]).toBeCloseTo(-c[i][t] * adv[i], 7);
  });

  it('negShareGrad is the negatives’ share of Σ|w| and the entropy is NaN without entropies', () => {
    const { w, stats } = run(BAPO_RECIPES.bapo);
    let neg = 0,
      all = 0;
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) {
        all += Math.abs(w[i * L + t]);
        if (adv[i] < 0) neg += Math.abs(w[i * L + t]);
      }
    expect(stats[0].negShareGrad).toBeCloseTo(neg / all, 6);
    expect(stats[0].entropy).toBeNaN();
  });

  it('a batch without mixed groups: no contribution, ρ = 1 (met, no step), shares NaN, zero weights', () => {
    const uniform: Rollouts = { ...batch, rewards: Float64Array.from([1, 1, 1, 1, 0, 0, 0, 0]) };
    const { w, stats } = run(BAPO_RECIPES.bapo, uniform);
    expect(stats[0].rho).toBe(1);
    expect(stats[0].met).toBe(true);
    expect(stats[0].highSteps + stats[0].lowSteps).toBe(0);
    expect(stats[0].negShareLoss).toBeNaN();
    expect(stats[0].negShareGrad).toBeNaN();
    expect(w.every((x) => x === 0)).toBe(true);
  });

  it('bad specs and a sequence-level ratio fail, naming the recipe', () => {
    const r = BAPO_RECIPES.bapo;
    expect(() => run({ ...r, objective: bapoSpec({ target: 1.5 }) })).toThrow(/BAPO.*target/);
    expect(() => run({ ...r, objective: bapoSpec({ lowStart: 0.95 }) })).toThrow(/c_low range/);
    expect(() => run({ ...r, objective: bapoSpec({ highMax: 1.1 }) })).toThrow(/c_high range/);
    expect(() => run({ ...r, objective: bapoSpec({ stepHigh: 0 }) })).toThrow(/steps must be > 0/);
    expect(() => run({ ...r, objective: { ...bapoSpec(), adaptive: 'yes' } })).toThrow(/adaptive/);
    expect(() => run({ ...r, importance: 'sequence' })).toThrow(/importance must be 'token'/);
  });
});

describe('recipes', () => {
  it('share GRPO advantage, token-mean, no KL, one pass; differ only in the objective', () => {
    for (const r of Object.values(BAPO_RECIPES)) {
      expect(r.advantage).toBe('grpo');
      expect(r.aggregation).toBe('token-mean');
      expect(r.kl).toEqual({ kind: 'none' });
      expect(r.epochs).toBe(1);
      expect(r.entropyBonus).toBe(0);
    }
    expect(BAPO_RECIPES.bapo.objective).toMatchObject({ adaptive: true, ...BAPO_PAPER });
    expect(RECIPES.grpo.advantage).toBe('grpo');
  });
});
