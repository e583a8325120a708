import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { btPairLoss } from '../../../../src/testbeds/preference/methods/bradley-terry';
import {
  fitIdealPointMixture,
  userIdealPoint,
  idealPointMixtureLoss,
  idealPointOffsets,
  idealPointParamCount,
  idealPointScores,
  type IdealPointShape,
  type UserPairs,
} from '../../../../src/testbeds/preference/methods/ideal-point-mixture';

function randomPairs(rng: Rng, s: IdealPointShape, n: number): UserPairs {
  return {
    n,
    user: Int32Array.from({ length: n }, () => rng.int(s.U)),
    xa: rng.normals(n * s.D),
    xb: rng.normals(n * s.D),
    p: Float64Array.from({ length: n }, () => rng.uniform()),
  };
}

describe('ideal-point mixture reward model', () => {
  it('the exact gradient matches central finite differences on every coordinate', () => {
    const rng = new Rng(3);
    const s: IdealPointShape = { D: 5, d: 3, K: 3, U: 4 };
    const th = rng.normals(idealPointParamCount(s));
    const data = randomPairs(rng, s, 25);
    const { grad } = idealPointMixtureLoss(th, s, data, 0.01);
    const h = 1e-6;
    for (let j = 0; j < th.length; j++) {
      const tp = Float64Array.from(th),
        tm = Float64Array.from(th);
      tp[j] += h;
      tm[j] -= h;
      const fd =
        (idealPointMixtureLoss(tp, s, data, 0.01).loss - idealPointMixtureLoss(tm, s, data, 0.01).loss) / (2 * h);
      expect(grad[j]).toBeCloseTo(fd, 6);
    }
  });

  it('with K = 1 it is one user-independent ideal-point BT model: s = ‖Axb − Ap‖ − ‖Axa − Ap‖', () => {
    const rng = new Rng(4);
    const s: IdealPointShape = { D: 4, d: 2, K: 1, U: 5 };
    const th = rng.normals(idealPointParamCount(s));
    const data = randomPairs(rng, s, 30);
    const sc = idealPointScores(th, s, data);
    const off = idealPointOffsets(s);
    const A = th.subarray(0, off.P),
      p = th.subarray(off.P, off.W);
    const proj = (x: Float64Array, i: number) =>
      [0, 1].map((r) => {
        let v = 0;
        for (let j = 0; j < 4; j++) v += A[r * 4 + j] * (x[i * 4 + j] - p[j]);
        return v;
      });
    let loss = 0;
    for (let i = 0; i < data.n; i++) {
      const ea = Math.hypot(...proj(data.xa, i)),
        eb = Math.hypot(...proj(data.xb, i));
      expect(sc[i]).toBeCloseTo(eb - ea, 12);
      loss += btPairLoss(eb - ea, data.p[i]).loss / data.n;
    }
    expect(idealPointMixtureLoss(th, s, data).loss).toBeCloseTo(loss, 12);
    // the user weights are inert: their gradient is exactly zero
    const g = idealPointMixtureLoss(th, s, data).grad;
    for (let j = off.W; j < th.length; j++) expect(g[j]).toBe(0);
  });

  it('ideal points are invariant to shifting a user weight vector and equal the prototype at a vertex', () => {
    const rng = new Rng(5);
    const s: IdealPointShape = { D: 3, d: 2, K: 2, U: 1 };
    const th = rng.normals(idealPointParamCount(s));
    const off = idealPointOffsets(s);
    const a0 = userIdealPoint(th, s, 0).a;
    const t2 = Float64Array.from(th);
    t2[off.W] += 3;
    t2[off.W + 1] += 3;
    const a1 = userIdealPoint(t2, s, 0).a;
    for (let r = 0; r < 2; r++) expect(a1[r]).toBeCloseTo(a0[r], 12);
    t2[off.W] = 800;
    t2[off.W + 1] = 0;
    const m = userIdealPoint(t2, s, 0).m;
    for (let j = 0; j < 3; j++) expect(m[j]).toBeCloseTo(th[off.P + j], 12);
  });

  it('Adam decreases the loss and a mask freezes the masked-out coordinates', () => {
    const rng = new Rng(6);
    const s: IdealPointShape = { D: 4, d: 2, K: 2, U: 3 };
    const th = rng.normals(idealPointParamCount(s));
    const data = randomPairs(rng, s, 40);
    const l0 = idealPointMixtureLoss(th, s, data).loss;
    const f = fitIdealPointMixture(th, s, data, { steps: 100, lr: 0.05 });
    expect(f.loss).toBeLessThan(l0);
    const mask = new Uint8Array(th.length);
    mask.fill(1, idealPointOffsets(s).W);
    const g = fitIdealPointMixture(th, s, data, { steps: 50, lr: 0.05, mask });
    for (let j = 0; j < idealPointOffsets(s).W; j++) expect(g.theta[j]).toBe(th[j]);
  });
});
