/**
 * SePPO miniature: the winners are exact tilted samples (acceptance rate and mean match the grid), the pair loss's
 * coefficients are its derivatives (finite differences), the anchor rule switches to SFT, and every method runs.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { makeGmm2d } from '../../../src/testbeds/diffusion2d/env/gmm';
import { quadraticReward2d } from '../../../src/testbeds/diffusion2d/env/rewards';
import { diffusionPreferencePairLoss } from '../../../src/testbeds/diffusion2d/methods/diffusion-preference';
import { DEFAULTS, METHOD_NAMES, runSeed, tiltedWinners } from '../../../src/papers/seppo/experiment';

describe('seppo experiment', () => {
  it('tiltedWinners of N(0, 1) under r = −|x − c|²/2 is N(c/2, 1/2) (Gaussian product)', () => {
    const g = makeGmm2d([{ weight: 1, mean: [0, 0], std: 1 }]);
    const x = tiltedWinners(g, quadraticReward2d([2, 0], 1), 1, 20000, new Rng(3));
    let m0 = 0,
      v0 = 0;
    for (let n = 0; n < 20000; n++) m0 += x[2 * n] / 20000;
    for (let n = 0; n < 20000; n++) v0 += (x[2 * n] - m0) ** 2 / 20000;
    expect(m0).toBeCloseTo(1, 1);
    expect(v0).toBeCloseTo(0.5, 1);
  });

  it('the DPO pair loss gradients are its finite differences; the anchor switches to SFT', () => {
    const o = { beta: 3, anchor: false };
    const [a, b, c, d] = [0.7, 0.5, 0.9, 0.4];
    const p = diffusionPreferencePairLoss(a, b, c, d, o);
    const h = 1e-6;
    expect(p.gw).toBeCloseTo(
      (diffusionPreferencePairLoss(a + h, b, c, d, o).loss - diffusionPreferencePairLoss(a - h, b, c, d, o).loss) /
        (2 * h),
      6,
    );
    expect(p.gl).toBeCloseTo(
      (diffusionPreferencePairLoss(a, b, c + h, d, o).loss - diffusionPreferencePairLoss(a, b, c - h, d, o).loss) /
        (2 * h),
      6,
    );
    // equal errors: loss log 2
    expect(diffusionPreferencePairLoss(1, 1, 1, 1, o).loss).toBeCloseTo(Math.log(2), 12);
    // anchor: e_ref(x^l) = 0.4 < e_ref(x^w) = 0.5 → judged winning → SFT on the winner
    const s = diffusionPreferencePairLoss(a, b, c, d, { ...o, anchor: true });
    expect(s).toEqual({ loss: a, gw: 1, gl: 0, loser: false });
    expect(diffusionPreferencePairLoss(a, 0.3, c, d, { ...o, anchor: true }).loser).toBe(true);
  });

  for (const m of METHOD_NAMES)
    it(`a tiny ${m} run gives finite metrics and one series point per iteration`, () => {
      const r = runSeed({ ...DEFAULTS, method: m, iterations: 2, stepsPerIteration: 2, evalSamples: 200 }, 5);
      for (const k of ['base/klTilt', 'tuned/klTilt', 'tuned/reward', 'tuned/loserFraction'])
        expect(Number.isFinite(r.metrics[k])).toBe(true);
      expect(r.series?.['tuned/klTilt']).toHaveLength(2);
    });
});
