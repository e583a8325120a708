/**
 * The diffusion2d gate's task: a small run returns every metric key the notebook reads, is bit-identical for a seed,
 * and the exact-sample floor is below the KL of a model that samples the wrong prompt's mixture.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULTS, runSeed, type Config } from '../../../src/papers/testbed-diffusion2d/experiment';

describe('testbed-diffusion2d runSeed', () => {
  const small: Config = { ...DEFAULTS, updates: 2, batch: 16, evalSamples: 3000 };
  it('returns the keys the notebook reads and is deterministic', () => {
    const a = runSeed(small, 3);
    for (const who of ['exact', 'exactScore', 'base', 'ddpo'])
      for (const m of ['klRef', 'klTilt', 'reward', 'outside', 'modeMaxDev'])
        expect(Number.isFinite(a.metrics[`${who}/${m}`])).toBe(true);
    expect(a.metrics['tilt/klRef']).toBeGreaterThan(0.3);
    expect(a.series?.['ddpo/reward']).toHaveLength(2);
    // the tilted target has a higher expected reward than exact samples of p_ref
    expect(a.metrics['tilt/reward']).toBeGreaterThan(a.metrics['exact/reward']);
    const b = runSeed(small, 3);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
  });
});
