import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { BtMlpReward } from '../../../../src/testbeds/preference/methods/bradley-terry-mlp';
import {
  crmKeepRate,
  crmKeptCount,
  crmPairLosses,
  crmPairMargins,
  curriculumFraction,
  curriculumOrder,
  curriculumPool,
  peerReviewStep,
  selfReviewStep,
  smallLossSubset,
} from '../../../../src/testbeds/preference/methods/collaborative-reward-modeling';

const opts = { dIn: 3, hidden: [8], lr: 1e-2 };
const rowsOf = (x: Float32Array, idx: ArrayLike<number>, d: number) => {
  const out = new Float32Array(idx.length * d);
  for (let i = 0; i < idx.length; i++) out.set(x.subarray(idx[i] * d, (idx[i] + 1) * d), i * d);
  return out;
};

describe('collaborative reward modeling (peer review, Self Review, curriculum)', () => {
  it('smallLossSubset equals brute force: the k smallest, ties towards the lower index', () => {
    const rng = new Rng(3);
    for (let t = 0; t < 50; t++) {
      const n = 1 + rng.int(12);
      const losses = Array.from({ length: n }, () => rng.int(5) / 4); // many ties
      const k = rng.int(n + 1);
      const sel = Array.from(smallLossSubset(losses, k));
      // brute force: i is selected iff fewer than k indices j come before it in (loss, index) order
      const brute = [];
      for (let i = 0; i < n; i++) {
        let before = 0;
        for (let j = 0; j < n; j++) if (losses[j] < losses[i] || (losses[j] === losses[i] && j < i)) before++;
        if (before < k) brute.push(i);
      }
      expect(sel).toEqual(brute);
    }
    expect(() => smallLossSubset([1, 2], 3)).toThrow(RangeError);
  });

  it('losses are −log σ(margin): decreasing in the margin, log 2 at 0', () => {
    const l = crmPairLosses([-2, 0, 3]);
    expect(l[1]).toBeCloseTo(Math.log(2), 12);
    expect(l[0]).toBeCloseTo(Math.log(1 + Math.exp(2)), 12);
    expect(l[0]).toBeGreaterThan(l[1]);
    expect(l[1]).toBeGreaterThan(l[2]);
  });

  it('keep rate: Co-teaching ramp from 1 to 1 − η; kept count', () => {
    expect(crmKeepRate(0, 10, 0.4)).toBe(1);
    expect(crmKeepRate(5, 10, 0.4)).toBeCloseTo(0.8, 12);
    expect(crmKeepRate(10, 10, 0.4)).toBeCloseTo(0.6, 12);
    expect(crmKeepRate(99, 10, 0.4)).toBeCloseTo(0.6, 12);
    expect(crmKeepRate(0, 0, 0.2)).toBeCloseTo(0.8, 12);
    expect(crmKeptCount(32, 0.8)).toBe(26);
    expect(crmKeptCount(32, 0.75)).toBe(24);
    expect(crmKeptCount(5, 0)).toBe(1);
  });

  it('curriculum: easy (large margin) first; the pool is the easiest share; the fraction schedule', () => {
    expect(Array.from(curriculumOrder([0.5, 2, -1, 2]))).toEqual([1, 3, 0, 2]);
    expect(Array.from(curriculumPool([0.5, 2, -1, 2], 0.5))).toEqual([1, 3]);
    expect(curriculumPool([1, 2, 3], 0.01).length).toBe(1);
    expect(curriculumFraction(0, 5, 0.4)).toBe(1);
    expect(curriculumFraction(1, 5, 0.4)).toBeCloseTo(0.6, 12);
    expect(curriculumFraction(4, 5, 0.4)).toBeCloseTo(1, 12);
  });

  it('peer review: each model steps on the low-loss pairs its PEER selected (equals a manual replay)', () => {
    const rng = new Rng(11);
    const n = 10;
    const xc = Float32Array.from(rng.normals(n * 3)),
      xr = Float32Array.from(rng.normals(n * 3));
    const a = new BtMlpReward(opts, new Rng(1)),
      b = new BtMlpReward(opts, new Rng(2));
    const a2 = new BtMlpReward(opts, new Rng(1)),
      b2 = new BtMlpReward(opts, new Rng(2));
    const { forA, forB } = peerReviewStep(a, b, xc, xr, n, 0.6);
    expect(forA.length).toBe(6);
    // manual replay: the selections come from the peer's losses before any step
    const expForB = smallLossSubset(crmPairLosses(crmPairMargins(a2, xc, xr, n)), 6);
    const expForA = smallLossSubset(crmPairLosses(crmPairMargins(b2, xc, xr, n)), 6);
    expect(Array.from(forB)).toEqual(Array.from(expForB));
    expect(Array.from(forA)).toEqual(Array.from(expForA));
    const ones = new Float64Array(6).fill(1);
    a2.step(rowsOf(xc, expForA, 3), rowsOf(xr, expForA, 3), ones, 6);
    b2.step(rowsOf(xc, expForB, 3), rowsOf(xr, expForB, 3), ones, 6);
    expect(Array.from(a.net.params.f)).toEqual(Array.from(a2.net.params.f));
    expect(Array.from(b.net.params.f)).toEqual(Array.from(b2.net.params.f));
  });

  it('Self Review steps on its own low-loss pairs; at keep 1 it is the vanilla BT step', () => {
    const rng = new Rng(12);
    const n = 8;
    const xc = Float32Array.from(rng.normals(n * 3)),
      xr = Float32Array.from(rng.normals(n * 3));
    const m = new BtMlpReward(opts, new Rng(4)),
      ref = new BtMlpReward(opts, new Rng(4));
    const sel = selfReviewStep(m, xc, xr, n, 1);
    expect(Array.from(sel)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    ref.step(xc, xr, new Float64Array(n).fill(1), n);
    expect(Array.from(m.net.params.f)).toEqual(Array.from(ref.net.params.f));
  });
});
