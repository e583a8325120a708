import { fdCheck } from '../../../numeric';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { makeComparisons } from '../../../../src/testbeds/preference/data/comparisons';
import { trainLogits } from '../../../../src/testbeds/preference/loops/full-batch';
import { ipoLoss } from '../../../../src/testbeds/preference/methods/ipo';
import { logSoftmaxRows } from '../../../../src/testbeds/preference/policies/logit-table';
import { inconsistentSoftData, randomVec, shape } from '../fixtures';

describe('IPO on a tabular policy', () => {
  const rng = new Rng(21);
  const c = inconsistentSoftData(rng);
  const logpRef = logSoftmaxRows(randomVec(rng, shape.nX * shape.nY), shape);

  it('the gradient of the IPO loss matches finite differences', () => {
    const th = randomVec(rng, shape.nX * shape.nY);
    expect(fdCheck((t) => ipoLoss(t, logpRef, c, shape, 0.7), th)).toBeLessThan(1e-6);
  });

  it(
    'IPO converges to log-ratio margins (2p − 1)/(2τ) when ' + 'each pair appears once (all pairs, consistent targets)',
    () => {
      // Targets are consistent when p comes from differences of per-response scores: u_ab = s_a − s_b.
      const sr = new Rng(22);
      const s = Array.from({ length: shape.nX * shape.nY }, () => 0.5 * sr.uniform() - 0.25);
      const tau = 0.8;
      const rows: { x: number; a: number; b: number; p: number }[] = [];
      for (let x = 0; x < shape.nX; x++)
        for (let a = 0; a < shape.nY; a++)
          for (let b = a + 1; b < shape.nY; b++)
            rows.push({ x, a, b, p: 0.5 + tau * (s[x * shape.nY + a] - s[x * shape.nY + b]) });
      const cc = makeComparisons(rows);
      const theta = trainLogits({
        loss: (t) => ipoLoss(t, logpRef, cc, shape, tau),
        init: logpRef,
        steps: 4000,
        optimiser: 'sgd',
        lr: 2,
      });
      for (let i = 0; i < cc.n; i++) {
        const ia = cc.x[i] * shape.nY + cc.a[i],
          ib = cc.x[i] * shape.nY + cc.b[i];
        const u = theta[ia] - theta[ib] - (logpRef[ia] - logpRef[ib]);
        expect(Math.abs(u - (2 * cc.p[i] - 1) / (2 * tau))).toBeLessThan(1e-8);
      }
    },
  );
});
