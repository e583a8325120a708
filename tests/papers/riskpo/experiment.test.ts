/**
 * riskpo's experiment (src/papers/riskpo/experiment.ts) on a tiny configuration: deterministic, every method's keys
 * and series present with one entry per rollout step, the held-out counts give the recorded pass@k, the hardest
 * bucket is the base model's unsolved problems, the tracked quantiles start per-bundle (NaN) and are numbers after;
 * bad configurations fail by name.
 */
import { describe, expect, it } from 'vitest';
import { passAtKFromCounts } from '../../../src/testbeds/reasoning/trainer/loop';
import {
  DEFAULTS,
  METHOD_NAMES,
  hardShare,
  runSeed,
  splitChunks,
  type Config,
} from '../../../src/papers/riskpo/experiment';

const tiny: Config = {
  ...DEFAULTS,
  rollouts: 3,
  batchPrompts: 5,
  groupSize: 4,
  miniBatches: 2,
  evalProblems: 6,
  evalSamples: 4,
  passKs: [1, 4],
};

describe('helpers', () => {
  it('splitChunks: consecutive, sizes differ by at most one', () => {
    expect(splitChunks([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(splitChunks([1], 2)).toEqual([[1]]);
  });
  it('hardShare: the advantage mass on prompts with at most hardMaxCorrect right answers', () => {
    const r = [1, 0, 1, 1];
    expect(hardShare([2, -1, 0.5, 0.5], [1, 1, 1, 1], r, 2, 2, 1)).toBeCloseTo(3 / 4, 12);
    expect(hardShare([2, -1, 0.5, 0.5], [1, 1, 0, 0], r, 2, 2, 1)).toBe(1);
    expect(hardShare([0, 0, 0, 0], [1, 1, 1, 1], r, 2, 2, 1)).toBeNaN();
  });
});

describe('runSeed (tiny)', () => {
  it('is deterministic and writes every method’s keys', () => {
    const a = runSeed(tiny, 7),
      b = runSeed(tiny, 7);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.series).toEqual(b.series);
    const hard: number[] = [];
    a.series!['base/L3:counts'].forEach((c, i) => c === 0 && hard.push(i));
    expect(a.metrics['base/hardCount']).toBe(hard.length);
    for (const m of ['base', ...METHOD_NAMES]) {
      const counts = a.series![`${m}/L3:counts`];
      expect(a.metrics[`${m}/L3:pass@1`]).toBeCloseTo(passAtKFromCounts(counts, 4, 1), 12);
      expect(a.metrics[`${m}/evalEntropy`]).toBeGreaterThan(0);
      if (hard.length) expect(a.metrics[`${m}/hard:pass@4`]).toBeGreaterThanOrEqual(0);
    }
    expect(a.metrics['base/hard:pass@4'] || 0).toBe(0);
    for (const m of METHOD_NAMES) {
      for (const s of ['reward', 'entropy', 'hardShare', 'grpoHardShare', 'clipFraction'])
        expect(a.series![`${m}/${s}`]).toHaveLength(3);
      expect(a.metrics[`${m}/entropyLate`]).toBeGreaterThan(0);
    }
    const qd = a.series!['RiskPO/qDown'];
    expect(qd[0]).toBeNaN();
    expect(Number.isFinite(qd[1]) && Number.isFinite(qd[2])).toBe(true);
    expect(a.series!['GRPO/qDown']).toBeUndefined();
  });
  it('refuses an unknown method and a batch that does not form whole bundles', () => {
    expect(() => runSeed({ ...tiny, methods: ['PPO'] }, 1)).toThrow(
      /unknown method "PPO".*RiskPO, RiskPO-easy, RiskPO-K1/,
    );
    expect(() => runSeed({ ...tiny, batchPrompts: 4, methods: ['RiskPO'] }, 1)).toThrow(
      /batchPrompts 4 is not a multiple of the bundle size 5/,
    );
  });
});
