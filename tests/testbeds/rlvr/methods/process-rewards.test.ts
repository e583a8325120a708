import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  clipRewards,
  deltaRewards,
  fitLogistic,
  logisticScore,
  stepRewards,
} from '../../../../src/testbeds/rlvr/methods/process-rewards';

const sum = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0);

describe('Delta mechanism', () => {
  it('telescopes: the delta rewards sum to the first score, whatever the middle scores', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 50; trial++) {
      const K = 1 + rng.int(12);
      const s = Array.from({ length: K }, () => rng.uniform());
      expect(sum(deltaRewards(s))).toBeCloseTo(s[0], 12);
      const t = s.map((v, k) => (k === 0 ? v : rng.normal(0, 3)));
      expect(sum(deltaRewards(t))).toBeCloseTo(s[0], 12);
    }
  });
  it('stepRewards(delta) returns α·r_φ(p^(1)) + success, so padding with any lines cannot change the return', () => {
    const base = [0.7, 0.4, 0.9];
    const padded = [0.7, 0.95, 0.95, 0.95, 0.4, 0.9];
    for (const success of [0, 1]) {
      const a = sum(stepRewards({ kind: 'delta', alpha: 0.8, eta: 0 }, base, success, 0));
      const b = sum(stepRewards({ kind: 'delta', alpha: 0.8, eta: 0 }, padded, success, 0));
      expect(a).toBeCloseTo(0.8 * 0.7 + success, 12);
      expect(b).toBeCloseTo(a, 12);
    }
    // returns-to-go from line k equal α·score_k + success (what per-step credit sees under Delta)
    const r = stepRewards({ kind: 'delta', alpha: 0.8, eta: 0 }, padded, 1, 0);
    for (let k = 0; k < padded.length; k++) expect(sum(r.subarray(k))).toBeCloseTo(0.8 * padded[k] + 1, 12);
    // the per-line values themselves: d_k = s_k − s_{k+1}, last keeps its score
    expect(Array.from(deltaRewards([0.7, 0.4, 0.9]))).toEqual([0.7 - 0.4, 0.4 - 0.9, 0.9]);
  });
});

describe('Clip mechanism', () => {
  it('every clipped reward is ≤ 0 and equals min(score − η, 0)', () => {
    expect(Array.from(clipRewards([0.2, 0.6, 0.9], 0.6))).toEqual([0.2 - 0.6, 0, 0]);
    const rng = new Rng(2);
    for (let trial = 0; trial < 50; trial++) {
      const s = Array.from({ length: 1 + rng.int(10) }, () => rng.uniform());
      const eta = rng.uniform();
      for (const c of clipRewards(s, eta)) expect(c).toBeLessThanOrEqual(0);
    }
  });
  it('the accumulated clipped reward is ≤ 0 (+ success), and appending lines never increases it', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 50; trial++) {
      const s = Array.from({ length: 1 + rng.int(8) }, () => rng.uniform());
      const eta = rng.uniform();
      const ret = sum(stepRewards({ kind: 'clip', alpha: 1.5, eta }, s, 1, 0));
      expect(ret).toBeLessThanOrEqual(1 + 1e-12);
      const pad = [...s.slice(0, -1), ...Array.from({ length: 1 + rng.int(5) }, () => rng.uniform()), s[s.length - 1]];
      expect(sum(stepRewards({ kind: 'clip', alpha: 1.5, eta }, pad, 1, 0))).toBeLessThanOrEqual(ret + 1e-12);
    }
  });
  it('the raw PRM sum, by contrast, grows with every padded line of positive score', () => {
    const s = [0.8, 0.9];
    const pad = [0.8, 0.9, 0.9, 0.9, 0.9];
    expect(sum(stepRewards({ kind: 'prm', alpha: 1, eta: 0 }, pad, 1, 0))).toBeCloseTo(
      sum(stepRewards({ kind: 'prm', alpha: 1, eta: 0 }, s, 1, 0)) + 2.7,
      12,
    );
  });
  it('Clip-Delta telescopes to α·min(r_φ(p^(1)) − η, 0) + success; ORM adds α·ORM at the end only', () => {
    const s = [0.3, 0.9, 0.5];
    expect(sum(stepRewards({ kind: 'clip-delta', alpha: 2, eta: 0.6 }, s, 1, 0))).toBeCloseTo(2 * (0.3 - 0.6) + 1, 12);
    expect(Array.from(stepRewards({ kind: 'orm', alpha: 0.5, eta: 0 }, s, 1, 0.8))).toEqual([0, 0, 1 + 0.4]);
    expect(Array.from(stepRewards({ kind: 'success', alpha: 0.5, eta: 0 }, s, 1, 0.8))).toEqual([0, 0, 1]);
  });
});

