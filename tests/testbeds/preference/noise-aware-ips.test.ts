import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { sigmoid } from '../../../src/math';
import {
  correctedLabel,
  estimateNoiseRates,
  fitNoiseAwareIps,
  ipsWeights,
  logisticLoss,
  noiseAwareIpsLoss,
  noiseAwareLoss,
  quantile,
} from '../../../src/testbeds/preference/methods/noise-aware-ips';
import {
  propensityFromUtility,
  sampleObservationalFeedback,
} from '../../../src/testbeds/preference/data/observational-feedback';

function toyData(seed: number, n = 300, d = 3) {
  const rng = new Rng(seed);
  const X = rng.normals(n * d);
  const y = new Uint8Array(n);
  const w = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = rng.uniform() < sigmoid(X[i * d] - 0.5 * X[i * d + 1]) ? 1 : 0;
    w[i] = rng.uniform() < 0.6 ? 0.5 + rng.uniform() * 3 : 0;
  }
  return { X, d, y, w };
}

describe('noise-aware surrogate loss (CausalRM)', () => {
  it('is unbiased for the clean loss: E_ỹ[ℓ̃(t, ỹ) | y] = ℓ(t, y)', () => {
    for (const [r10, r01] of [
      [0.2, 0.1],
      [0.05, 0.4],
      [0, 0],
    ])
      for (const t of [-3, -0.4, 0, 1.7, 6])
        for (const y of [0, 1]) {
          const pFlip = y === 1 ? r01 : r10;
          const e = (1 - pFlip) * noiseAwareLoss(t, y, r10, r01).loss + pFlip * noiseAwareLoss(t, 1 - y, r10, r01).loss;
          expect(e).toBeCloseTo(logisticLoss(t, y), 12);
        }
  });

  it('reduces to the plain logistic loss when ρ10 = ρ01 = 0', () => {
    for (const t of [-2, 0.3, 4])
      for (const y of [0, 1]) expect(noiseAwareLoss(t, y, 0, 0).loss).toBe(logisticLoss(t, y));
  });

  it('equals cross-entropy with the corrected label (ỹ − ρ10)/(1 − ρ10 − ρ01)', () => {
    for (const t of [-2.5, 0.1, 3]) {
      for (const y of [0, 1]) {
        const q = correctedLabel(y, 0.15, 0.25);
        const ce = q * logisticLoss(t, 1) + (1 - q) * logisticLoss(t, 0);
        expect(noiseAwareLoss(t, y, 0.15, 0.25).loss).toBeCloseTo(ce, 12);
      }
    }
    // E[q | y] = y
    const r10 = 0.15,
      r01 = 0.25;
    expect((1 - r10) * correctedLabel(0, r10, r01) + r10 * correctedLabel(1, r10, r01)).toBeCloseTo(0, 12);
    expect((1 - r01) * correctedLabel(1, r10, r01) + r01 * correctedLabel(0, r10, r01)).toBeCloseTo(1, 12);
  });

  it('has the gradient of finite differences', () => {
    const data = toyData(3);
    const theta = Float64Array.from([0.3, -0.7, 0.2, 0.1]);
    const g = noiseAwareIpsLoss(theta, data, 0.2, 0.1, 0.01).grad;
    for (let k = 0; k < theta.length; k++) {
      const h = 1e-6;
      const tp = Float64Array.from(theta),
        tm = Float64Array.from(theta);
      tp[k] += h;
      tm[k] -= h;
      const fd =
        (noiseAwareIpsLoss(tp, data, 0.2, 0.1, 0.01).loss - noiseAwareIpsLoss(tm, data, 0.2, 0.1, 0.01).loss) / (2 * h);
      expect(g[k]).toBeCloseTo(fd, 7);
    }
  });

  it('the Newton fit is a stationary point of the code-form objective', () => {
    const data = toyData(5);
    const { theta, report } = fitNoiseAwareIps(data, 0.2, 0.1, 0);
    expect(report.converged).toBe(true);
    const g = noiseAwareIpsLoss(theta, data, 0.2, 0.1, 0).grad;
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-8);
  });
});

describe('propensity reweighting and noise-rate estimation', () => {
  it('IPS weights make the observed sum unbiased for the pool sum (exact expectation over o)', () => {
    const p = Float64Array.from([0.1, 0.5, 0.9, 1]);
    const loss = [2, 1, 0.3, 4];
    // E_o[Σ o_i ℓ_i / p_i] = Σ p_i·ℓ_i/p_i: enumerate all 2^4 masks.
    let e = 0;
    for (let m = 0; m < 16; m++) {
      const o = Uint8Array.from([0, 1, 2, 3].map((i) => (m >> i) & 1));
      let prob = 1;
      for (let i = 0; i < 4; i++) prob *= o[i] ? p[i] : 1 - p[i];
      const w = ipsWeights(o, p, 0);
      e += prob * loss.reduce((s, l, i) => s + w[i] * l, 0);
    }
    expect(e).toBeCloseTo(
      loss.reduce((a, b) => a + b, 0),
      12,
    );
  });

  it('clips small propensities', () => {
    const w = ipsWeights(Uint8Array.from([1, 1, 0]), Float64Array.from([0.01, 0.5, 0.2]), 0.1);
    expect(Array.from(w)).toEqual([10, 2, 0]);
  });

  it('the anchor quantile rule recovers the flip rates of a perfect noise-prediction model', () => {
    // logits of P(ỹ=1|x) = ρ10 + (1−ρ10−ρ01)σ(u) with |u| large at the anchors
    const r10 = 0.2,
      r01 = 0.1;
    const logits = Array.from({ length: 1001 }, (_, i) => {
      const u = -30 + (60 * i) / 1000;
      const p = r10 + (1 - r10 - r01) * sigmoid(u);
      return Math.log(p / (1 - p));
    });
    const est = estimateNoiseRates(logits, 0.97);
    expect(est.rho10).toBeCloseTo(r10, 6);
    expect(est.rho01).toBeCloseTo(r01, 6);
    expect(quantile([3, 1, 2, 4], 0.5)).toBe(2.5);
  });

  it('the simulator: propensity grows with utility, mean = target rate, flips at the stated rates', () => {
    const rng = new Rng(11);
    const u = rng.normals(40000);
    const p = propensityFromUtility(u, 0.2, 0.2);
    let mean = 0;
    for (const v of p) mean += v / p.length;
    expect(mean).toBeGreaterThan(0.18);
    expect(mean).toBeLessThanOrEqual(0.2 + 1e-12);
    const fb = sampleObservationalFeedback(rng.split('fb'), u, {
      alpha: 0.2,
      observationRate: 0.2,
      rho10: 0.2,
      rho01: 0.1,
    });
    let n0 = 0,
      f0 = 0,
      n1 = 0,
      f1 = 0;
    for (let i = 0; i < fb.n; i++) {
      if (!fb.observed[i]) continue;
      if (fb.clean[i] === 0) {
        n0++;
        f0 += fb.noisy[i];
      } else {
        n1++;
        f1 += 1 - fb.noisy[i];
      }
    }
    expect(f0 / n0).toBeGreaterThan(0.17);
    expect(f0 / n0).toBeLessThan(0.23);
    expect(f1 / n1).toBeGreaterThan(0.08);
    expect(f1 / n1).toBeLessThan(0.12);
    const ordered = Array.from(u, (v, i) => [v, p[i]]).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < ordered.length; i++) expect(ordered[i][1]).toBeGreaterThanOrEqual(ordered[i - 1][1]);
  });
});
