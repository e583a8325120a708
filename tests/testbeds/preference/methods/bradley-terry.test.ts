import { fdCheck, maxAbsDiff } from '../../../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  exactComparisons,
  populationComparisons,
  sampleComparisons,
} from '../../../../src/testbeds/preference/data/comparisons';
import { gameFromParts, type PreferenceGame } from '../../../../src/testbeds/preference/data/game';
import {
  btLossOnDifferences,
  btLossTabular,
  featureDifferences,
  fitBTLinear,
  fitBTTabular,
  fitBTTabularRidge,
} from '../../../../src/testbeds/preference/methods/bradley-terry';
import { randomSoftmaxPolicy } from '../../../../src/testbeds/preference/policies/tabular-policy';
import { inconsistentSoftData, randomVec, shape } from '../fixtures';

describe('Bradley–Terry reward models', () => {
  it('tabular fit recovers a known reward up to a per-context constant from exact-probability comparisons', () => {
    const rng = new Rng(11);
    const gold = randomVec(rng, shape.nX * shape.nY, 2);
    const { reward, report } = fitBTTabular(exactComparisons({ ...shape, gold, d: 0 }), shape);
    expect(report.converged).toBe(true);
    for (let x = 0; x < shape.nX; x++) {
      const off = x * shape.nY;
      const shift = reward[off] - gold[off];
      for (let y = 0; y < shape.nY; y++) expect(Math.abs(reward[off + y] - gold[off + y] - shift)).toBeLessThan(1e-9);
    }
  });

  it('linear fit recovers θ* exactly from exact-probability comparisons (identifiable: no constant)', () => {
    const rng = new Rng(12);
    const d = 4;
    const features = randomVec(rng, shape.nX * shape.nY * d);
    const theta = randomVec(rng, d);
    const gold = new Float64Array(shape.nX * shape.nY);
    for (let i = 0; i < gold.length; i++) for (let k = 0; k < d; k++) gold[i] += theta[k] * features[i * d + k];
    const fit = fitBTLinear(exactComparisons({ ...shape, gold, d }), features, d, shape);
    expect(maxAbsDiff(fit.theta, theta)).toBeLessThan(1e-8);
  });

  it('a sampled dataset does NOT recover the reward exactly (the test above could fail)', () => {
    const rng = new Rng(13);
    const gold = randomVec(rng, shape.nX * shape.nY, 2);
    const behaviour = new Float64Array(gold.length).fill(1 / shape.nY);
    const c = sampleComparisons(rng, { ...shape, gold, d: 0 }, { behaviour, perContext: 40, labels: 'bradley-terry' });
    const { reward } = fitBTTabular(c, shape, { l2: 1e-3 });
    let worst = 0;
    for (let x = 0; x < shape.nX; x++) {
      const off = x * shape.nY,
        shift = reward[off] - gold[off];
      for (let y = 0; y < shape.nY; y++) worst = Math.max(worst, Math.abs(reward[off + y] - gold[off + y] - shift));
    }
    expect(worst).toBeGreaterThan(1e-3);
  });

  it('gradients of the tabular and linear BT losses match finite differences', () => {
    const rng = new Rng(14);
    const c = inconsistentSoftData(rng);
    expect(fdCheck((r) => btLossTabular(r, c, shape, 0.3), randomVec(rng, shape.nX * shape.nY))).toBeLessThan(1e-6);
    const d = 3;
    const features = randomVec(rng, shape.nX * shape.nY * d);
    const D = featureDifferences(c, features, d, shape.nY);
    expect(fdCheck((th) => btLossOnDifferences(th, D, c.p, c.w, 0.1), randomVec(rng, d))).toBeLessThan(1e-6);
  });

  it('the fitted tabular reward is a stationary point (gradient ≈ 0) on inconsistent soft labels', () => {
    const c = inconsistentSoftData(new Rng(15));
    const { reward } = fitBTTabular(c, shape);
    expect(maxAbsDiff(btLossTabular(reward, c, shape).grad, new Float64Array(reward.length))).toBeLessThan(1e-10);
  });

  it('the minimal Bradley–Terry fit recovers a known reward up to a constant on noiseless (population) BT data', () => {
    const rng = new Rng(17);
    const nX = 3,
      nY = 6;
    const r = rng.split('r').normals(nX * nY);
    const g: PreferenceGame = gameFromParts(nX, nY, r, new Float64Array(nX * nY * nY));
    const fit = fitBTTabularRidge(
      nX,
      nY,
      populationComparisons(g, randomSoftmaxPolicy(rng.split('s'), nX, nY, 0.5)),
      1e-12,
    );
    for (let x = 0; x < nX; x++)
      for (let y = 1; y < nY; y++) expect(fit[x * nY + y] - fit[x * nY]).toBeCloseTo(r[x * nY + y] - r[x * nY], 7);
  });
});
