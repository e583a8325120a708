import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { BtMlpReward } from '../../../../src/testbeds/preference/methods/bradley-terry-mlp';
import { moreWeights, multiDatasetStep } from '../../../../src/testbeds/preference/methods/multi-objective-reward';

function batch(rng: Rng, n: number, d: number) {
  const u = (k: number) => Float32Array.from({ length: k }, () => rng.normal());
  return { x1: u(n * d), x2: u(n * d), y: Float32Array.from({ length: n }, () => rng.int(2)) };
}

describe('MORE', () => {
  it('identical dataset gradients get any convex weights with the same norm; opposite ones cancel', () => {
    const g = Float64Array.of(1, 2, 3);
    const l = moreWeights([g, g]);
    expect(l[0] + l[1]).toBeCloseTo(1, 12);
    const o = moreWeights([Float64Array.of(1, 0), Float64Array.of(-1, 0)]);
    expect(o[0]).toBeCloseTo(0.5, 12);
  });

  it('head gradients match finite differences of each dataset mean loss in the output-layer weights', () => {
    const rng = new Rng(4);
    const m = new BtMlpReward({ dIn: 3, hidden: [6], lr: 1e-3 }, rng.split('init'));
    const { x1, x2, y } = batch(rng, 8, 3);
    const task = Int32Array.from({ length: 8 }, (_, i) => i % 2);
    const grads = m.headGradients(x1, x2, y, task, 2, 8);
    const last = m.net.offsets[m.net.offsets.length - 1];
    const meanLoss = (k: number) => {
      const r1 = m.reward(x1, 8),
        r2 = m.reward(x2, 8);
      let s = 0,
        c = 0;
      for (let i = 0; i < 8; i++)
        if (task[i] === k) {
          const d = r1[i] - r2[i];
          s += y[i] * Math.log1p(Math.exp(-d)) + (1 - y[i]) * Math.log1p(Math.exp(d));
          c++;
        }
      return s / c;
    };
    for (let k = 0; k < 2; k++)
      for (let j = 0; j < 6; j++) {
        const p = m.net.params.f,
          i = last.W + j,
          x0 = p[i],
          h = 1e-3;
        p[i] = x0 + h;
        const up = meanLoss(k);
        p[i] = x0 - h;
        const down = meanLoss(k);
        p[i] = x0;
        expect(Math.abs((up - down) / (2 * h) - grads[k][j])).toBeLessThan(2e-3 + 0.02 * Math.abs(grads[k][j]));
      }
  });

  it('uniform weights with equal dataset shares: the plain step on the pooled batch (same parameters after)', () => {
    const rng = new Rng(9);
    const a = new BtMlpReward({ dIn: 3, hidden: [5], lr: 1e-2 }, rng.split('init'));
    const b = new BtMlpReward({ dIn: 3, hidden: [5], lr: 1e-2 }, rng.split('init'));
    const { x1, x2, y } = batch(rng, 12, 3);
    const task = Int32Array.from({ length: 12 }, (_, i) => Math.floor(i / 4));
    const r = multiDatasetStep(a, 'uniform', x1, x2, y, task, 3);
    b.step(x1, x2, y, 12);
    expect(Array.from(r.lambda)).toEqual([1 / 3, 1 / 3, 1 / 3]);
    const pa = Array.from(a.net.params.f),
      pb = Array.from(b.net.params.f);
    for (let i = 0; i < pa.length; i++) expect(pa[i]).toBeCloseTo(pb[i], 6);
  });
});
