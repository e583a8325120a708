import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import { Rng } from '../../../src/core/rng';
import { spearman } from '../../../src/stats/correlation';
import { DEFAULTS, runSeed, suiteMdp } from '../../../src/papers/the-effective-horizon-explains-deep/experiment';
import {
  finiteHorizonOptimalReturn,
  finiteHorizonRandomReturn,
} from '../../../src/testbeds/tabular/solvers/effective-horizon';

const config = { ...DEFAULTS, mdpsPerSeed: 4, budget: 20000 };

describe('effective-horizon experiment: one seed', () => {
  it('is a pure function of the seed with method/metric keys, and its correlations match the series', () => {
    const a = runSeed(config, 3);
    const b = runSeed(config, 3);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    const s = a.series!;
    expect(s['mdp/kMin']).toHaveLength(4);
    const rho = spearman(s['sqirl/log10Samples'], s['qlearning/log10Samples']);
    if (Number.isNaN(rho)) expect(a.metrics['all/rhoSqirlQl']).toBeNaN();
    else expect(a.metrics['all/rhoSqirlQl']).toBeCloseTo(rho, 12);
    for (let i = 0; i < 4; i++) {
      expect(s['mdp/kMin'][i]).toBeGreaterThanOrEqual(1);
      expect(s['mdp/kMin'][i]).toBeLessThanOrEqual(s['mdp/T'][i]);
      expect(s['mdp/effHorizon'][i]).toBeGreaterThanOrEqual(1);
    }
    expect(a.metrics['exact/maxQTminusQstar']).toBeLessThan(1e-9);
    expect(a.metrics['exact/maxGreedyKminRegret']).toBeLessThan(1e-9);
  });

  it('suite MDPs leave room above the random policy', () => {
    for (let i = 0; i < 6; i++) {
      const { mdp, kind } = suiteMdp(DEFAULTS, new Rng(9).split(i), i);
      expect(kind).toBe(i % 2);
      expect(finiteHorizonOptimalReturn(mdp) - finiteHorizonRandomReturn(mdp)).toBeGreaterThanOrEqual(DEFAULTS.minGap);
    }
  });
});
