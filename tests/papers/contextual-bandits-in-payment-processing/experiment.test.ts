import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { parseMetricKey } from '../../../src/core/metric-keys';
import {
  DEFAULTS,
  METHODS,
  deploy,
  drawBatch,
  fitModel,
  lag1,
  runSeed,
  swing,
  type Config,
} from '../../../src/papers/contextual-bandits-in-payment-processing/experiment';
import { sparseLogisticBandit } from '../../../src/testbeds/bandits/env/sparse-logistic-contextual';

const small: Config = { ...DEFAULTS, rounds: 400, generations: 3, bestFitRounds: 2000 };

describe('contextual-bandits-in-payment-processing experiment', () => {
  it('is a pure function of the seed; keys parse; batch 0 is shared; regrets are within [0, 1]', () => {
    const a = runSeed(small, 7);
    const b = runSeed(small, 7);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const r of small.regimes) {
      const at = `@r=${r.name}`;
      for (const m of METHODS) {
        expect(a.metrics[`${m}/regret${at}:g=0`]).toBe(a.metrics[`uniform/regret${at}:g=0`]);
        expect(a.metrics[`${m}/posRate${at}:g=0`]).toBe(a.metrics[`uniform/posRate${at}:g=0`]);
        for (let g = 0; g <= small.generations; g++) {
          const v = a.metrics[`${m}/regret${at}:g=${g}`];
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(1);
        }
        expect(a.series![`${m}/regret${at}`]).toHaveLength(small.generations + 1);
      }
      // the greedy family's deployed regret is its model's greedy regret
      for (let g = 1; g <= small.generations; g++)
        expect(a.metrics[`greedy/regret${at}:g=${g}`]).toBeCloseTo(a.metrics[`greedy/modelRegret${at}:g=${g}`], 14);
    }
    expect(runSeed(small, 8).metrics).not.toEqual(a.metrics);
  });

  it('computes the exact expected regret: it matches the Monte Carlo regret of the sampled actions', () => {
    const env = sparseLogisticBandit({ ...DEFAULTS, baseLogit: 0 }, new Rng(1));
    const batch = drawBatch(env, 3000, new Rng(2));
    const first = deploy(env, batch, 'uniform', null, DEFAULTS, new Rng(3));
    const model = fitModel(env, batch, first.log, DEFAULTS.lambda);
    for (const m of ['uniform', 'eps-greedy', 'squarecb'] as const) {
      let mc = 0;
      const reps = 20;
      for (let i = 0; i < reps; i++) {
        const out = deploy(env, batch, m, model, DEFAULTS, new Rng(10 + i));
        const n = out.log.action.length;
        for (let t = 0; t < n; t++) {
          let best = 0;
          for (let a = 0; a < env.K; a++)
            if (batch.avail[t * env.K + a]) best = Math.max(best, batch.mu[t * env.K + a]);
          mc += (best - batch.mu[t * env.K + out.log.action[t]]) / (n * reps);
        }
      }
      const exact = deploy(env, batch, m, model, DEFAULTS, new Rng(99)).stats.regret;
      expect(Math.abs(mc - exact)).toBeLessThan(0.004); // sd of the MC mean ≈ 0.3/√60000 ≈ 0.0012
    }
  });

  it('swing is zero for linear series and positive for a zigzag; lag-1 autocorrelation of a zigzag is negative', () => {
    expect(swing([1, 2, 3, 4, 5])).toBeCloseTo(0, 14);
    expect(swing([0.1, 0.1, 0.1])).toBe(0);
    expect(swing([0, 1, 0, 1, 0])).toBeCloseTo(1, 14); // drift 0, |Δ| = 1
    expect(lag1([0, 1, 0, 1, 0, 1])).toBeLessThan(-0.5);
    expect(lag1([1, 2, 3, 4, 5, 6])).toBeGreaterThan(0.3);
  });
});
