import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  PrincipleEntailmentReward,
  principleWeightedReward,
  yesNoReward,
} from '../../../../src/testbeds/preference/methods/principle-entailment';

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('the principle-entailment reward model (RLBFF scalar RM)', () => {
  it('log P(Yes) − log P(No) under a softmax over any vocabulary is the difference of the two logits', () => {
    const logits = [1.3, -0.4, 2.2, 0.1]; // Yes = 0, No = 1, two other tokens
    const z = Math.log(logits.reduce((s, l) => s + Math.exp(l), 0));
    const logP = logits.map((l) => l - z);
    expect(yesNoReward(logits[0], logits[1])).toBeCloseTo(logP[0] - logP[1], 12);
    // with only the two answer tokens, P(Yes) = σ(reward)
    expect(Math.exp(logits[0]) / (Math.exp(logits[0]) + Math.exp(logits[1]))).toBeCloseTo(
      sigmoid(yesNoReward(logits[0], logits[1])),
      12,
    );
  });

  it('the gradient it steps on is that of the mean Yes/No cross-entropy (finite differences)', () => {
    const rng = new Rng(5);
    const m = new PrincipleEntailmentReward({ dIn: 4, hidden: [6], lr: 1e-3 }, rng.split('m'));
    const n = 7;
    const x = Float32Array.from(rng.normals(n * 4));
    const z = Array.from({ length: n }, (_, i) => i % 2);
    const loss = () => {
      const r = m.reward(x, n);
      let s = 0;
      for (let i = 0; i < n; i++)
        s += (z[i] * Math.log1p(Math.exp(-r[i])) + (1 - z[i]) * Math.log1p(Math.exp(r[i]))) / n;
      return s;
    };
    const p = m.net.params.f;
    const before = Float32Array.from(p);
    const l0 = m.step(x, z, n);
    const g = Float32Array.from(m.net.grads.f);
    p.set(before);
    expect(l0).toBeCloseTo(loss(), 5);
    for (const j of [0, 5, 13, p.length - 1]) {
      const eps = 1e-3;
      p[j] = before[j] + eps;
      const up = loss();
      p[j] = before[j] - eps;
      const dn = loss();
      p[j] = before[j];
      expect(g[j]).toBeCloseTo((up - dn) / (2 * eps), 3);
    }
  });

  it('learns a noiseless principle from binary judgments', () => {
    const rng = new Rng(11);
    const m = new PrincipleEntailmentReward({ dIn: 3, hidden: [16], lr: 1e-2 }, rng.split('m'));
    const n = 64;
    for (let t = 0; t < 300; t++) {
      const x = Float32Array.from(rng.normals(n * 3));
      const z = Array.from({ length: n }, (_, i) => (x[3 * i] - x[3 * i + 2] > 0 ? 1 : 0));
      m.step(x, z, n);
    }
    const x = Float32Array.from(rng.normals(500 * 3));
    const r = m.reward(x, 500);
    let ok = 0;
    for (let i = 0; i < 500; i++) if (r[i] > 0 === x[3 * i] - x[3 * i + 2] > 0) ok++;
    expect(ok / 500).toBeGreaterThan(0.93);
  });

  it('the weighted reward is linear in the weights and skips zero-weight principles', () => {
    const r = [Float32Array.from([1, 2]), undefined, Float32Array.from([-3, 5])];
    expect(Array.from(principleWeightedReward(r, [0.25, 0, 0.75], 2))).toEqual([0.25 - 2.25, 0.5 + 3.75]);
    expect(() => principleWeightedReward(r, [0.5, 0.5, 0], 2)).toThrow(/principle 1/);
  });
});
