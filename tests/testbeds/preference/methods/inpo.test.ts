import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { comparisonsFromPairs, populationComparisons } from '../../../../src/testbeds/preference/data/comparisons';
import { randomGame, samplePreferencePairs } from '../../../../src/testbeds/preference/data/game';
import { inpoLoss, inpoUpdate } from '../../../../src/testbeds/preference/methods/inpo';
import { omdStep } from '../../../../src/testbeds/preference/methods/omd';
import { randomSoftmaxPolicy, type TabularPolicy } from '../../../../src/testbeds/preference/policies/tabular-policy';

function logOf(p: TabularPolicy): Float64Array {
  return Float64Array.from(p.probs, Math.log);
}

describe('INPO', () => {
  it(
    "the loss's minimiser on population pairs is exactly the " + 'OMD step π ∝ π_t^{1−ητ} π_ref^{ητ} exp(η P(y ≻ π_t))',
    () => {
      const rng = new Rng(14);
      const g = randomGame(rng.split('g'), { nX: 3, nY: 6, btScale: 1, cyclicScale: 2 });
      const ref = randomSoftmaxPolicy(rng.split('ref'), 3, 6, 1);
      const pi = randomSoftmaxPolicy(rng.split('pi'), 3, 6, 1);
      for (const [eta, tau] of [
        [2, 0.1],
        [0.5, 1],
        [1, 0],
      ]) {
        const viaLoss = inpoUpdate(pi, ref, populationComparisons(g, pi), eta, tau, 1e-15);
        const viaOmd = omdStep(g, pi, ref, eta, tau);
        for (let i = 0; i < 18; i++)
          expect(Math.abs(Math.log(viaLoss.probs[i]) - Math.log(viaOmd.probs[i]))).toBeLessThan(1e-9);
      }
    },
  );

  it('on sampled pairs the update is a stationary point of the empirical INPO loss (finite differences)', () => {
    const rng = new Rng(15);
    const g = randomGame(rng.split('g'), { nX: 2, nY: 5, btScale: 1, cyclicScale: 2 });
    const ref = randomSoftmaxPolicy(rng.split('ref'), 2, 5, 1);
    const pi = randomSoftmaxPolicy(rng.split('pi'), 2, 5, 1);
    const pairs = samplePreferencePairs(g, pi, 40, rng.split('pairs'));
    const eta = 2,
      tau = 0.1;
    const next = inpoUpdate(pi, ref, comparisonsFromPairs(pairs), eta, tau, 1e-14);
    const l = logOf(next),
      lt = logOf(pi),
      lr = logOf(ref);
    const base = inpoLoss(l, lt, lr, 5, pairs, eta, tau);
    const h = 1e-5;
    for (let i = 0; i < 10; i++) {
      const up = Float64Array.from(l),
        dn = Float64Array.from(l);
      up[i] += h;
      dn[i] -= h;
      const d = (inpoLoss(up, lt, lr, 5, pairs, eta, tau) - inpoLoss(dn, lt, lr, 5, pairs, eta, tau)) / (2 * h);
      expect(Math.abs(d)).toBeLessThan(1e-7);
    }
    // and a random perturbation of the logits does not lower the loss
    for (let k = 0; k < 10; k++) {
      const d = rng.split(`d${k}`).normals(10, 0, 0.1);
      expect(
        inpoLoss(
          l.map((v, i) => v + d[i]),
          lt,
          lr,
          5,
          pairs,
          eta,
          tau,
        ),
      ).toBeGreaterThan(base);
    }
  });
});
