import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import { BIAS_METHODS, BIAS_REF, DEFAULTS, GRID_METHODS, runName, runSeed } from '../../../src/papers/barfi/experiment';

const config = {
  ...DEFAULTS,
  episodes: 60,
  heuristics: DEFAULTS.heuristics.slice(0, 2),
  bias: { ...DEFAULTS.bias, episodes: 60 },
};

describe('BARFI experiment: one seed', () => {
  it('is a pure function of the seed, with a curve, final and AUC per run under method/metric keys', () => {
    const a = runSeed(config, 2);
    expect(runSeed(config, 2)).toEqual(a);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const h of config.heuristics)
      for (const m of GRID_METHODS) {
        expect(a.series?.[`${runName(m, h)}/curve`]).toHaveLength(config.episodes / config.evalEvery);
        expect(a.metrics).toHaveProperty([`${runName(m, h)}/final`]);
        expect(a.metrics).toHaveProperty([`${runName(m, h)}/auc`]);
      }
    expect(runName('primary', 'helpful')).toBe('primary');
    expect(runName('naive', 'flipped')).toBe('naive:flipped');
    for (const m of BIAS_METHODS) expect(a.metrics).toHaveProperty([`${m}/finalP`]);
    // γ = 0.5, c = −0.2, d = 1: p* = (1 − c/(γd))/2 = 0.7, p_b = (γd − c)/((1+γ)d) = 0.7/1.5.
    expect(a.metrics[`${BIAS_REF}/pStar`]).toBeCloseTo(0.7, 12);
    expect(a.metrics[`${BIAS_REF}/pBiased`]).toBeCloseTo(0.7 / 1.5, 12);
  });
});
