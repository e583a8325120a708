/**
 * The NFT paper's experiment (src/papers/bridging-supervised-learning-and-reinforcement/experiment.ts): its helpers
 * (mini-batch chunks, mixed groups, relative error, cosine), the strict on-policy identity on a real sampled batch of
 * the base model (NFT with ω = √((1 − r̂)/r̂) = GRPO × √(G/(G − 1)); ω = 1 − r̂ = Dr. GRPO; different off-policy), and
 * a tiny seed of the pipeline: deterministic, every method's keys present, the dynamic-sampling budget respected,
 * unknown methods refused.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  METHOD_NAMES,
  chunks,
  cosine,
  equivalenceSeed,
  maxRelativeError,
  mixedGroups,
  runSeed,
  type Config,
} from '../../../src/papers/bridging-supervised-learning-and-reinforcement/experiment';
import type { Rollouts } from '../../../src/testbeds/reasoning/trainer/update';

describe('helpers', () => {
  it('chunks: consecutive, sizes differ by at most one, never empty', () => {
    expect(chunks([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([
      [1, 2, 3],
      [4, 5],
      [6, 7],
    ]);
    expect(chunks([1, 2], 4)).toEqual([[1], [2]]);
    expect(chunks([], 4)).toEqual([[]]);
  });
  it('mixedGroups: groups whose rewards are not all equal', () => {
    const r = { B: 3, G: 2, rewards: Float64Array.from([1, 0, 1, 1, 0, 0]) } as unknown as Rollouts;
    expect(mixedGroups(r)).toEqual([0]);
  });
  it('maxRelativeError and cosine', () => {
    expect(maxRelativeError([2, -4], [1, -2], 2)).toBe(0);
    expect(maxRelativeError([2, -4], [1, -1], 2)).toBeCloseTo(0.5, 12);
    expect(cosine([1, 0], [0, 3])).toBe(0);
    expect(cosine([1, 2], [2, 4])).toBeCloseTo(1, 12);
  });
});

describe('strict on-policy identity on a sampled batch (Prop. 4.1–4.2)', () => {
  it('NFT (ω = √((1 − r̂)/r̂)) = √(G/(G − 1)) × GRPO and NFT (ω = 1 − r̂) = Dr. GRPO; off-policy they differ', () => {
    const m = equivalenceSeed(DEFAULTS, 3).metrics;
    expect(m['equiv/groups']).toBeGreaterThan(0);
    expect(m['equiv/grpoMaxRelErr']).toBeLessThan(1e-5);
    expect(m['equiv/drGrpoMaxRelErr']).toBeLessThan(1e-6);
    expect(m['equiv/grpoCosine']).toBeGreaterThan(1 - 1e-9);
    expect(m['equiv/drGrpoCosine']).toBeGreaterThan(1 - 1e-9);
    expect(m['equiv/offPolicyCosine']).toBeLessThan(0.999);
  });
});

describe('runSeed (tiny)', () => {
  const tiny: Config = {
    ...DEFAULTS,
    rollouts: 2,
    batchPrompts: 4,
    groupSize: 4,
    miniBatches: 2,
    evalProblems: 4,
    evalSamples: 4,
    passKs: [1, 4],
  };
  it('is deterministic, writes every method’s keys and respects the sampling budget', () => {
    const a = runSeed(tiny, 5),
      b = runSeed(tiny, 5);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.series).toEqual(b.series);
    for (const m of ['base', ...METHOD_NAMES]) {
      expect(a.metrics[`${m}/L3:pass@1`]).toBeGreaterThanOrEqual(0);
      expect(a.metrics[`${m}/evalEntropy`]).toBeGreaterThan(0);
    }
    for (const m of METHOD_NAMES) {
      expect(a.series![`${m}/reward`]).toHaveLength(2);
      for (const s of a.series![`${m}/sampled`]) {
        expect(s % tiny.batchPrompts).toBe(0);
        expect(s).toBeLessThanOrEqual(tiny.maxRounds * tiny.batchPrompts);
      }
      for (const k of a.series![`${m}/kept`]) expect(k).toBeLessThanOrEqual(tiny.batchPrompts);
    }
  });
  it('refuses an unknown method, naming the known ones', () => {
    expect(() => runSeed({ ...tiny, methods: ['PPO'] }, 1)).toThrow(/unknown method "PPO".*NFT, NFT-w1, RFT/);
  });
});
