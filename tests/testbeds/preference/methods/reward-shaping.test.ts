import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  RewardShaper,
  RunningMeanStd,
  parReward,
  reference85,
} from '../../../../src/testbeds/preference/methods/reward-shaping';

describe('PAR and the reward shapings it compares', () => {
  it('PAR is the mean sigmoid of the centred reward; bounded in (0, 1); ½ at a single reference equal to r', () => {
    expect(parReward(1.3, [1.3])).toBe(0.5);
    const refs = [0.2, -1, 3];
    const expected = refs.reduce((s, r) => s + 1 / (1 + Math.exp(-(2 - r))), 0) / 3;
    expect(Math.abs(parReward(2, refs) - expected)).toBeLessThan(1e-15);
    expect(parReward(1e6, refs)).toBeLessThanOrEqual(1);
    expect(parReward(-1e6, refs)).toBeGreaterThanOrEqual(0);
    // invariant to a common offset of the reward and its references (a function of the centred reward)
    expect(
      Math.abs(
        parReward(
          2 + 7,
          refs.map((r) => r + 7),
        ) - parReward(2, refs),
      ),
    ).toBeLessThan(1e-12);
  });

  it('LSC centres at the normal 85th percentile of the references', () => {
    const refs = [1, 2, 3, 4];
    const m = 2.5,
      sd = Math.sqrt(1.25);
    expect(Math.abs(reference85(refs) - (m + 1.0364333894937898 * sd))).toBeLessThan(1e-12);
    const sh = new RewardShaper('lsc');
    const out = sh.shape(Float64Array.of(reference85(refs)), [0], () => refs);
    expect(Math.abs(out[0] - Math.log(0.5))).toBeLessThan(1e-12);
  });

  it('running statistics equal the statistics of everything seen so far', () => {
    const rng = new Rng(41);
    const all: number[] = [];
    const rs = new RunningMeanStd();
    for (let b = 0; b < 5; b++) {
      const batch = Array.from({ length: 7 + b }, () => 3 + 2 * rng.normal());
      rs.update(batch);
      all.push(...batch);
    }
    const m = all.reduce((s, v) => s + v, 0) / all.length;
    const sd = Math.sqrt(all.reduce((s, v) => s + (v - m) * (v - m), 0) / all.length);
    expect(Math.abs(rs.mean - m)).toBeLessThan(1e-12);
    expect(Math.abs(rs.std - sd)).toBeLessThan(1e-12);
    const sh = new RewardShaper('minmax');
    sh.shape(Float64Array.of(-1, 5), [0, 0], () => []);
    const out = sh.shape(Float64Array.of(2), [0], () => []);
    expect(out[0]).toBe(0.5);
  });

  it('rejects unknown shapings and prompts without references', () => {
    expect(() => new RewardShaper('nope' as never)).toThrow(/unknown shaping/);
    expect(() => new RewardShaper('par').shape(Float64Array.of(1), [0], () => [])).toThrow(/no reference rewards/);
  });
});
