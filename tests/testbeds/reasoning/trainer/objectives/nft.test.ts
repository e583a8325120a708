/**
 * NFT's objective (trainer/objectives/nft.ts): the weights handed to the policy are the gradient in the
 * log-probabilities of Σ_i Σ_t c_it·ω(q)·ℓ_it (eq. 10, central differences of an independent float64 loss that holds
 * max_v's stop-gradient part fixed) on an off-policy batch where both clips bind; in strict on-policy training NFT
 * with ω = √((1 − r̂)/r̂) hands the policy GRPO's weights (times √(G/(G − 1)), GRPO's unbiased std) and with ω = 1 − r̂
 * Dr. GRPO's; λ = 0, ω = 1 is RFT; the log-ratio and correct-rate clamps of the official code; errors.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../../src/core/rng';
import { tokenWeights, type AggregationName } from '../../../../../src/testbeds/reasoning/trainer/aggregation';
import {
  NFT_DEFAULTS,
  NFT_RECIPES,
  correctRate,
  nftTokenGrad,
  nftTokenLoss,
  promptWeight,
  type NftParams,
} from '../../../../../src/testbeds/reasoning/trainer/objectives/nft';
import { RECIPES, type Recipe } from '../../../../../src/testbeds/reasoning/trainer/recipes';
import { policyUpdate, type Rollouts } from '../../../../../src/testbeds/reasoning/trainer/update';
import { FreeLogp } from '../../free-logp';

const B = 3,
  G = 4,
  L = 5,
  N = B * G;
const lengths = Int32Array.from([5, 2, 3, 1, 4, 2, 5, 3, 2, 4, 1, 5]);
// Groups: (1,0,1,0) r̂ = 1/2, (0,0,1,0) r̂ = 1/4, (1,1,1,0) r̂ = 3/4.
const rewards = Float64Array.from([1, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1, 0]);
const rng = new Rng(17);
const oldLogp = new Float32Array(N * L),
  theta = new Float32Array(N * L);
for (let i = 0; i < N; i++)
  for (let t = 0; t < lengths[i]; t++) {
    oldLogp[i * L + t] = -rng.range(0.1, 2);
    theta[i * L + t] = oldLogp[i * L + t] + rng.range(-0.5, 0.5);
  }
const seq = new Int32Array(N * (L + 1));
const offBatch: Rollouts = { B, G, P: 1, L, seq, lengths, oldLogp, rewards, offPolicy: true };
const onBatch: Rollouts = { B, G, P: 1, L, seq, lengths, oldLogp, rewards };

/** The weights `recipe` hands the policy at log-probabilities `th` (first pass). */
function weightsOf(recipe: Recipe, batch: Rollouts, th: Float32Array): Float32Array {
  const p = new FreeLogp(th);
  policyUpdate(p, recipe, batch, null);
  return p.w!;
}

/**
 * Σ_i Σ_t c_it·ω_i·ℓ_it written out independently in float64, with max_v(x, ε) = x + sg(max(x, ε) − x): the
 * stop-gradient part is evaluated at `at` (the point where the gradient is taken) and held fixed.
 */
function nftLoss(p: NftParams, agg: AggregationName, at: Float64Array) {
  const c = tokenWeights(agg, lengths, L);
  const r = [0, 1, 2].map((b) => (rewards[b * G] + rewards[b * G + 1] + rewards[b * G + 2] + rewards[b * G + 3]) / G);
  const omega = (q: number) =>
    p.promptWeight === 'uniform' ? 1 : p.promptWeight === 'negative-rate' ? 1 - q : Math.sqrt((1 - q) / q);
  const maxV = (x: number, x0: number, eps: number) => x + (Math.max(x0, eps) - x0);
  return (th: Float64Array) => {
    let s = 0;
    for (let i = 0; i < N; i++) {
      const q = r[Math.floor(i / G)];
      for (let t = 0; t < lengths[i]; t++) {
        const j = i * L + t;
        const R = Math.exp(th[j] - oldLogp[j]),
          R0 = Math.exp(at[j] - oldLogp[j]);
        const l =
          rewards[i] === 1
            ? -Math.log(maxV(R, R0, p.epsilonPositive))
            : -p.negWeight * Math.log(maxV((1 - q * R) / (1 - q), (1 - q * R0) / (1 - q), p.epsilon));
        s += c[i][t] * omega(q) * l;
      }
    }
    return s;
  };
}

