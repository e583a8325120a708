/**
 * The dual-rl task: a small run returns every key the notebook reads, is deterministic in the seed, and its exact
 * checks hold (LP = value iteration, dual = HiGHS primal).
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  IL_METHODS,
  RL_METHODS,
  RL_QUALITIES,
  rlAt,
  runSeed,
  temperatures,
  type Config,
} from '../../../src/papers/dual-rl/experiment';

const small: Config = {
  ...DEFAULTS,
  randomEpisodes: 60,
  mixedExpert: [0, 3],
  xqlBetas: [0.1],
  dvlLambdas: [0.8],
  learningRates: [0.05],
  sgdSteps: 100,
  rlEpisodes: 30,
};

describe('dual-rl runSeed', () => {
  it('returns every key the notebook reads, deterministic in the seed, exact checks at rounding level', async () => {
    const a = await runSeed(small, 2),
      b = await runSeed(small, 2),
      c = await runSeed(small, 3);
    expect(b.metrics).toEqual(a.metrics);
    expect(c.metrics).not.toEqual(a.metrics);
    const m = a.metrics;
    expect(m['exact/lpGap']).toBeLessThan(1e-9);
    expect(m['exact/lpDualErr']).toBeLessThan(1e-9);
    expect(m['recoil/qpGap']).toBeLessThan(1e-6);
    expect(m['smodice/qpGap']).toBeLessThan(1e-6);
    for (const lvl of small.mixedExpert) {
      expect(m[`data/pairCoverage@m=${lvl}`]).toBeGreaterThan(0);
      expect(m[`data/pairCoverage@m=${lvl}`]).toBeLessThanOrEqual(1);
      for (const k of IL_METHODS) expect(m[`${k}/normValue@m=${lvl}`]).toBeLessThanOrEqual(1 + 1e-9);
      expect(m[`recoil/flowResidual@m=${lvl}`]).toBeLessThan(1e-9);
    }
    expect(m['data/expertMass@m=3']).toBeGreaterThan(m['data/expertMass@m=0']);
    for (const q of RL_QUALITIES)
      for (const meth of RL_METHODS)
        for (const t of temperatures(small, meth)) {
          const at = rlAt(q, t, 0.05);
          expect([0, 1]).toContain(m[`${meth}/diverged${at}`]);
          expect(m[`${meth}/normValue${at}`]).toBeLessThanOrEqual(1 + 1e-9);
          expect(m[`${meth}/exactNormValue${at}`]).toBeGreaterThan(0.5);
          expect(Number.isFinite(m[`${meth}/logMaxGrad${at}`])).toBe(true);
        }
  }, 60_000);
});
