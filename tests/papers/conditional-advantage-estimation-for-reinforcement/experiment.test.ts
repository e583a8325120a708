/**
 * The CANON paper's experiment (src/papers/conditional-advantage-estimation-for-reinforcement/experiment.ts): its
 * helpers (chunks, mixed groups, the inter-group gap), the premise seed on a real base-model batch (the μ = ½ identity
 * holds exactly), and a tiny seed of the pipeline: deterministic, every method's keys present, unknown methods refused.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  METHOD_NAMES,
  chunks,
  halfGap,
  mixedGroups,
  premiseSeed,
  runSeed,
  type Config,
} from '../../../src/papers/conditional-advantage-estimation-for-reinforcement/experiment';

describe('helpers', () => {
  it('chunks and mixedGroups', () => {
    expect(chunks([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(mixedGroups({ B: 3, G: 2, rewards: [1, 0, 1, 1, 0, 0] })).toEqual([0]);
  });
  it('halfGap: mean over mixed groups of the higher half’s accuracy minus the lower half’s', () => {
    // Group 0: higher-metric half {0.9 → 1, 0.8 → 1}, lower {0.1 → 0, 0.2 → 1}: gap 1 − 0.5; group 1 uniform (skipped).
    const r = { B: 2, G: 4, rewards: [1, 0, 1, 1, 0, 0, 0, 0] };
    expect(halfGap(r, [0.9, 0.1, 0.8, 0.2, 1, 2, 3, 4])).toBeCloseTo(0.5, 15);
    expect(halfGap({ B: 1, G: 2, rewards: [1, 1] }, [0, 1])).toBeNaN();
  });
});

describe('premiseSeed (base-model batch)', () => {
  it('measures the premises and CANON(μ = ½) equals Dr. GRPO exactly', () => {
    const m = premiseSeed({ ...DEFAULTS, premisePrompts: 24 }, 5).metrics;
    expect(m['identity/mu05Entropy']).toBeLessThan(1e-12);
    expect(m['identity/mu05Length']).toBeLessThan(1e-12);
    expect(m['premise/tokens']).toBeGreaterThan(10);
    expect(m['premise/lengthVaries']).toBeGreaterThanOrEqual(0);
    expect(m['premise/lengthVaries']).toBeLessThanOrEqual(1);
    expect(m['premise/correctRate']).toBeGreaterThanOrEqual(0);
  });
});

describe('runSeed (tiny)', () => {
  const tiny: Config = {
    ...DEFAULTS,
    rollouts: 2,
    batchPrompts: 4,
    groupSize: 4,
    maxRounds: 2,
    miniBatches: 2,
    evalProblems: 4,
    evalSamples: 4,
    passKs: [1, 4],
  };
  it('runs every method, deterministically, with every key', () => {
    const a = runSeed(tiny, 1);
    const b = runSeed(tiny, 1);
    expect(a.metrics).toEqual(b.metrics);
    for (const me of ['base', ...METHOD_NAMES]) {
      expect(a.metrics[`${me}/L3:pass@1`]).toBeGreaterThanOrEqual(0);
      expect(a.metrics[`${me}/evalTokens`]).toBeGreaterThan(0);
      expect(Number.isFinite(a.metrics[`${me}/evalEntropy`])).toBe(true);
    }
    for (const me of METHOD_NAMES) {
      expect(a.series![`${me}/reward`]).toHaveLength(2);
      expect(a.series![`${me}/tokens`]).toHaveLength(2);
      expect(a.series![`${me}/entropyGap`]).toHaveLength(2);
      expect(a.metrics[`${me}/promptsSampled`]).toBeLessThanOrEqual(tiny.rollouts * tiny.maxRounds * tiny.batchPrompts);
    }
  });
  it('refuses an unknown method', () => {
    expect(() => runSeed({ ...tiny, methods: ['GRPO', 'PPO'] }, 1)).toThrow(/unknown method "PPO"/);
  });
});