/** Central differences of `nftLoss` against the weights the update handed to the policy; returns the clip count. */
function expectNftGradient(p: NftParams, agg: AggregationName): number {
  const recipe: Recipe = { ...NFT_RECIPES.nft, aggregation: agg, objective: { kind: 'nft', ...p } };
  const w = weightsOf(recipe, offBatch, theta);
  const th = Float64Array.from(theta);
  const loss = nftLoss(p, agg, th);
  const h = 1e-6;
  let clipped = 0;
  for (let j = 0; j < N * L; j++) {
    const up = Float64Array.from(th),
      dn = Float64Array.from(th);
    up[j] += h;
    dn[j] -= h;
    expect(w[j], `token ${j}`).toBeCloseTo((loss(up) - loss(dn)) / (2 * h), 5);
  }
  for (let i = 0; i < N; i++) {
    const q = correctRate(rewards, Math.floor(i / G) * G, G);
    for (let t = 0; t < lengths[i]; t++)
      if (nftTokenGrad(theta[i * L + t] - oldLogp[i * L + t], rewards[i] === 1, q, p).clipped) clipped++;
  }
  return clipped;
}

describe('NFT loss gradient (eq. 10) by finite differences, off-policy', () => {
  it('the paper default (ε = 1, ω = 1 − r̂, λ = 1), token-mean: the negative clip binds on rising negatives', () => {
    expect(expectNftGradient(NFT_DEFAULTS, 'token-mean')).toBeGreaterThan(3);
  });
  it('ω = √((1 − r̂)/r̂), sequence-mean', () => {
    expectNftGradient({ ...NFT_DEFAULTS, promptWeight: 'grpo' }, 'sequence-mean');
  });
  it('ω = 1, λ = 0.5, a looser negative clip ε = 0.9 and a positive clip ε⁺ = 0.8 (both bind somewhere)', () => {
    const p: NftParams = { epsilon: 0.9, epsilonPositive: 0.8, negWeight: 0.5, promptWeight: 'uniform' };
    let pos = 0,
      neg = 0;
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) {
        const q = correctRate(rewards, Math.floor(i / G) * G, G);
        if (nftTokenGrad(theta[i * L + t] - oldLogp[i * L + t], rewards[i] === 1, q, p).clipped) {
          if (rewards[i] === 1) pos++;
          else neg++;
        }
      }
    expect(pos).toBeGreaterThan(0);
    expect(neg).toBeGreaterThan(0);
    expectNftGradient(p, 'constant');
  });
  it('away from the clips the gradient is the derivative of the loss value itself', () => {
    const p = { ...NFT_DEFAULTS, epsilon: 0.05 };
    for (const [d, correct, q] of [
      [-0.3, false, 0.5],
      [0.2, false, 0.25],
      [0.4, true, 0.75],
      [-1.1, true, 0.3],
    ] as const) {
      const h = 1e-6;
      const fd = (nftTokenLoss(d + h, correct, q, p) - nftTokenLoss(d - h, correct, q, p)) / (2 * h);
      const g = nftTokenGrad(d, correct, q, p);
      expect(g.clipped).toBe(false);
      expect(g.grad).toBeCloseTo(fd, 7);
    }
  });
});

