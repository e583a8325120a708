/**
 * The ADORA paper's experiment (src/papers/adora/experiment.ts): its helpers (chunks, trailing mean, drawdown, the
 * classification profile of a batch) and a tiny seed: deterministic, every method's keys present, equal budgets,
 * unknown methods and bad sizes refused.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  METHOD_NAMES,
  classificationProfile,
  maxDrawdown,
  runSeed,
  splitChunks,
  trailingMean,
  type Config,
} from '../../../src/papers/adora/experiment';
import { EOS } from '../../../src/testbeds/reasoning/tasks/vocab';
import type { Rollouts } from '../../../src/testbeds/reasoning/trainer/update';

describe('helpers', () => {
  it('splitChunks, trailingMean, maxDrawdown', () => {
    expect(splitChunks([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(trailingMean([1, 3, 5, 7], 2)).toEqual([1, 2, 4, 6]);
    expect(maxDrawdown([0.1, 0.3, 0.2, 0.25, 0.05, 0.4])).toBeCloseTo(0.25, 12);
    expect(maxDrawdown([0, 1, 2])).toBe(0);
  });
  it('classification profile: mixed groups and the share of them that are disadvantageous', () => {
    const lengths = [6, 4, 4, 6, 6, 6, 5, 5, 5];
    const B = 3,
      G = 3,
      P = 1,
      L = 8,
      T = P + L;
    const seq = new Int32Array(B * G * T);
    for (let i = 0; i < B * G; i++) seq[i * T + P + lengths[i] - 1] = EOS;
    const r: Rollouts = {
      B,
      G,
      P,
      L,
      seq,
      lengths: Int32Array.from(lengths),
      oldLogp: new Float32Array(B * G * L),
      rewards: Float64Array.from([1, 0, 0, 1, 0, 0, 0, 0, 0]),
    };
    // group 0: 6 > 4 (advantageous); group 1: 6 > 6 false (disadvantageous); group 2 all wrong (not mixed)
    expect(classificationProfile(r)).toEqual({ mixed: 2, tds: 1 });
  });
});

describe('runSeed (tiny)', () => {
  const tiny: Config = {
    ...DEFAULTS,
    rollouts: 4,
    batchPrompts: 4,
    groupSize: 4,
    miniBatches: 2,
    evalProblems: 4,
    evalSamples: 4,
    passKs: [1, 4],
  };
  it('is deterministic and writes every method’s keys', () => {
    const a = runSeed(tiny, 5),
      b = runSeed(tiny, 5);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.series).toEqual(b.series);
    for (const m of ['base', ...METHOD_NAMES]) expect(a.metrics[`${m}/L3:pass@1`]).toBeGreaterThanOrEqual(0);
    for (const m of METHOD_NAMES) {
      expect(a.series![`${m}/reward`]).toHaveLength(tiny.rollouts);
      expect(a.series![`${m}/tdsShare`]).toHaveLength(tiny.rollouts);
      expect(a.metrics[`${m}/drawdown`]).toBeGreaterThanOrEqual(0);
    }
  });
  it('refuses unknown methods and bad sizes', () => {
    expect(() => runSeed({ ...tiny, methods: ['PPO'] }, 1)).toThrow(/unknown method "PPO"/);
    expect(() => runSeed({ ...tiny, rollouts: 2 }, 1)).toThrow(/rollouts must be an integer ≥ 4/);
    expect(() => runSeed({ ...tiny, miniBatches: 0 }, 1)).toThrow(/miniBatches must be a positive integer/);
  });
});
