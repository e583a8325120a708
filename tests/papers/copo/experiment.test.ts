/**
 * The COPO paper's experiment (src/papers/copo/experiment.ts): its helpers (chunks, mixed groups, uniform shares, the
 * zero-gradient profile of each method on a constructed batch) and a tiny seed of the equal-budget pipeline:
 * deterministic, every method's keys present, every method samples the same prompts' worth of answers, dynamic
 * sampling takes no more Adam steps than GRPO, unknown methods refused.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  METHODS,
  METHOD_NAMES,
  gradientProfile,
  mixedGroupIndices,
  runSeed,
  splitChunks,
  uniformShares,
  type Config,
} from '../../../src/papers/copo/experiment';
import { ANSWER, EOS } from '../../../src/testbeds/reasoning/tasks/vocab';
import type { Rollouts } from '../../../src/testbeds/reasoning/trainer/update';

/** B groups of G one-token-answer completions `> a $` with the given rewards and answer digits. */
function batch(rewards: number[], digits: number[], B: number, G: number): Rollouts {
  const P = 1,
    L = 3,
    T = P + L;
  const seq = new Int32Array(B * G * T);
  for (let i = 0; i < B * G; i++) seq.set([1, ANSWER, digits[i], EOS], i * T);
  return {
    B,
    G,
    P,
    L,
    seq,
    lengths: new Int32Array(B * G).fill(3),
    oldLogp: new Float32Array(B * G * L),
    rewards: Float64Array.from(rewards),
  };
}

describe('helpers', () => {
  it('splitChunks: consecutive, sizes differ by at most one', () => {
    expect(splitChunks([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(splitChunks([1], 4)).toEqual([[1]]);
  });
  it('mixed groups and uniform shares', () => {
    const r = batch([1, 0, 1, 1, 0, 0], [1, 2, 3, 3, 4, 5], 3, 2);
    expect(mixedGroupIndices(r)).toEqual([0]);
    expect(uniformShares(r)).toEqual({ allCorrect: 1 / 3, allWrong: 1 / 3 });
  });
  it('zero-gradient profile: GRPO and DS lose the uniform groups, COPO keeps them', () => {
    // one mixed group, one all-correct with one answer, one all-wrong with two answers
    const r = batch([1, 0, 1, 1, 0, 0], [1, 2, 3, 3, 4, 5], 3, 2);
    expect(gradientProfile(METHODS.GRPO, r).zeroGrad).toBeCloseTo(4 / 6, 12);
    expect(gradientProfile(METHODS['GRPO-DS'], r).zeroGrad).toBeCloseTo(4 / 6, 12);
    const c = gradientProfile(METHODS.COPO, r);
    // the mixed group's accuracy (1/2) is the batch mean, so its global advantage is 0 and its wrong answer, which
    // learns from the global loss alone, gets no gradient: 1 of 6
    expect(c.zeroGrad).toBeCloseTo(1 / 6, 12);
    expect(c.answerEntropy).toBeCloseTo((1 + 0 + 1) / 3, 12);
    // soft-with-zero: wrong answers weigh the global loss 1; the correct ones 1 − σ(5(H − 1)) (H = 1 and 0)
    const s0 = 1 / (1 + Math.exp(5));
    expect(c.globalWeight).toBeCloseTo((3 + 0.5 + 2 * (1 - s0)) / 6, 12);
    // the hard switch: the global loss exactly on the uniform groups
    expect(gradientProfile(METHODS['COPO-hard'], r).globalWeight).toBeCloseTo(4 / 6, 12);
    // a batch where every prompt has the same accuracy: no global signal either
    const flat = batch([0, 0, 0, 0], [1, 2, 3, 4], 2, 2);
    expect(gradientProfile(METHODS.COPO, flat).zeroGrad).toBe(1);
  });
});

describe('runSeed (tiny)', () => {
  const tiny: Config = {
    ...DEFAULTS,
    rollouts: 3,
    batchPrompts: 4,
    groupSize: 4,
    miniBatches: 2,
    evalProblems: 4,
    evalSamples: 4,
    passKs: [1, 4],
  };
  it('is deterministic, writes every method’s keys, and keeps the generation budget equal', () => {
    const a = runSeed(tiny, 5),
      b = runSeed(tiny, 5);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.series).toEqual(b.series);
    for (const m of ['base', ...METHOD_NAMES]) {
      expect(a.metrics[`${m}/L3:pass@1`]).toBeGreaterThanOrEqual(0);
      expect(a.metrics[`${m}/evalEntropy`]).toBeGreaterThan(0);
    }
    for (const m of METHOD_NAMES) {
      expect(a.series![`${m}/reward`]).toHaveLength(tiny.rollouts);
      expect(a.series![`${m}/zeroGrad`]).toHaveLength(tiny.rollouts);
      const z = a.metrics[`${m}/zeroGrad`];
      expect(z).toBeGreaterThanOrEqual(0);
      expect(z).toBeLessThanOrEqual(1);
    }
    expect(a.metrics['GRPO/adamSteps']).toBe(tiny.rollouts * tiny.miniBatches);
    expect(a.metrics['COPO/adamSteps']).toBe(tiny.rollouts * tiny.miniBatches);
    expect(a.metrics['GRPO-DS/adamSteps']).toBeLessThanOrEqual(a.metrics['GRPO/adamSteps']);
    expect(a.metrics['GRPO-DS/adamSteps'] % tiny.miniBatches).toBe(0);
    expect(a.metrics['COPO/globalWeight']).toBeGreaterThan(0);
    expect(a.metrics['GRPO/globalWeight']).toBeUndefined();
  });
  it('refuses unknown methods and a bad budget', () => {
    expect(() => runSeed({ ...tiny, methods: ['PPO'] }, 1)).toThrow(/unknown method "PPO"/);
    expect(() => runSeed({ ...tiny, rollouts: 0 }, 1)).toThrow(/rollouts must be a positive integer/);
  });
});
