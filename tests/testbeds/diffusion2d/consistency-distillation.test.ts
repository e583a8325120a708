/**
 * Consistency distillation from the exact ODE (methods/consistency-distillation.ts): the boundary condition
 * f_θ(x, ε) = x holds exactly (c_skip(ε) = 1, c_out(ε) = 0) for any weights; f_θ is affine in the output bias with
 * slope c_out(t) and `backward` scales the gradient by c_out; the EDM-path exact consistency function equals
 * methods/rlcm.ts `exactConsistency` on the rectified-flow path after x → x/(1 + t), t → t/(1 + t); and training
 * with the exact Heun step and an EMA target drives the distilled model toward that exact consistency function
 * (pilot on this machine: mean squared error over four levels 4.6 at initialisation, 0.50 after 250 steps, 0.10
 * after 1500 steps of batch 128; about 1.5 s).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { RING8, gmmSample, promptMixture } from '../../../src/testbeds/diffusion2d/env';
import {
  CD_DEFAULTS,
  ConsistencyDistillation,
  EdmConsistencyMlp,
  cdSkipOut,
  cdTimes,
  edmExactConsistency,
  edmToFlowTime,
} from '../../../src/testbeds/diffusion2d/methods/consistency-distillation';
import { exactConsistency } from '../../../src/testbeds/diffusion2d/methods/rlcm';
import { gmmEdmDenoiser } from '../../../src/testbeds/diffusion2d/models/edm';

const g = promptMixture(RING8, 'skewed');
const shape = CD_DEFAULTS.shape;

describe('diffusion2d consistency distillation', () => {
  it('the boundary condition f_θ(x, ε) = x holds exactly, for any weights', () => {
    expect(cdSkipOut(shape.epsilon, shape)).toEqual({ cSkip: 1, cOut: 0 });
    const x = new Rng(1).normals(2 * 50, 0, 3);
    for (const seed of [1, 2]) {
      const m = new EdmConsistencyMlp(shape, new Rng(seed));
      m.mlp.params.f.forEach((v, i, a) => (a[i] = v * 5));
      expect(Array.from(m.predict(x, shape.epsilon, 50))).toEqual(Array.from(x));
    }
  });

  it("the CD time grid runs from ε to T, increasing, and is EDM's schedule reversed", () => {
    const t = cdTimes(18, 0.002, 80);
    expect(t[0]).toBeCloseTo(0.002, 12);
    expect(t[17]).toBeCloseTo(80, 10);
    for (let i = 0; i < 17; i++) expect(t[i + 1]).toBeGreaterThan(t[i]);
  });

  it('f_θ is affine in the output bias with slope c_out(t), and backward scales ∂L/∂f by c_out', () => {
    const m = new EdmConsistencyMlp({ ...shape, hidden: [16] }, new Rng(3));
    const x = Float64Array.from([0.5, -1, 2, 0.3]),
      t = Float64Array.from([0.7, 12]);
    const f0 = m.predict(x, t, 2);
    const last = m.mlp.offsets[m.mlp.offsets.length - 1];
    m.mlp.params.f[last.b] += 0.25;
    const f1 = m.predict(x, t, 2);
    for (let n = 0; n < 2; n++) {
      const { cOut } = cdSkipOut(t[n], shape);
      expect(f1[2 * n] - f0[2 * n]).toBeCloseTo(0.25 * cOut, 5);
      expect(f1[2 * n + 1] - f0[2 * n + 1]).toBeCloseTo(0, 6);
    }
    m.mlp.zeroGrad();
    m.predict(x, t, 2);
    m.backward(Float64Array.from([1, 0, 1, 0]));
    expect(m.mlp.grads.f[last.b]).toBeCloseTo(cdSkipOut(0.7, shape).cOut + cdSkipOut(12, shape).cOut, 5);
  });

  it("the EDM-path exact consistency function is RLCM's rectified-flow one after the change of variables", () => {
    const fE = edmExactConsistency(gmmEdmDenoiser(g), shape.epsilon, 128);
    const fR = exactConsistency(g, 200);
    const M = 200;
    const y = gmmSample(g, M, new Rng(4)).x,
      z = new Rng(5).normals(2 * M);
    for (const t of [0.1, 1, 10, 80]) {
      const x = y.map((v, i) => v + t * z[i]);
      const c = edmToFlowTime(x, t);
      const a = fE(x, t, M),
        b = fR(c.x, c.tau, M);
      let msd = 0;
      for (let i = 0; i < 2 * M; i++) msd += (a[i] - b[i]) ** 2 / M;
      expect(msd, `t = ${t}`).toBeLessThan(1e-3);
    }
  });

  it('distillation with the exact Heun step and an EMA target approaches the exact consistency function', () => {
    const exact = exactConsistency(g, 200);
    const M = 400;
    const y = gmmSample(g, M, new Rng(1)).x,
      z = new Rng(2).normals(2 * M);
    const run = new ConsistencyDistillation(g, CD_DEFAULTS, new Rng(3));
    const probes = [3, 8, 12, 17].map((k) => {
      const t = run.times[k];
      const x = y.map((v, i) => v + t * z[i]);
      const c = edmToFlowTime(x, t);
      return { t, x, f: exact(c.x, c.tau, M) };
    });
    const error = () =>
      probes.reduce((s, p) => {
        const f = run.model.predict(p.x, p.t, M);
        let d = 0;
        for (let i = 0; i < 2 * M; i++) d += (f[i] - p.f[i]) ** 2 / M;
        return s + d / probes.length;
      }, 0);
    const rng = new Rng(4);
    const e0 = error();
    run.train(250, rng);
    const e1 = error();
    const stats = run.train(1250, rng);
    const e2 = error();
    expect(e1).toBeLessThan(0.3 * e0);
    expect(e2).toBeLessThan(0.5 * e1);
    expect(e2).toBeLessThan(0.2);
    expect(stats.every((s) => Number.isFinite(s.loss))).toBe(true);
    // the boundary condition still holds exactly after training
    expect(Array.from(run.model.predict(y, shape.epsilon, M))).toEqual(Array.from(y));
  });
});
