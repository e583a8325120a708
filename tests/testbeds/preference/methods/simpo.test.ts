import { fdCheck, maxAbsDiff } from '../../../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { dpoLoss } from '../../../../src/testbeds/preference/methods/dpo';
import { simpoLoss } from '../../../../src/testbeds/preference/methods/simpo';
import { logSoftmaxRows } from '../../../../src/testbeds/preference/policies/logit-table';
import { inconsistentSoftData, randomVec, shape } from '../fixtures';

describe('SimPO on a tabular policy', () => {
  const rng = new Rng(51);
  const c = inconsistentSoftData(rng);
  const n = shape.nX * shape.nY;

  it('the gradient matches finite differences (with response lengths and a margin)', () => {
    const th = randomVec(rng, n);
    const lengths = Float64Array.from({ length: n }, () => 1 + Math.floor(5 * rng.uniform()));
    expect(fdCheck((t) => simpoLoss(t, c, shape, { beta: 1.7, margin: 0.4, lengths }), th)).toBeLessThan(1e-6);
  });

  it('with unit lengths and no margin it is DPO against a uniform reference', () => {
    const th = randomVec(rng, n);
    const uniform = logSoftmaxRows(new Float64Array(n), shape);
    const s = simpoLoss(th, c, shape, { beta: 0.9, margin: 0 });
    const d = dpoLoss(th, uniform, c, shape, 0.9);
    expect(maxAbsDiff(s.grad, d.grad)).toBeLessThan(1e-12);
    expect(s.loss).toBeCloseTo(d.loss, 12);
  });

  it('with hard labels a positive margin raises the loss', () => {
    const th = randomVec(rng, n);
    const hard = { ...c, p: new Float64Array(c.n).fill(1) };
    expect(simpoLoss(th, hard, shape, { beta: 1, margin: 0.5 }).loss).toBeGreaterThan(
      simpoLoss(th, hard, shape, { beta: 1, margin: 0 }).loss,
    );
    expect(() => simpoLoss(th, c, shape, { beta: 0, margin: 0 })).toThrow(/beta must be > 0/);
  });
});
