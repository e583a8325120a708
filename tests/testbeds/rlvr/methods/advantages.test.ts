import { describe, expect, it } from 'vitest';
import { batchAdvantages, groupAdvantages } from '../../../../src/testbeds/rlvr/methods/advantages';
import { betaPdf, bnpoParameters } from '../../../../src/testbeds/rlvr/methods/bnpo';

const adv = (
  r: number[],
  o: Parameters<typeof groupAdvantages>[3],
  p?: number,
  ab?: { alpha: number; beta: number },
) => {
  const out = new Float64Array(r.length);
  groupAdvantages(r, 0, r.length, o, out, p, ab);
  return Array.from(out);
};

describe('rlvr group-relative advantages on hand cases', () => {
  const r = [1, 0, 0, 1];
  it('REINFORCE uses the raw reward; the baseline and Dr. GRPO subtract the group mean', () => {
    expect(adv(r, { kind: 'reinforce' })).toEqual([1, 0, 0, 1]);
    expect(adv(r, { kind: 'baseline' })).toEqual([0.5, -0.5, -0.5, 0.5]);
    expect(adv(r, { kind: 'dr-grpo' })).toEqual([0.5, -0.5, -0.5, 0.5]);
    expect(adv([1, 0, 0, 0], { kind: 'baseline' })).toEqual([0.75, -0.25, -0.25, -0.25]);
  });
  it('RLOO subtracts the mean of the other G − 1 rewards', () => {
    const a = adv([1, 0, 0, 1], { kind: 'rloo' });
    [2 / 3, -2 / 3, -2 / 3, 2 / 3].forEach((v, i) => expect(a[i]).toBeCloseTo(v, 14));
    const b = adv([1, 0, 0, 0], { kind: 'rloo' });
    [1, -1 / 3, -1 / 3, -1 / 3].forEach((v, i) => expect(b[i]).toBeCloseTo(v, 14));
  });
  it('GRPO divides by the group std (unbiased by default, population optional) and gives 0 to uniform groups', () => {
    const s = Math.sqrt(1 / 3); // unbiased std of [1,0,0,1]
    adv(r, { kind: 'grpo', eps: 0 }).forEach((v, i) => expect(v).toBeCloseTo((r[i] - 0.5) / s, 12));
    adv(r, { kind: 'grpo', eps: 0, std: 'population' }).forEach((v, i) =>
      expect(v).toBeCloseTo((r[i] - 0.5) / 0.5, 12),
    );
    expect(adv([1, 1, 1], { kind: 'grpo' })).toEqual([0, 0, 0]);
  });
  it('BNPO(1,1) is REINFORCE with baseline; BNPO(3/2,3/2) is GRPO (population std) times π/8', () => {
    adv(r, { kind: 'bnpo', bnpo: { alpha: 1, beta: 1 } }).forEach((v, i) => expect(v).toBeCloseTo(r[i] - 0.5, 12));
    const g = adv([1, 0, 0, 0], { kind: 'grpo', eps: 0, std: 'population' });
    const b = adv([1, 0, 0, 0], { kind: 'bnpo', bnpo: { alpha: 1.5, beta: 1.5 } });
    b.forEach((v, i) => expect(v).toBeCloseTo((g[i] * Math.PI) / 8, 12));
  });
  it('BNPO uses the oracle p when given, and is 0 (not NaN) at p̂ ∈ {0, 1}', () => {
    const a = adv([1, 0], { kind: 'bnpo', bnpo: { alpha: 2, beta: 2 } }, 0.25);
    const f = 6 * 0.25 * 0.75; // Beta(2,2) density at 0.25
    expect(a[0]).toBeCloseTo(0.75 / f, 12);
    expect(a[1]).toBeCloseTo(-0.25 / f, 12);
    expect(adv([0, 0, 0], { kind: 'bnpo', bnpo: { alpha: 2, beta: 3 } })).toEqual([0, 0, 0]);
    expect(adv([1, 1, 1], { kind: 'bnpo', bnpo: { alpha: 2, beta: 3 } })).toEqual([0, 0, 0]);
  });
  it("BNPO's adaptive (α, β) follow the method-of-moments Beta fit: α = max(1 + a/3, 1), β = max(1 + b/3, 1)", () => {
    // p̂ = [0.2, 0.4, 0.6]: m = 0.4, v = 0.04, m(1 − m)/v − 1 = 5 → a = 2, b = 3.
    const f = bnpoParameters([0.2, 0.4, 0.6]);
    expect(f.a).toBeCloseTo(2, 12);
    expect(f.b).toBeCloseTo(3, 12);
    expect(f.alpha).toBeCloseTo(5 / 3, 12);
    expect(f.beta).toBeCloseTo(2, 12);
    // batchAdvantages applies it: groups of 5 with means 0.2, 0.4, 0.6.
    const rw = [1, 0, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 1, 0, 0];
    const { adv: A, alpha, beta } = batchAdvantages(rw, 3, 5, { kind: 'bnpo' });
    expect(alpha).toBeCloseTo(5 / 3, 12);
    expect(beta).toBeCloseTo(2, 12);
    expect(A[0]).toBeCloseTo(0.8 / betaPdf(0.2, 5 / 3, 2), 12);
    // A U-shaped spread (v > m(1 − m)/2) gives a, b < 0 → clamped to (1, 1).
    const u = bnpoParameters([0, 1, 0, 1]);
    expect([u.alpha, u.beta]).toEqual([1, 1]);
  });
  it('the Beta density integrates to 1 and handles α = 1 at the boundary', () => {
    let s = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) s += betaPdf((i + 0.5) / n, 2.5, 1.7) / n;
    expect(s).toBeCloseTo(1, 6);
    expect(betaPdf(0, 1, 3)).toBeCloseTo(3, 12);
  });
});
