/**
 * The reasoning trainer's parts against their formulas on hand cases: advantages (REINFORCE, baseline, RLOO,
 * GRPO, Dr. GRPO, BNPO at its GRPO/REINFORCE special cases, ReMax), token aggregation, ratio clipping
 * (symmetric, clip-higher, dual-clip: loss values and that the gradient is the derivative of the loss), KL
 * estimators (values and derivatives by central differences), and the sample filters.
 */
import { describe, expect, it } from 'vitest';
import { advantages } from '../../../../src/testbeds/reasoning/trainer/advantage';
import { tokenWeights } from '../../../../src/testbeds/reasoning/trainer/aggregation';
import {
  isClipped,
  surrogateGrad,
  surrogateLoss,
  type Clipping,
} from '../../../../src/testbeds/reasoning/trainer/clipping';
import { keepMask } from '../../../../src/testbeds/reasoning/trainer/filters';
import { klEstimate, klGrad } from '../../../../src/testbeds/reasoning/trainer/kl';
import { RECIPES } from '../../../../src/testbeds/reasoning/trainer/recipes';

const close = (a: ArrayLike<number>, b: number[], d = 12) => {
  expect(a.length).toBe(b.length);
  b.forEach((v, i) => expect(a[i]).toBeCloseTo(v, d));
};

describe('advantage parts', () => {
  // Two groups of G = 4: [1, 0, 0, 1] (mean 1/2, unbiased std √(1/3)) and [1, 1, 1, 0] (mean 3/4, std 1/2).
  const r = [1, 0, 0, 1, 1, 1, 1, 0];
  it('REINFORCE is the reward itself', () => close(advantages('reinforce', r, 2, 4), r));
  it('baseline and Dr. GRPO subtract the group mean', () => {
    const want = [0.5, -0.5, -0.5, 0.5, 0.25, 0.25, 0.25, -0.75];
    close(advantages('baseline', r, 2, 4), want);
    close(advantages('dr-grpo', r, 2, 4), want);
  });
  it('RLOO subtracts the mean of the other G − 1', () => {
    close(advantages('rloo', r, 2, 4), [1 - 1 / 3, -2 / 3, -2 / 3, 1 - 1 / 3, 1 - 2 / 3, 1 / 3, 1 / 3, -1]);
  });
  it('GRPO divides by the unbiased group std + 1e-6', () => {
    const s1 = Math.sqrt(1 / 3),
      s2 = 0.5;
    close(
      advantages('grpo', r, 2, 4),
      [0.5, -0.5, -0.5, 0.5].map((x) => x / (s1 + 1e-6)).concat([0.25, 0.25, 0.25, -0.75].map((x) => x / (s2 + 1e-6))),
      9,
    );
  });
  it('GRPO and baseline give 0 to a uniform group', () => {
    close(advantages('grpo', [1, 1, 1, 1], 1, 4), [0, 0, 0, 0]);
    close(advantages('baseline', [0, 0, 0], 1, 3), [0, 0, 0]);
  });
  it('BNPO: (r − p̂)/Beta(α, β) density at p̂ with the adaptive fit; α = β = 1 (no spread) is the baseline', () => {
    // Both groups have p̂ = 1/2: no spread, the fit falls back to α = β = 1, density 1.
    close(advantages('bnpo', [1, 0, 1, 0, 0, 1, 1, 0], 2, 4), [0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, -0.5]);
  });
  it('ReMax subtracts the greedy answer’s reward; it needs one per group', () => {
    close(advantages('remax', r, 2, 4, { greedyRewards: [1, 0] }), [0, -1, -1, 0, 1, 1, 1, 0]);
    expect(() => advantages('remax', r, 2, 4)).toThrow(/greedyRewards/);
  });
  it('rejects a reward count that is not B·G', () => expect(() => advantages('grpo', r, 3, 4)).toThrow(/8 rewards/));
});

describe('token aggregation parts', () => {
  const lengths = [2, 4];
  it('sequence-mean: 1/(N·|o_i|)', () => {
    const w = tokenWeights('sequence-mean', lengths, 10);
    close(w[0], [1 / 4, 1 / 4]);
    close(w[1], [1 / 8, 1 / 8, 1 / 8, 1 / 8]);
  });
  it('token-mean: 1/Σ|o_j|', () => {
    const w = tokenWeights('token-mean', lengths, 10);
    close(w[0], [1 / 6, 1 / 6]);
    close(w[1], [1 / 6, 1 / 6, 1 / 6, 1 / 6]);
  });
  it('constant: 1/(N·L_max), independent of the lengths', () => {
    const w = tokenWeights('constant', lengths, 10);
    close(w[0], [1 / 20, 1 / 20]);
    close(w[1], [1 / 20, 1 / 20, 1 / 20, 1 / 20]);
  });
  it('the weights of sequence-mean and token-mean sum to 1', () => {
    for (const m of ['sequence-mean', 'token-mean'] as const) {
      const s = tokenWeights(m, [3, 7, 1], 9).reduce((a, w) => a + w.reduce((x, y) => x + y, 0), 0);
      expect(s).toBeCloseTo(1, 12);
    }
  });
  it('rejects a zero length', () => expect(() => tokenWeights('token-mean', [2, 0], 4)).toThrow(/≥ 1/));
});

