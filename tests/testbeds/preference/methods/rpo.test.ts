import { fdCheck, maxAbsDiff } from '../../../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { sampleComparisons } from '../../../../src/testbeds/preference/data/comparisons';
import { trainLogits } from '../../../../src/testbeds/preference/loops/full-batch';
import { dpoLoss } from '../../../../src/testbeds/preference/methods/dpo';
import { adversarialRewardObjective, rpoLoss } from '../../../../src/testbeds/preference/methods/rpo';
import { sftLoss } from '../../../../src/testbeds/preference/methods/sft';
import { logSoftmaxRows, softmaxRows } from '../../../../src/testbeds/preference/policies/logit-table';
import { inconsistentSoftData, randomVec, shape } from '../fixtures';

describe('RPO on a tabular policy', () => {
  const rng = new Rng(21);
  const c = inconsistentSoftData(rng);
  const logpRef = logSoftmaxRows(randomVec(rng, shape.nX * shape.nY), shape);

  it('gradients of the RPO loss (both baselines) and of the maximin objective match finite differences', () => {
    const th = randomVec(rng, shape.nX * shape.nY);
    const base = softmaxRows(randomVec(rng, shape.nX * shape.nY), shape);
    expect(fdCheck((t) => rpoLoss(t, logpRef, c, shape, 0.7, 2), th)).toBeLessThan(1e-6);
    expect(fdCheck((t) => rpoLoss(t, logpRef, c, shape, 0.7, 2, { kind: 'policy', probs: base }), th)).toBeLessThan(
      1e-6,
    );
    expect(fdCheck((r) => adversarialRewardObjective(r, c, shape, logpRef, base, 1.5, 0.7), th)).toBeLessThan(1e-6);
  });

  it('RPO with η = 0 is DPO, and a large η pulls the policy toward the chosen responses', () => {
    const th = randomVec(rng, shape.nX * shape.nY);
    expect(maxAbsDiff(rpoLoss(th, logpRef, c, shape, 0.7, 0).grad, dpoLoss(th, logpRef, c, shape, 0.7).grad)).toBe(0);
    const hard = sampleComparisons(
      new Rng(24),
      { ...shape, gold: randomVec(new Rng(25), 15), d: 0 },
      { behaviour: new Float64Array(15).fill(0.2), perContext: 6, labels: 'deterministic' },
    );
    const sftNll = (t: Float64Array) => sftLoss(t, shape, { kind: 'chosen' }, hard).loss;
    const run = (eta: number) =>
      trainLogits({
        loss: (t) => rpoLoss(t, logpRef, hard, shape, 0.5, eta),
        init: logpRef,
        steps: 500,
        optimiser: 'adam',
        lr: 0.05,
      });
    expect(sftNll(run(20))).toBeLessThan(sftNll(run(0)));
  });
});
