import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { populationComparisons } from '../../../../src/testbeds/preference/data/comparisons';
import { concatPairs, randomGame } from '../../../../src/testbeds/preference/data/game';
import { dnoExactStep, dnoRegressionLoss, sampleAndAnnotate } from '../../../../src/testbeds/preference/methods/dno';
import { randomSoftmaxPolicy, type TabularPolicy } from '../../../../src/testbeds/preference/policies/tabular-policy';
import { preferenceAgainst, winRate } from '../../../../src/testbeds/preference/solvers/nash';

function logOf(p: TabularPolicy): Float64Array {
  return Float64Array.from(p.probs, Math.log);
}

describe('DNO', () => {
  it(
    'DNO Algorithm 1: π ∝ π_t·exp(r_t/η) minimises the soft-label ' +
      'regression over all pairs (zero gradient, finite differences)',
    () => {
      const rng = new Rng(16);
      const g = randomGame(rng.split('g'), { nX: 2, nY: 5, btScale: 1, cyclicScale: 2 });
      const pi = randomSoftmaxPolicy(rng.split('pi'), 2, 5, 1);
      const eta = 0.8;
      const next = dnoExactStep(g, pi, eta);
      const r = preferenceAgainst(g, pi);
      const pairs = populationComparisons(g, pi);
      const l = logOf(next),
        lt = logOf(pi);
      const h = 1e-5;
      for (let i = 0; i < 10; i++) {
        const up = Float64Array.from(l),
          dn = Float64Array.from(l);
        up[i] += h;
        dn[i] -= h;
        const d = (dnoRegressionLoss(up, lt, r, eta, pairs, 5) - dnoRegressionLoss(dn, lt, r, eta, pairs, 5)) / (2 * h);
        expect(Math.abs(d)).toBeLessThan(1e-8);
      }
      // soft policy iteration improves on its predecessor: P(π_{t+1} ≻ π_t) ≥ ½
      expect(winRate(g, next, pi)).toBeGreaterThanOrEqual(0.5);
    },
  );

  it('sampleAndAnnotate returns one oracle label per unordered candidate pair, consistent with the win rates', () => {
    const rng = new Rng(5);
    const g = randomGame(rng.split('g'), { nX: 3, nY: 6, btScale: 1, cyclicScale: 2 });
    const pi = randomSoftmaxPolicy(rng.split('pi'), 3, 6, 1);
    const round = sampleAndAnnotate(g, pi, pi, 4, rng.split('s'));
    const m = 5;
    const labels = round.labels!;
    expect(labels.n).toBe((3 * m * (m - 1)) / 2);
    // per prompt, the wins recorded in the labels add up to the win rates × (m − 1) summed over candidates
    for (let x = 0; x < 3; x++) {
      let n = 0;
      for (let k = 0; k < labels.n; k++) if (labels.x[k] === x) n++;
      expect(n).toBe((m * (m - 1)) / 2);
      let wins = 0;
      for (let a = 0; a < m; a++) wins += round.winRate[x * m + a] * (m - 1);
      expect(wins).toBeCloseTo(n, 12);
    }
    const both = concatPairs([labels, labels]);
    expect(both.n).toBe(2 * labels.n);
    expect(Array.from(both.yw.subarray(labels.n))).toEqual(Array.from(labels.yw));
  });
});
