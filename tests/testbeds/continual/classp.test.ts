import { describe, expect, it } from 'vitest';
import { Classp } from '../../../src/testbeds/continual/methods/classp';

describe('CLASSP update (methods/classp.ts)', () => {
  it('matches the rule by hand: when g² > threshold, S += |g|^p and w −= α g / (ε + S)^{1/p}; else nothing', () => {
    const o = { lr: 0.5, p: 3, threshold: 0.01, eps: 0.001 };
    const opt = new Classp(3, o);
    const w = Float32Array.from([1, -2, 0.5]);
    // step 1: g = (0.5, −0.2, 0.05); 0.05² = 0.0025 ≤ 0.01, so weight 2 does not move.
    expect(opt.step(w, Float32Array.from([0.5, -0.2, 0.05]))).toBe(2);
    const S1 = [0.125, 0.008, 0]; // weight 2 failed the threshold: its sum is not updated either
    const w1 = [1 - (0.5 * 0.5) / (0.001 + S1[0]) ** (1 / 3), -2 + (0.5 * 0.2) / (0.001 + S1[1]) ** (1 / 3), 0.5];
    for (let i = 0; i < 3; i++) expect(opt.accum[i]).toBeCloseTo(S1[i], 6);
    for (let i = 0; i < 3; i++) expect(w[i]).toBeCloseTo(w1[i], 5);
    // step 2: g = (0.1, 0.3, −0.2): the accumulated sum (including g_2) sets the rate; all three move.
    expect(opt.step(w, Float32Array.from([0.1, 0.3, -0.2]))).toBe(3);
    const g2 = [Math.fround(0.1), Math.fround(0.3), Math.fround(-0.2)];
    const g1 = [Math.fround(0.5), Math.fround(-0.2), Math.fround(0.05)];
    const S2 = g1.map((g, i) => (i === 2 ? 0 : Math.abs(g) ** 3) + Math.abs(g2[i]) ** 3);
    const w2 = w1.map((x, i) => x - (0.5 * g2[i]) / (0.001 + S2[i]) ** (1 / 3));
    for (let i = 0; i < 3; i++) expect(opt.accum[i]).toBeCloseTo(S2[i], 12);
    for (let i = 0; i < 3; i++) expect(w[i]).toBeCloseTo(w2[i], 5);
    expect(opt.density()).toBeCloseTo(5 / 6, 12);
  });

  it('is sparse: every weight whose squared gradient does not exceed the threshold keeps exactly its value', () => {
    const n = 200;
    const opt = new Classp(n, { lr: 0.1, p: 2, threshold: 0.04, eps: 1e-8 });
    const w = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
    const before = Float32Array.from(w);
    const g = Float32Array.from({ length: n }, (_, i) => 0.4 * Math.cos(3 * i));
    const moved = opt.step(w, g);
    let expected = 0;
    for (let i = 0; i < n; i++) {
      if (g[i] * g[i] > 0.04) {
        expected++;
        expect(w[i]).not.toBe(before[i]);
      } else expect(w[i]).toBe(before[i]); // bit-identical: the update is exactly zero
    }
    expect(moved).toBe(expected);
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(n);
    // only the weights that moved accumulated their gradient
    for (let i = 0; i < n; i++) expect(opt.accum[i]).toBeCloseTo(g[i] * g[i] > 0.04 ? g[i] * g[i] : 0, 12);
  });

  it('with p = 2 and threshold 0 is AdaGrad (accumulated squared gradients, step α g / √(ε + Σ g²))', () => {
    const n = 5;
    const opt = new Classp(n, { lr: 0.05, p: 2, threshold: 0, eps: 1e-10 });
    const w = new Float32Array(n);
    const ref = new Float64Array(n);
    const G = new Float64Array(n);
    for (let t = 0; t < 20; t++) {
      const g = Float32Array.from({ length: n }, (_, i) => Math.sin(t * 0.7 + i) * (i + 1));
      opt.step(w, g);
      for (let i = 0; i < n; i++) {
        G[i] += g[i] * g[i];
        ref[i] -= (0.05 * g[i]) / Math.sqrt(G[i] + 1e-10);
      }
    }
    for (let i = 0; i < n; i++) expect(w[i]).toBeCloseTo(ref[i], 4);
  });

  it('rejects invalid options', () => {
    expect(() => new Classp(2, { lr: 0, p: 2, threshold: 0, eps: 1e-8 })).toThrow(/lr > 0/);
    expect(() => new Classp(2, { lr: 1, p: 2, threshold: -1, eps: 1e-8 })).toThrow(/threshold/);
  });
});
