/**
 * RiskPO's bundle MVaR advantage (testbeds/reasoning/trainer/objectives/riskpo.ts):
 * - the score g(X) is the likelihood-ratio gradient of the exact MVaR: E[g(X)·∇log p] equals central finite
 *   differences of (ω·CVaR_α + RVaR_{α,β})/(ω + 1) computed from the quantile function of a bundle score X = Σ_k x_k
 *   of independent Bernoulli answers, for several (α, β, ω);
 * - special case: without the CVaR (ω = 0), α → 0 and β = 1, RVaR is the mean and the advantage is REINFORCE with a
 *   per-group constant baseline (it differs from Dr. GRPO's r − r̄ by a constant within each group);
 * - the bundle scores, the per-bundle quantiles, the std normalisations and the credit 'std', against a hand
 *   transcription of the authors' core_algos.py on a small batch;
 * - the quantile tracker's fixed point on a discrete score; the tracked-quantile guard of a uniform bundle;
 * - what the update hands the policy; bad parameters and filters are refused.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  QuantileTracker,
  RISKPO_EASY,
  RISKPO_RECIPE,
  bundlePaperScores,
  empiricalMvar,
  linearQuantile,
  mvarScore,
  riskpoSpec,
  riskpoTerms,
} from '../../../src/testbeds/reasoning/trainer/objectives/riskpo';
import { policyUpdate, recipeAdvantages, type Rollouts } from '../../../src/testbeds/reasoning/trainer/update';
import { FreeLogp } from '../../testbeds/reasoning/free-logp';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Exact distribution of X = Σ_k x_k, x_k ~ Bernoulli(σ(θ_k)) independent: every outcome with its probability. */
function outcomes(theta: number[]): { x: number[]; p: number }[] {
  const K = theta.length;
  const out: { x: number[]; p: number }[] = [];
  for (let m = 0; m < 1 << K; m++) {
    const x = Array.from({ length: K }, (_, k) => (m >> k) & 1);
    let p = 1;
    x.forEach((v, k) => (p *= v ? sigmoid(theta[k]) : 1 - sigmoid(theta[k])));
    out.push({ x, p });
  }
  return out;
}

/** The pmf of the score X ∈ {0..K}. */
function pmf(theta: number[]): number[] {
  const f = new Array(theta.length + 1).fill(0);
  for (const o of outcomes(theta)) f[o.x.reduce((a, b) => a + b, 0)] += o.p;
  return f;
}

/** ∫_a^b q_τ dτ of a distribution on {0..K} (q_τ = inf{x : F(x) ≥ τ}), exactly. */
function quantileIntegral(f: number[], a: number, b: number): number {
  let lo = 0,
    s = 0;
  f.forEach((p, x) => {
    const hi = lo + p;
    s += x * Math.max(0, Math.min(hi, b) - Math.max(lo, a));
    lo = hi;
  });
  return s;
}

/** q_τ = inf{x : F(x) ≥ τ}. */
function quantile(f: number[], tau: number): number {
  let c = 0;
  for (let x = 0; x < f.length; x++) {
    c += f[x];
    if (c >= tau) return x;
  }
  return f.length - 1;
}

/** MVaR = (ω·CVaR_α + RVaR_{α,β})/(ω + 1) of the score under θ. */
function mvar(theta: number[], a: number, b: number, w: number): number {
  const f = pmf(theta);
  const rvar = quantileIntegral(f, a, b) / (b - a);
  const cvar = quantileIntegral(f, 0, a) / a;
  return (w * cvar + rvar) / (w + 1);
}

