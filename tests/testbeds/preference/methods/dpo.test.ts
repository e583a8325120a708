import { fdCheck, maxAbsDiff } from '../../../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { comparisonsFromPairs } from '../../../../src/testbeds/preference/data/comparisons';
import { randomGame, samplePreferencePairs } from '../../../../src/testbeds/preference/data/game';
import { trainLogits } from '../../../../src/testbeds/preference/loops/full-batch';
import { fitBTTabular } from '../../../../src/testbeds/preference/methods/bradley-terry';
import { dpoGradientSteps, dpoLoss, implicitReward } from '../../../../src/testbeds/preference/methods/dpo';
import { expectedKL, expectedValue, logSoftmaxRows } from '../../../../src/testbeds/preference/policies/logit-table';
import { randomSoftmaxPolicy, type TabularPolicy } from '../../../../src/testbeds/preference/policies/tabular-policy';
import { klRegularisedOptimumLogp } from '../../../../src/testbeds/preference/solvers/kl-optimum';
import { inconsistentSoftData, randomVec, shape } from '../fixtures';

function logOf(p: TabularPolicy): Float64Array {
  return Float64Array.from(p.probs, Math.log);
}

describe('DPO on a tabular policy', () => {
  const rng = new Rng(21);
  const c = inconsistentSoftData(rng);
  const logpRef = logSoftmaxRows(randomVec(rng, shape.nX * shape.nY), shape);

  it('the gradient of the DPO loss matches finite differences', () => {
    const th = randomVec(rng, shape.nX * shape.nY);
    expect(fdCheck((t) => dpoLoss(t, logpRef, c, shape, 0.7), th)).toBeLessThan(1e-6);
  });

  for (const beta of [0.5, 2]) {
    it(`DPO's fixed point equals π* ∝ π_ref·exp(r̂/β) for the BT-MLE r̂ on the same data (β = ${beta})`, () => {
      const { reward: rhat } = fitBTTabular(c, shape);
      const star = klRegularisedOptimumLogp(logpRef, rhat, beta, shape);
      const theta = trainLogits({
        loss: (t) => dpoLoss(t, logpRef, c, shape, beta),
        init: logpRef,
        steps: 20000,
        optimiser: 'sgd',
        lr: 20 / (beta * beta),
      });
      const logp = logSoftmaxRows(theta, shape);
      expect(maxAbsDiff(logp, star)).toBeLessThan(1e-7);
      // and the implicit reward β·log π/π_ref equals r̂ up to a per-context constant
      const imp = implicitReward(logp, logpRef, beta);
      for (let x = 0; x < shape.nX; x++) {
        const off = x * shape.nY,
          k = imp[off] - rhat[off];
        for (let y = 0; y < shape.nY; y++) expect(Math.abs(imp[off + y] - rhat[off + y] - k)).toBeLessThan(1e-6);
      }
      // the same π* is the maximiser of E_π[r̂] − β·KL(π‖π_ref): random perturbations do worse
      const obj = (lp: Float64Array) =>
        expectedValue(lp.map(Math.exp), rhat, shape) - beta * expectedKL(lp, logpRef, shape);
      const best = obj(star);
      for (let k = 0; k < 20; k++) {
        const pert = Float64Array.from(star);
        for (let i = 0; i < pert.length; i++) pert[i] += 0.05 * rng.normal();
        expect(obj(logSoftmaxRows(pert, shape))).toBeLessThan(best);
      }
    });
  }

  it('DPO gradient steps follow the finite-difference gradient of the DPO loss and lower it', () => {
    const rng = new Rng(18);
    const g = randomGame(rng.split('g'), { nX: 1, nY: 4, btScale: 1, cyclicScale: 1 });
    const pi = randomSoftmaxPolicy(rng.split('pi'), 1, 4, 1);
    const pairs = samplePreferencePairs(g, pi, 30, rng.split('pairs'), { distinct: true });
    const ref = logOf(pi);
    const comps = comparisonsFromPairs(pairs);
    const shape = { nX: 1, nY: 4 };
    const theta = Float64Array.from(ref).map((v, i) => v + 0.3 * Math.sin(i + 1));
    const beta = 0.5,
      lrScale = 1e-4;
    const before = Float64Array.from(theta);
    dpoGradientSteps(theta, ref, 4, pairs, { beta, steps: 1, lrScale });
    const lr = lrScale / (beta * beta);
    const h = 1e-6;
    for (let i = 0; i < 4; i++) {
      const up = Float64Array.from(before),
        dn = Float64Array.from(before);
      up[i] += h;
      dn[i] -= h;
      const grad = (dpoLoss(up, ref, comps, shape, beta).loss - dpoLoss(dn, ref, comps, shape, beta).loss) / (2 * h);
      expect((before[i] - theta[i]) / lr).toBeCloseTo(grad, 6);
    }
    const t2 = Float64Array.from(before);
    dpoGradientSteps(t2, ref, 4, pairs, { beta, steps: 50, lrScale: 0.5 });
    expect(dpoLoss(t2, ref, comps, shape, beta).loss).toBeLessThan(dpoLoss(before, ref, comps, shape, beta).loss);
    expect(comps.n).toBe(pairs.n);
  });
});
