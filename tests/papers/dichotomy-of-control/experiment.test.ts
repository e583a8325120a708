import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  lakeSetup,
  METHODS,
  runSeed,
  type Config,
} from '../../../src/papers/dichotomy-of-control/experiment';
import { finiteHorizonValue, optimalFiniteHorizonValue } from '../../../src/testbeds/offline/solvers/finite-horizon';
import { expectWellFormed } from '../run-result';

describe('the FrozenLake behaviours', () => {
  it('the slippery-optimal behaviour beats the no-slip shortest path, which beats the uniform policy', () => {
    const { mdp, behaviours } = lakeSetup(DEFAULTS);
    const v = behaviours.map((b) => finiteHorizonValue(mdp, b, DEFAULTS.lake.horizon));
    expect(v[0]).toBeGreaterThan(v[1]);
    expect(v[1]).toBeGreaterThan(v[2]);
    expect(v[0]).toBeLessThan(optimalFiniteHorizonValue(mdp, DEFAULTS.lake.horizon));
    for (const b of behaviours) for (const p of b) expect(p).toBeGreaterThan(0); // ε-mixed: full support
  });
});

describe('runSeed', () => {
  const cfg: Config = {
    ...DEFAULTS,
    bandit: { ...DEFAULTS.bandit, episodes: 300 },
    lake: { ...DEFAULTS.lake, episodes: 60 },
    steps: 60,
    variants: { vae: 0, doc: 10 },
  };
  it('is deterministic per seed, well-formed, and its values are probabilities bounded by the optimum', () => {
    const r = runSeed(cfg, 1);
    expectWellFormed(r);
    expect(runSeed(cfg, 1)).toEqual(r);
    for (const env of ['bandit', 'lake']) {
      const opt = r.metrics[`optimal/value@${env}`];
      for (const m of METHODS) {
        const v = r.metrics[`${m}/value@${env}`];
        if (v === undefined) continue;
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(opt + 1e-12);
      }
      expect(r.metrics[`dt/predicted@${env}`]).toBe(r.metrics[`data/maxReturn@${env}`]);
      for (const m of ['dt', 'doc', 'vae'])
        expect(r.metrics[`${m}/gap@${env}`]).toBeCloseTo(
          Math.abs(r.metrics[`${m}/value@${env}`] - r.metrics[`${m}/predicted@${env}`]),
          14,
        );
    }
    expect(r.metrics['optimal/value@bandit']).toBeCloseTo(0.9, 14);
    expect(r.metrics['data/transitions@bandit']).toBe(300);
    expect(r.metrics['fqi/value@bandit']).toBeCloseTo(0.9, 14);
  });
});
