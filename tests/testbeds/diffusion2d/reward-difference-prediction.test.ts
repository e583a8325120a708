/**
 * PRDP's loss (methods/reward-difference-prediction.ts, eqs. 14, 17–21): the analytic gradient matches finite
 * differences (with and without clipping, some steps clipped), the loss is zero at the tilted optimum (eq. 15), the
 * proximal loss equals the plain RDP loss at θ = θ_old, a brute-force pair sum agrees, and DDPO's per-prompt
 * normalisation (methods/ddpo-per-prompt.ts) gives each prompt group mean 0 and sd 1.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  prdpGroupLoss,
  type PrdpGroupInput,
} from '../../../src/testbeds/diffusion2d/methods/reward-difference-prediction';
import { perPromptNormalisedAdvantages } from '../../../src/testbeds/diffusion2d/methods/ddpo-per-prompt';

function randomGroup(B: number, T: number, seed: number, spread = 0.3): PrdpGroupInput {
  const rng = new Rng(seed);
  const g = () => rng.normal();
  const logpRef = Float64Array.from({ length: B * T }, g);
  const logpOld = logpRef.map((v) => v + spread * g());
  const logp = logpOld.map((v) => v + spread * g());
  return { B, T, logp, logpOld, logpRef, reward: Float64Array.from({ length: B }, g) };
}

describe('diffusion2d PRDP loss', () => {
  for (const eps of [null, 0.25])
    it(`gradient matches central finite differences (eps = ${eps})`, () => {
      const g = randomGroup(4, 5, 11);
      const o = { beta: 0.7, eps };
      const res = prdpGroupLoss(g, o);
      if (eps !== null) expect(res.clippedPairs).toBeGreaterThan(0);
      const h = 1e-6;
      for (let k = 0; k < g.B * g.T; k++) {
        const up = Float64Array.from(g.logp as Float64Array),
          dn = Float64Array.from(g.logp as Float64Array);
        up[k] += h;
        dn[k] -= h;
        const fd =
          (prdpGroupLoss({ ...g, logp: up }, o).lossSum - prdpGroupLoss({ ...g, logp: dn }, o).lossSum) / (2 * h);
        expect(res.dLogp[k]).toBeCloseTo(fd, 5);
      }
    });

  it('is zero at the optimum log π_θ/π_ref = r/β + const (eq. 15), and positive elsewhere', () => {
    const g = randomGroup(5, 3, 3);
    const beta = 0.5;
    // spread r_i/β − 0.1 over the steps of chain i
    const logp = Float64Array.from(g.logpRef as Float64Array);
    for (let i = 0; i < g.B; i++) for (let t = 0; t < g.T; t++) logp[i * g.T + t] += (g.reward[i] / beta - 0.1) / g.T;
    const opt = prdpGroupLoss({ ...g, logp, logpOld: logp }, { beta, eps: 0.1 });
    expect(opt.lossSum).toBeLessThan(1e-20);
    expect(Math.max(...opt.dLogp.map(Math.abs))).toBeLessThan(1e-9);
    expect(prdpGroupLoss(g, { beta, eps: null }).lossSum).toBeGreaterThan(0.01);
  });

  it('at θ = θ_old the proximal loss (eq. 18) equals the plain RDP loss (eq. 14), value and gradient', () => {
    const g = randomGroup(4, 6, 7);
    const same = { ...g, logpOld: g.logp };
    const a = prdpGroupLoss(same, { beta: 2, eps: 0.01 }),
      b = prdpGroupLoss(same, { beta: 2, eps: null });
    expect(a.lossSum).toBeCloseTo(b.lossSum, 12);
    for (let k = 0; k < a.dLogp.length; k++) expect(a.dLogp[k]).toBeCloseTo(b.dLogp[k], 12);
    expect(a.clippedPairs).toBe(0);
  });

  it('the loss is the brute-force sum over pairs i < j of max(l, l^clip)', () => {
    const g = randomGroup(3, 4, 19, 0.5);
    const beta = 1.3,
      eps = 0.2;
    const T = g.T;
    const u = (i: number) => {
      let s = 0;
      for (let t = 0; t < T; t++) s += g.logp[i * T + t] - g.logpRef[i * T + t];
      return s;
    };
    const c = (i: number) => {
      let s = 0;
      for (let t = 0; t < T; t++) {
        const old = g.logpOld[i * T + t] - g.logpRef[i * T + t];
        s += Math.min(old + eps, Math.max(old - eps, g.logp[i * T + t] - g.logpRef[i * T + t]));
      }
      return s;
    };
    let want = 0;
    for (let i = 0; i < 3; i++)
      for (let j = i + 1; j < 3; j++) {
        const d = (g.reward[i] - g.reward[j]) / beta;
        want += Math.max((u(i) - u(j) - d) ** 2, (c(i) - c(j) - d) ** 2);
      }
    const res = prdpGroupLoss(g, { beta, eps });
    expect(res.lossSum).toBeCloseTo(want, 12);
    expect(res.pairs).toBe(3);
  });

  it("DDPO's per-prompt normalisation: each group has mean 0 and sd 1", () => {
    const R = Float64Array.from([1, 2, 3, 10, 20, 40, -5, -5.5, -7]);
    const A = perPromptNormalisedAdvantages(R, 3);
    for (let g = 0; g < 3; g++) {
      const a = A.subarray(3 * g, 3 * g + 3);
      const m = (a[0] + a[1] + a[2]) / 3;
      expect(m).toBeCloseTo(0, 10);
      expect(Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / 3)).toBeCloseTo(1, 6);
    }
  });
});