describe('ratio clipping parts', () => {
  const sym: Clipping = { kind: 'symmetric', eps: 0.2 };
  const higher: Clipping = { kind: 'clip-higher', epsLow: 0.2, epsHigh: 0.28 };
  const dual: Clipping = { kind: 'dual-clip', eps: 0.2, c: 3 };
  it('symmetric: −min(ρA, clip(ρ, 0.8, 1.2)A) on hand cases', () => {
    expect(surrogateLoss(sym, 1, 1.5)).toBeCloseTo(-1.2, 12);
    expect(surrogateLoss(sym, 1, 0.5)).toBeCloseTo(-0.5, 12);
    expect(surrogateLoss(sym, -1, 0.5)).toBeCloseTo(0.8, 12);
    expect(surrogateLoss(sym, -1, 1.5)).toBeCloseTo(1.5, 12);
    expect(isClipped(sym, 1, 1.5)).toBe(true);
    expect(isClipped(sym, 1, 0.5)).toBe(false);
    expect(isClipped(sym, -1, 0.5)).toBe(true);
    expect(isClipped(sym, -1, 1.5)).toBe(false);
  });
  it('clip-higher: the upper bound is 1 + ε_high', () => {
    expect(surrogateLoss(higher, 1, 1.25)).toBeCloseTo(-1.25, 12);
    expect(isClipped(higher, 1, 1.25)).toBe(false);
    expect(surrogateLoss(higher, 1, 1.5)).toBeCloseTo(-1.28, 12);
    expect(isClipped(higher, 1, 1.5)).toBe(true);
    expect(surrogateLoss(higher, -1, 0.7)).toBeCloseTo(0.8, 12);
  });
  it('dual-clip: for A < 0 the loss is at most −c·A', () => {
    expect(surrogateLoss(dual, -1, 5)).toBeCloseTo(3, 12);
    expect(isClipped(dual, -1, 5)).toBe(true);
    expect(surrogateLoss(dual, -1, 2)).toBeCloseTo(2, 12);
    expect(isClipped(dual, -1, 2)).toBe(false);
    expect(surrogateLoss(dual, 1, 5)).toBeCloseTo(-1.2, 12);
  });
  it('the gradient in log π is the derivative of the loss (central differences in log ρ)', () => {
    const h = 1e-6;
    for (const clip of [sym, higher, dual, { kind: 'none' } as Clipping])
      for (const A of [-1.3, -0.4, 0.7, 2])
        for (const ratio of [0.3, 0.75, 0.95, 1, 1.1, 1.25, 1.5, 2.5, 4]) {
          const fd =
            (surrogateLoss(clip, A, ratio * Math.exp(h)) - surrogateLoss(clip, A, ratio * Math.exp(-h))) / (2 * h);
          if (Math.abs(fd - surrogateGrad(clip, A, ratio)) > 1e-5) {
            // Only at a kink (ratio exactly on a bound) may the one-sided derivatives differ.
            throw new Error(`${clip.kind} A=${A} ρ=${ratio}: fd ${fd} vs ${surrogateGrad(clip, A, ratio)}`);
          }
        }
  });
  it('at ρ = 1 every clipping gives the on-policy gradient −A', () => {
    for (const clip of [sym, higher, dual]) expect(surrogateGrad(clip, 0.37, 1)).toBe(-0.37);
  });
});

describe('KL parts', () => {
  it('values at hand points', () => {
    expect(klEstimate('k1', 0.3)).toBe(0.3);
    expect(klEstimate('k2', 0.3)).toBeCloseTo(0.045, 14);
    expect(klEstimate('k3', 0.3)).toBeCloseTo(Math.exp(-0.3) - 1 + 0.3, 14);
    expect(klEstimate('k3', 0)).toBe(0);
    expect(klEstimate('k3', -2)).toBeGreaterThan(0);
  });
  it('k1 and k3 are unbiased for KL(π‖π_ref) on a two-point example; k2 is not', () => {
    // π = (0.7, 0.3), π_ref = (0.4, 0.6): E_π[k] vs the exact KL.
    const p = [0.7, 0.3],
      q = [0.4, 0.6];
    const kl = p[0] * Math.log(p[0] / q[0]) + p[1] * Math.log(p[1] / q[1]);
    const E = (est: 'k1' | 'k2' | 'k3') => p.reduce((s, pi, i) => s + pi * klEstimate(est, Math.log(pi / q[i])), 0);
    expect(E('k1')).toBeCloseTo(kl, 12);
    expect(E('k3')).toBeCloseTo(kl, 12);
    expect(Math.abs(E('k2') - kl)).toBeGreaterThan(1e-3);
  });
  it('derivatives match central differences', () => {
    for (const est of ['k1', 'k2', 'k3'] as const)
      for (const x of [-1.5, -0.2, 0, 0.4, 2]) {
        const fd = (klEstimate(est, x + 1e-6) - klEstimate(est, x - 1e-6)) / 2e-6;
        expect(klGrad(est, x)).toBeCloseTo(fd, 6);
      }
  });
});

describe('sample filters', () => {
  const r = [1, 1, 1, 0, 0, 0, 1, 0, 1];
  it('uniform-groups drops all-correct and all-wrong groups', () => {
    expect(Array.from(keepMask(['uniform-groups'], r, 3, 3))).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1]);
  });
  it('correct-only keeps the responses with reward 1', () => {
    expect(Array.from(keepMask(['correct-only'], r, 3, 3))).toEqual([1, 1, 1, 0, 0, 0, 1, 0, 1]);
  });
  it('filters compose', () => {
    expect(Array.from(keepMask(['uniform-groups', 'correct-only'], r, 3, 3))).toEqual([0, 0, 0, 0, 0, 0, 1, 0, 1]);
  });
});

describe('recipe table', () => {
  it('names the methods as compositions', () => {
    expect(RECIPES.grpo.advantage).toBe('grpo');
    expect(RECIPES['dr-grpo'].aggregation).toBe('constant');
    expect(RECIPES.dapo.clipping).toEqual({ kind: 'clip-higher', epsLow: 0.2, epsHigh: 0.28 });
    expect(RECIPES.rft.filters).toEqual(['correct-only']);
  });
});
