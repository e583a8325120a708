import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { clipCovSelect } from '../../../../src/testbeds/rlvr/methods/clip-cov';
import { klCovSelect } from '../../../../src/testbeds/rlvr/methods/kl-cov';
import { tokenCovariance } from '../../../../src/testbeds/rlvr/methods/token-covariance';

describe('rlvr entropy controls: token covariance, Clip-Cov and KL-Cov selections', () => {
  it('tokenCovariance is the centred product and its mean is the population covariance', () => {
    const a = [1, -1, 2, 0, -2];
    const l = [-0.1, -2, -0.5, -1, -3];
    const c = tokenCovariance(a, l);
    const ma = 0,
      ml = (-0.1 - 2 - 0.5 - 1 - 3) / 5;
    for (let i = 0; i < 5; i++) expect(c[i]).toBeCloseTo((a[i] - ma) * (l[i] - ml), 12);
    const covPop = a.reduce((s, x, i) => s + (x - ma) * (l[i] - ml), 0) / 5;
    expect(c.reduce((s, x) => s + x, 0) / 5).toBeCloseTo(covPop, 12);
    // invariance: shifting all advantages or all log-probabilities leaves it unchanged
    const c2 = tokenCovariance(
      a.map((x) => x + 3),
      l.map((x) => x - 7),
    );
    for (let i = 0; i < 5; i++) expect(c2[i]).toBeCloseTo(c[i], 12);
    expect(() => tokenCovariance([1, 2], [1])).toThrow(/2 advantages but 1 log-probabilities/);
  });

  it('clipCovSelect picks max(1, ⌊r·n⌋) distinct tokens inside the band, never excluded ones', () => {
    const cov = [0.5, 1.5, 2, 6, 3, 4.9, 1, 5, 2.5, -3];
    const inBand = new Set([1, 2, 4, 5, 8]);
    const excluded = cov.map((_, i) => i === 4);
    for (let s = 0; s < 20; s++) {
      const sel = clipCovSelect(cov, excluded, 0.3, 1, 5, new Rng(s));
      expect(sel.length).toBe(3);
      expect(new Set(sel).size).toBe(3);
      for (const q of sel) {
        expect(inBand.has(q)).toBe(true);
        expect(q).not.toBe(4);
      }
    }
    // floor: a tiny ratio still selects one token; no candidate → none
    expect(clipCovSelect(cov, null, 1e-6, 1, 5, new Rng(1)).length).toBe(1);
    expect(clipCovSelect([0, 0.5], null, 0.5, 1, 5, new Rng(1)).length).toBe(0);
    // uniform: over many draws every candidate is chosen
    const seen = new Set<number>();
    for (let s = 0; s < 200; s++) for (const q of clipCovSelect(cov, excluded, 0.1, 1, 5, new Rng(s))) seen.add(q);
    expect([...seen].sort()).toEqual([1, 2, 5, 8]);
  });

  it('klCovSelect returns the top max(1, ⌊k·n⌋) covariances', () => {
    const cov = [0.5, 9, 2, 6, 3, 4.9, 1, 5, 2.5, -3];
    expect(klCovSelect(cov, 0.3).sort()).toEqual([1, 3, 7]);
    expect(klCovSelect(cov, 1e-4)).toEqual([1]);
    expect(klCovSelect([], 0.5)).toEqual([]);
  });
});