describe('the MVaR score is the likelihood-ratio gradient of the exact MVaR', () => {
  const cases: [number[], number, number, number, boolean][] = [
    [[0.3, -1.2, -0.4], 0.2, 0.9, 1.5, true],
    [[0.3, -1.2, -0.4], 0.2, 0.9, 0, true],
    [[-2, -1.5, 0.8, 0.1], 0.2, 0.8, 1.5, false],
    [[-2, -1.5, 0.8, 0.1], 0.2, 0.8, 1.5, true],
    [[1.1, 0.4, -0.7, -0.2, 0.5], 0.35, 0.65, 3, false],
  ];
  for (const [theta, a, b, w, nat] of cases)
    it(`θ = [${theta}], α = ${a}, β = ${b}, ω = ${w}, natural baseline ${nat}`, () => {
      const f = pmf(theta);
      const qa = quantile(f, a),
        qb = quantile(f, b);
      // E[g(X) ∇_θ log p(x)], ∇_θk log p(x) = x_k − σ(θ_k)
      const grad = theta.map(() => 0);
      for (const o of outcomes(theta)) {
        const X = o.x.reduce((s, v) => s + v, 0);
        const g = mvarScore(X, qa, qb, a, b, w, nat);
        o.x.forEach((v, k) => (grad[k] += o.p * g * (v - sigmoid(theta[k]))));
      }
      const h = 1e-5;
      theta.forEach((_, k) => {
        const up = theta.slice(),
          dn = theta.slice();
        up[k] += h;
        dn[k] -= h;
        const fd = (mvar(up, a, b, w) - mvar(dn, a, b, w)) / (2 * h);
        expect(Math.abs(grad[k] - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
      });
      // and the gradient is not trivially zero
      expect(Math.max(...grad.map(Math.abs))).toBeGreaterThan(1e-3);
    });
});

describe('special case: ω = 0, α → 0, β = 1 is the mean objective', () => {
  it('advantages differ from r − r̄ by a constant within each group (REINFORCE with a baseline)', () => {
    const B = 3,
      G = 5;
    const r = Float64Array.from([1, 0, 0, 1, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 1]);
    const spec = riskpoSpec({
      bundleSize: 1,
      wMix: 0,
      alphaDown: 1e-12,
      alphaUp: 1,
      credit: 'uniform',
      normByStd: false,
      naturalBaseline: true,
    });
    const { adv } = riskpoTerms(spec, r, B, G);
    for (let b = 0; b < B; b++) {
      const mean = r.slice(b * G, (b + 1) * G).reduce((s, x) => s + x, 0) / G;
      const shift = adv[b * G] - (r[b * G] - mean);
      for (let g = 0; g < G; g++) expect(adv[b * G + g] - (r[b * G + g] - mean)).toBeCloseTo(shift, 5);
    }
    // mixed group: the baseline is the group's max (q_1), so A = r − 1
    expect(adv[0]).toBeCloseTo(0, 5);
    expect(adv[1]).toBeCloseTo(-1, 5);
  });
});

describe('the bundle advantage against a hand transcription of core_algos.py', () => {
  // B = 4 prompts (2 bundles of K = 2), G = 3 answers each.
  const B = 4,
    G = 3,
    K = 2;
  const r = Float64Array.from([1, 0, 0, 0, 0, 1, 1, 1, 0, 0, 0, 0]);
  it('paper scores: the j-th answers of the bundle’s questions summed', () => {
    expect(Array.from(bundlePaperScores(r, B, G, K))).toEqual([1, 0, 1, 1, 1, 0]);
  });
  it('per-bundle quantiles, bundle std and question std, credit std (the easy-level settings)', () => {
    const spec = riskpoSpec({ bundleSize: K, ...RISKPO_EASY });
    const { adv } = riskpoTerms(spec, r, B, G);
    const std = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    };
    const eps = 1e-6;
    const papers = [
      [1, 0, 1],
      [1, 1, 0],
    ];
    const qStd = [0, 1, 2, 3].map((b) => {
      const s = std(Array.from(r.slice(b * G, (b + 1) * G)));
      return s > 1e-3 ? s : 1;
    });
    for (let u = 0; u < 2; u++) {
      const xs = papers[u];
      const sorted = xs.slice().sort((a, b) => a - b);
      // torch.quantile, linear: position τ(n − 1)
      const tq = (t: number) => {
        const pos = t * (xs.length - 1),
          lo = Math.floor(pos);
        return sorted[lo] + (pos - lo) * (sorted[Math.min(lo + 1, xs.length - 1)] - sorted[lo]);
      };
      const qd = tq(0.2),
        qu = tq(0.9);
      for (let j = 0; j < G; j++) {
        const s = xs[j];
        let pa = Math.max(s - qd, 0) - Math.max(s - qu, 0) + qd - qu;
        pa /= 0.9 - 0.2 + eps;
        const cv = -Math.max(qd - s, 0) / (0.2 + eps);
        pa = (1.5 * cv + pa) / 2.5;
        pa /= std(xs) + eps;
        for (let k = 0; k < K; k++) {
          const b = u * K + k;
          expect(adv[b * G + j]).toBeCloseTo(pa / (qStd[b] + eps), 9);
        }
      }
    }
    expect(linearQuantile([3, 1, 2], 0.5)).toBe(2);
  });
  it('credit sum-mean without the natural baseline (the hard-level settings)', () => {
    const spec = riskpoSpec({ bundleSize: K });
    const { adv } = riskpoTerms(spec, r, B, G);
    const means = [0, 1, 2, 3].map((b) => (r[b * G] + r[b * G + 1] + r[b * G + 2]) / G);
    const papers = [
      [1, 0, 1],
      [1, 1, 0],
    ];
    for (let u = 0; u < 2; u++) {
      const xs = papers[u];
      const sorted = xs.slice().sort((a, b) => a - b);
      const tq = (t: number) => {
        const pos = t * (xs.length - 1),
          lo = Math.floor(pos);
        return sorted[lo] + (pos - lo) * (sorted[Math.min(lo + 1, xs.length - 1)] - sorted[lo]);
      };
      const qd = tq(0.2),
        qu = tq(0.8);
      const m = xs.reduce((a, b) => a + b, 0) / 3;
      const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / 2);
      for (let j = 0; j < G; j++) {
        const s = xs[j];
        let pa = (Math.max(s - qd, 0) - Math.max(s - qu, 0)) / (0.8 - 0.2 + 1e-6);
        pa = (1.5 * (-Math.max(qd - s, 0) / (0.2 + 1e-6)) + pa) / 2.5;
        pa /= sd + 1e-6;
        const d = [0, 1].map((k) => r[(u * K + k) * G + j] - means[u * K + k]);
        const sum = d[0] + d[1];
        for (let k = 0; k < K; k++) {
          const want = Math.abs(sum) > 1e-6 ? (pa * d[k]) / sum : pa / K;
          expect(adv[(u * K + k) * G + j]).toBeCloseTo(want, 9);
        }
      }
    }
  });
  it('tracked quantiles: a bundle whose papers all score the same keeps a finite advantage (std taken as 1)', () => {
    const same = Float64Array.from([1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0]);
    const spec = riskpoSpec({ bundleSize: K, qDown: 1.5, qUp: 1.9, ...RISKPO_EASY });
    const { adv, papers } = riskpoTerms(spec, same, B, G);
    expect(Array.from(papers.subarray(0, 3))).toEqual([1, 1, 1]);
    const g = mvarScore(1, 1.5, 1.9, 0.2, 0.9, 1.5);
    expect(g).toBeLessThan(0);
    // σ_q of the uniform questions is taken as 1 too
    expect(adv[0]).toBeCloseTo(g / (1 + 1e-6) / (1 + 1e-6), 9);
    expect(adv.every(Number.isFinite)).toBe(true);
  });
  it('empirical MVaR as the authors log it', () => {
    expect(empiricalMvar([0, 1, 2, 3, 4], 1, 3, 1.5)).toBeCloseTo((1.5 * 0.5 + 2) / 2.5, 12);
  });
});

