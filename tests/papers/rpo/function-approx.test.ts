import { describe, expect, it } from 'vitest';
import { dpoLoss } from '../../../src/testbeds/preference/methods/dpo';
import { rpoLoss } from '../../../src/testbeds/preference/methods/rpo';
import { logSoftmaxRows, massOn } from '../../../src/testbeds/preference/policies/logit-table';
import {
  FA_DEFAULTS,
  faMethodNames,
  makeFaTask,
  runSeedFa,
  throughFeatures,
  type FaConfig,
} from '../../../src/papers/rpo/function-approx';
import { expectWellFormed } from '../run-result';

const tiny: FaConfig = { ...FA_DEFAULTS, nX: 8, nY: 6, covered: 3, steps: 40, every: 10 };

describe('the RPO function-approximation variant', () => {
  it('builds the coverage design: OOD directions vanish on covered responses; π_ref puts uncoveredMass there', () => {
    const t = makeFaTask(tiny, 3);
    for (let i = 0; i < tiny.nX * tiny.nY; i++)
      for (let k = tiny.dCov; k < t.d; k++)
        if (t.covered[i]) expect(t.features[i * t.d + k]).toBe(0);
        else expect(t.features[i * t.d + k]).not.toBe(0);
    expect(massOn(t.refProbs, t.uncovered, t.shape)).toBeCloseTo(tiny.uncoveredMass, 12);
    // The gold reward is linear in the features: r* = w*·φ.
    for (let i = 0; i < 5; i++) {
      let g = 0;
      for (let k = 0; k < t.d; k++) g += t.wStar[k] * t.features[i * t.d + k];
      expect(t.task.gold[i]).toBeCloseTo(g, 12);
    }
  });

  it('DPO through the features at θ = 0 has the analytic gradient −(β/2)·mean(φ_chosen − φ_rejected)', () => {
    const t = makeFaTask(tiny, 5);
    const beta = 0.3;
    const f = throughFeatures((l) => dpoLoss(l, t.logpRef, t.data, t.shape, beta), t.logpRef, t.features, t.d);
    const { loss, grad } = f(new Float64Array(t.d));
    expect(loss).toBeCloseTo(Math.log(2), 12);
    for (let k = 0; k < t.d; k++) {
      let m = 0;
      for (let i = 0; i < t.data.n; i++) {
        const ia = t.data.x[i] * tiny.nY + t.data.a[i],
          ib = t.data.x[i] * tiny.nY + t.data.b[i];
        m += (t.features[ia * t.d + k] - t.features[ib * t.d + k]) / t.data.n;
      }
      expect(grad[k]).toBeCloseTo((-beta / 2) * m, 12);
    }
  });

  it('the RPO gradient through the features matches finite differences', () => {
    const t = makeFaTask(tiny, 7);
    const f = throughFeatures((l) => rpoLoss(l, t.logpRef, t.data, t.shape, 0.1, 2), t.logpRef, t.features, t.d);
    const theta = Float64Array.from({ length: t.d }, (_, k) => 0.3 * Math.sin(k + 1));
    const { grad } = f(theta);
    const h = 1e-6;
    for (let k = 0; k < t.d; k++) {
      const p = Float64Array.from(theta),
        m = Float64Array.from(theta);
      p[k] += h;
      m[k] -= h;
      expect(grad[k]).toBeCloseTo((f(p).loss - f(m).loss) / (2 * h), 7);
    }
  });

  it('records π_ref at step 0 of every run, and its chosen log-probability', () => {
    const r = runSeedFa(tiny, 11);
    expectWellFormed(r);
    const t = makeFaTask(tiny, 11);
    const logp = logSoftmaxRows(t.logpRef, t.shape);
    let s = 0;
    for (let i = 0; i < t.data.n; i++) s += logp[t.data.x[i] * tiny.nY + t.data.a[i]];
    expect(r.metrics['ref/chosenLogp']).toBeCloseTo(s / t.data.n, 12);
    for (const m of faMethodNames(tiny)) {
      expect(r.series![`${m}/reward`][0]).toBeCloseTo(r.metrics['ref/reward'], 12);
      expect(r.series![`${m}/kl`][0]).toBeCloseTo(0, 12);
      expect(r.metrics[`${m}/drop`]).toBeGreaterThanOrEqual(0);
    }
  });

  it('refuses grids of unequal size (equal tuning effort)', () => {
    expect(() => makeFaTask({ ...tiny, rpoEtas: [1] }, 0)).toThrow(/same size/);
  });
});