describe('learned reward models (logistic regression)', () => {
  it('recovers a separable labelling exactly', () => {
    const rng = new Rng(4);
    const d = 4;
    const n = 300;
    const wTrue = [0.5, 2, -1.5, 1];
    const X = new Float64Array(n * d);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[i * d] = 1;
      for (let j = 1; j < d; j++) X[i * d + j] = rng.normal();
      let z = 0;
      for (let j = 0; j < d; j++) z += wTrue[j] * X[i * d + j];
      y[i] = z > 0 ? 1 : 0;
    }
    const fit = fitLogistic(X, y, d, { l2: 1e-6, maxIter: 100 });
    let correct = 0;
    for (let i = 0; i < n; i++) correct += (logisticScore(fit.weights, X, i) > 0.5 ? 1 : 0) === y[i] ? 1 : 0;
    expect(correct).toBe(n);
    // the direction is the true one (cosine close to 1)
    const dot = sum(fit.weights.map((w, j) => w * wTrue[j]));
    const cos = dot / Math.sqrt(sum(fit.weights.map((w) => w * w)) * sum(wTrue.map((w) => w * w)));
    expect(cos).toBeGreaterThan(0.95);
  });
  it('converges to the stationary point of the regularised log-loss on noisy labels', () => {
    const rng = new Rng(5);
    const d = 3;
    const n = 400;
    const X = new Float64Array(n * d);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[i * d] = 1;
      X[i * d + 1] = rng.normal();
      X[i * d + 2] = rng.bernoulli(0.5) ? 1 : 0;
      y[i] = rng.bernoulli(1 / (1 + Math.exp(-(0.3 + X[i * d + 1] - X[i * d + 2])))) ? 1 : 0;
    }
    const l2 = 0.01;
    const { weights: w } = fitLogistic(X, y, d, { l2 });
    for (let j = 0; j < d; j++) {
      let g = 0;
      for (let i = 0; i < n; i++) g += (logisticScore(w, X, i) - y[i]) * X[i * d + j];
      expect(Math.abs(g / n + l2 * w[j])).toBeLessThan(1e-9);
    }
  });
});

describe('process rewards: errors', () => {
  it('rejects bad task, reward and model parameters with what was wrong', () => {
    expect(() => stepRewards({ kind: 'clip', alpha: 1, eta: NaN }, [0.5], 1, 0)).toThrow(
      /clip needs a finite clip threshold η, got NaN/,
    );
    expect(() => clipRewards([0.5], Infinity)).toThrow(/threshold η must be finite/);
    expect(() => stepRewards({ kind: 'prm', alpha: -1, eta: 0 }, [0.5], 1, 0)).toThrow(
      /α \(learned-reward weight\) must be a finite number ≥ 0/,
    );
    expect(() => stepRewards({ kind: 'prm', alpha: 1, eta: 0 }, [], 1, 0)).toThrow(/at least one line/);
    expect(() => fitLogistic([1, 2, 3], [0, 1], 2)).toThrow(/X has 3 entries but 2 labels × 2 features need 4/);
    expect(() => fitLogistic([1, 2], [0, 2], 1)).toThrow(/label y\[1\] = 2 is not 0 or 1/);
    expect(() => fitLogistic([1, 2], [0, 1], 1, { l2: -1 })).toThrow(/l2 must be a finite number ≥ 0/);
  });
});