describe('quantile tracking', () => {
  it('moves to the quantile of a discrete score (F(0) = 0.1, F(1) = 0.3: q_0.2 → 1; q_0.9 → 4)', () => {
    const pm = [0.1, 0.2, 0.3, 0.2, 0.15, 0.05];
    const rng = new Rng(3);
    const tr = new QuantileTracker([0.2, 0.9], 0.1);
    expect(tr.ready).toBe(false);
    const last: number[][] = [];
    for (let t = 0; t < 3000; t++) {
      tr.update(Array.from({ length: 40 }, () => rng.categorical(pm)));
      if (t >= 2000) last.push(Array.from(tr.q));
    }
    const avg = (i: number) => last.reduce((s, q) => s + q[i], 0) / last.length;
    expect(tr.ready).toBe(true);
    expect(Math.abs(avg(0) - 1)).toBeLessThan(0.15);
    expect(Math.abs(avg(1) - 4)).toBeLessThan(0.15);
  });
  it('starts at the first batch’s empirical quantiles', () => {
    const tr = new QuantileTracker([0.2, 0.9], 0.1);
    tr.update([0, 1, 2, 3, 4]);
    expect(Array.from(tr.q)).toEqual([linearQuantile([0, 1, 2, 3, 4], 0.2), linearQuantile([0, 1, 2, 3, 4], 0.9)]);
  });
});

describe('in the update', () => {
  const B = 5,
    G = 2,
    L = 3,
    N = B * G;
  const lengths = Int32Array.from([3, 2, 1, 3, 2, 2, 3, 1, 1, 2]);
  const rewards = Float64Array.from([1, 0, 0, 0, 1, 1, 0, 1, 1, 0]);
  const oldLogp = new Float32Array(N * L).fill(-0.5);
  const batch: Rollouts = { B, G, P: 1, L, seq: new Int32Array(N * (L + 1)), lengths, oldLogp, rewards };
  it('on-policy, the policy gets −A_i/(N·|o_i|) per token (GRPO’s per-sequence mean with the MVaR advantage)', () => {
    const pol = new FreeLogp(Float32Array.from(oldLogp));
    policyUpdate(pol, RISKPO_RECIPE, batch, null);
    const { adv } = recipeAdvantages(RISKPO_RECIPE, batch, null);
    expect(adv.some((a) => a !== 0)).toBe(true);
    for (let i = 0; i < N; i++)
      for (let t = 0; t < lengths[i]; t++) expect(pol.w![i * L + t]).toBeCloseTo(-adv[i] / (N * lengths[i]), 5);
  });
  it('refuses filters, bundles that do not divide the batch, and bad parameters', () => {
    expect(() => recipeAdvantages({ ...RISKPO_RECIPE, filters: ['uniform-groups'] }, batch, null)).toThrow(
      /filters \(uniform-groups\).*breaks the bundles/,
    );
    expect(() => riskpoTerms(riskpoSpec({ bundleSize: 2 }), rewards, B, G)).toThrow(/multiple of bundleSize/);
    expect(() => riskpoSpec({ alphaDown: 0.9, alphaUp: 0.2 })).toThrow(/0 < alphaDown < alphaUp/);
    expect(() => riskpoSpec({ bundleSize: 0 })).toThrow(/bundleSize must be a positive integer/);
    expect(() => riskpoSpec({ wMix: -1 })).toThrow(/wMix/);
    expect(() => riskpoSpec({ qDown: 1, qUp: null })).toThrow(/both be finite numbers/);
    expect(() => riskpoSpec({ credit: 'max' as 'std' })).toThrow(/credit must be/);
    expect(() => new QuantileTracker([1.2], 0.1)).toThrow(/levels must lie in/);
  });
});