describe('NFT in strict on-policy training (R = 1): Prop. 4.1–4.2', () => {
  const noKl = { kind: 'none' } as const;
  it('ω = √((1 − r̂)/r̂) hands the policy GRPO’s weights times √(G/(G − 1)) (population vs unbiased std)', () => {
    const nft = weightsOf({ ...NFT_RECIPES['nft-grpo'], aggregation: 'sequence-mean' }, onBatch, oldLogp);
    const grpo = weightsOf({ ...RECIPES.grpo, kl: noKl }, onBatch, oldLogp);
    const k = Math.sqrt(G / (G - 1));
    let nonzero = 0;
    for (let j = 0; j < N * L; j++) {
      expect(Math.abs(nft[j] - k * grpo[j])).toBeLessThan(1e-5 * Math.max(1e-3, Math.abs(nft[j])));
      if (nft[j] !== 0) nonzero++;
    }
    expect(nonzero).toBe(lengths.reduce((a, b) => a + b, 0));
  });
  it('ω = 1 − r̂ hands the policy Dr. GRPO’s weights (A = r − r̂) under the same aggregation', () => {
    for (const agg of ['token-mean', 'sequence-mean'] as const) {
      const nft = weightsOf({ ...NFT_RECIPES.nft, aggregation: agg }, onBatch, oldLogp);
      const dr = weightsOf({ ...RECIPES['dr-grpo'], aggregation: agg }, onBatch, oldLogp);
      for (let j = 0; j < N * L; j++) expect(nft[j]).toBeCloseTo(dr[j], 7);
    }
  });
  it('off-policy the two differ (the premise of comparing them in training)', () => {
    const nft = weightsOf({ ...NFT_RECIPES['nft-grpo'], aggregation: 'sequence-mean' }, offBatch, theta);
    const grpo = weightsOf({ ...RECIPES.grpo, kl: noKl }, offBatch, theta);
    const k = Math.sqrt(G / (G - 1));
    let maxDiff = 0;
    for (let j = 0; j < N * L; j++) maxDiff = Math.max(maxDiff, Math.abs(nft[j] - k * grpo[j]));
    expect(maxDiff).toBeGreaterThan(1e-3);
  });
  it('λ = 0, ω = 1 is RFT: the testbed rft recipe’s weights rescaled by (correct tokens)/(all tokens)', () => {
    const rftNft = weightsOf(NFT_RECIPES['rft-nft'], onBatch, oldLogp);
    const rft = weightsOf(RECIPES.rft, onBatch, oldLogp);
    let all = 0,
      pos = 0;
    for (let i = 0; i < N; i++) {
      all += lengths[i];
      if (rewards[i] === 1) pos += lengths[i];
    }
    for (let j = 0; j < N * L; j++) expect(rftNft[j]).toBeCloseTo((rft[j] * pos) / all, 7);
    // ... and off-policy its positive weight stays −c (−log R has gradient −1: no ratio, no clip).
    const off = weightsOf(NFT_RECIPES['rft-nft'], offBatch, theta);
    for (let j = 0; j < N * L; j++) expect(off[j]).toBeCloseTo(rftNft[j], 7);
  });
});

describe('clamps, filters and errors', () => {
  it('log R above 10 has no gradient (torch clamp), and r̂ is clamped to [0.02, 0.98]', () => {
    expect(nftTokenGrad(10.5, true, 0.5, NFT_DEFAULTS)).toEqual({ grad: 0, clipped: true });
    expect(nftTokenGrad(9.9, true, 0.5, NFT_DEFAULTS).grad).toBeCloseTo(-1, 12);
    expect(correctRate([0, 0, 0, 0], 0, 4)).toBe(0.02);
    expect(correctRate([1, 1, 1, 1], 0, 4)).toBe(0.98);
    expect(correctRate([1, 0, 1, 1], 0, 4)).toBe(0.75);
    // On-policy weights of an all-wrong group without the filter: λ·ω·r̂/(1 − r̂) with r̂ = 0.02, ω = 0.98.
    expect(nftTokenGrad(0, false, 0.02, NFT_DEFAULTS).grad * promptWeight('negative-rate', 0.02)).toBeCloseTo(0.02, 12);
  });
  it('the NFT recipes keep only groups with mixed rewards (Algorithm 1: 0 < r̂_q < 1)', () => {
    const r2 = Float64Array.from([1, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1]);
    const w = weightsOf(NFT_RECIPES.nft, { ...onBatch, rewards: r2 }, oldLogp);
    for (let j = G * L; j < N * L; j++) expect(w[j]).toBe(0);
    expect(w.subarray(0, G * L).some((x) => x !== 0)).toBe(true);
  });
  it('bad parameters are refused with the field named', () => {
    const bad = (o: Record<string, number | string>) => () =>
      weightsOf({ ...NFT_RECIPES.nft, objective: { kind: 'nft', ...NFT_DEFAULTS, ...o } }, onBatch, oldLogp);
    expect(bad({ epsilon: 0 })).toThrow(/objective\.epsilon must be > 0/);
    expect(bad({ negWeight: -1 })).toThrow(/objective\.negWeight must be ≥ 0.*DAPO/);
    expect(bad({ promptWeight: 'sqrt' })).toThrow(
      /objective\.promptWeight must be one of uniform, negative-rate, grpo/,
    );
    expect(bad({ epsilonPositive: -0.1 })).toThrow(/epsilonPositive must be ≥ 0/);
  });
});
