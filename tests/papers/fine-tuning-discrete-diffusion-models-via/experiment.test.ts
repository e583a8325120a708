import { describe, expect, it } from 'vitest';
import { DEFAULTS, runSeed, WHO } from '../../../src/papers/fine-tuning-discrete-diffusion-models-via/experiment';

describe('DRAKES experiment (tiny run)', () => {
  it('produces every method metric, and the exact quantities obey their identities', () => {
    const c = { ...DEFAULTS, hidden: [32], pretrainSteps: 100, steps: 5, batch: 16, evalSamples: 128, particles: 32 };
    const { metrics: m } = runSeed(c, 7);
    for (const w of WHO)
      for (const k of ['reward', 'logLik', 'tvTilt']) expect(Number.isFinite(m[`${w}/${k}`])).toBe(true);
    // the pre-trained model is its own reference; tilting by exp(r/α) cannot lower the expected reward
    expect(m['pretrained/klPre']).toBeCloseTo(0, 12);
    expect(m['target/rewardExact']).toBeGreaterThanOrEqual(m['pretrained/rewardExact']);
    // the trajectory KL bounds the KL of the clean-sequence marginals (data processing)
    for (const w of ['drakes', 'drakesNoKl']) expect(m[`${w}/pathKl`]).toBeGreaterThanOrEqual(m[`${w}/klPre`] - 1e-9);
    for (const w of ['pretrained', 'cg', 'drakes', 'drakesNoKl']) {
      expect(m[`${w}/tvTiltExact`]).toBeGreaterThanOrEqual(0);
      expect(m[`${w}/tvTiltExact`]).toBeLessThanOrEqual(1);
    }
  });
});
