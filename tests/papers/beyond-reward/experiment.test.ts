import { describe, expect, it } from 'vitest';
import { DEFAULTS, METHODS, runSeed, setup, type Config } from '../../../src/papers/beyond-reward/experiment';
import { finiteHorizonValue, optimalFiniteHorizonValue } from '../../../src/testbeds/offline/solvers/finite-horizon';
import { expectWellFormed } from '../run-result';

describe('the lava grid behaviours', () => {
  it('the ε-noisy optimal behaviour beats the uniform one and is below the optimum', () => {
    const { mdp, behaviours } = setup(DEFAULTS);
    const H = DEFAULTS.horizon;
    const v = behaviours.map((b) => finiteHorizonValue(mdp, b, H));
    expect(v[0]).toBeGreaterThan(v[1]);
    expect(v[0]).toBeLessThan(optimalFiniteHorizonValue(mdp, H));
  });
});

describe('runSeed', () => {
  const cfg: Config = { ...DEFAULTS, episodes: 80, pairs: 60, testPairs: 100, oppo: { ...DEFAULTS.oppo, steps: 60 } };
  it('is deterministic per seed, well-formed, and every value is bounded by the optimum', () => {
    const r = runSeed(cfg, 1);
    expectWellFormed(r);
    expect(runSeed(cfg, 1)).toEqual(r);
    const opt = r.metrics['optimal/value'];
    for (const m of METHODS) expect(r.metrics[`${m}/value`]).toBeLessThanOrEqual(opt + 1e-12);
    for (const k of ['oppo/prefAcc', 'bt/prefAcc']) {
      expect(r.metrics[k]).toBeGreaterThanOrEqual(0);
      expect(r.metrics[k]).toBeLessThanOrEqual(1);
    }
    expect(r.metrics['data/episodes']).toBe(80);
  });
});
