import { describe, expect, it } from 'vitest';
import { makeComparisons } from '../../../../src/testbeds/preference/data/comparisons';
import { makeDynamicLabels } from '../../../../src/testbeds/preference/methods/dynamic-labels';

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

describe('dynamic labels', () => {
  const c = makeComparisons([
    { x: 0, a: 0, b: 1 },
    { x: 0, a: 2, b: 1, p: 0.7 },
  ]);

  it('moves every label by γ toward σ(margin), leaves the data untouched, and has σ(margin) as fixed point', () => {
    const dl = makeDynamicLabels(c, 0.25);
    dl.update([0, 2]);
    expect(dl.data.p[0]).toBeCloseTo(0.75 * 1 + 0.25 * 0.5, 14);
    expect(dl.data.p[1]).toBeCloseTo(0.75 * 0.7 + 0.25 * sigmoid(2), 14);
    expect(Array.from(c.p)).toEqual([1, 0.7]);
    expect(dl.data.x).toBe(c.x);
    // Repeated updates at a fixed margin converge geometrically to the stationary label σ(d).
    for (let t = 0; t < 200; t++) dl.update([-1, 3]);
    expect(dl.data.p[0]).toBeCloseTo(sigmoid(-1), 12);
    expect(dl.data.p[1]).toBeCloseTo(sigmoid(3), 12);
  });

  it('γ = 0 keeps the data labels; bad arguments throw', () => {
    const dl = makeDynamicLabels(c, 0);
    dl.update([5, -5]);
    expect(Array.from(dl.data.p)).toEqual([1, 0.7]);
    expect(() => makeDynamicLabels(c, 1.5)).toThrow(/gamma must be in \[0, 1\]/);
    expect(() => dl.update([1])).toThrow(/1 margins for 2 comparisons/);
  });
});
