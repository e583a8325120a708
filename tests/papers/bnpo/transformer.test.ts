/**
 * bnpo's transformer section (src/papers/bnpo/transformer.ts) on a tiny configuration: the methods are recipes that
 * differ only in the advantage part, every method starts from the same base model and problem stream, the record
 * has the keys the notebook reads, the held-out counts give the recorded pass@k, a rerun is bit-identical, and the
 * stability statistics match their formulas.
 */
import { describe, expect, it } from 'vitest';
import { metricKey } from '../../../src/core/metric-keys';
import { passAtKFromCounts } from '../../../src/testbeds/reasoning/trainer/loop';
import {
  DEFAULTS,
  METHODS,
  coefficientOfVariation,
  maxOverMedian,
  runSeed,
  type Config,
} from '../../../src/papers/bnpo/transformer';

const tiny: Config = {
  ...DEFAULTS,
  updates: 3,
  batchPrompts: 3,
  groupSize: 4,
  evalProblems: 3,
  evalSamples: 8,
  passKs: [1, 4, 8],
};

describe('bnpo transformer: stability statistics', () => {
  it('coefficient of variation is the population std over the mean', () => {
    // mean 2, population variance ((1)² + 0 + (1)²)/3 = 2/3
    expect(coefficientOfVariation([1, 2, 3])).toBeCloseTo(Math.sqrt(2 / 3) / 2, 14);
    expect(coefficientOfVariation([5, 5, 5, 5])).toBe(0);
    // scale free
    expect(coefficientOfVariation([2, 4, 6])).toBeCloseTo(coefficientOfVariation([1, 2, 3]), 14);
    expect(Number.isNaN(coefficientOfVariation([]))).toBe(true);
  });
  it('max over median uses the upper median, as the GRU loop', () => {
    expect(maxOverMedian([3, 1, 2])).toBe(3 / 2);
    expect(maxOverMedian([1, 2, 4, 8])).toBe(8 / 4);
  });
});

describe('bnpo transformer: methods', () => {
  it('differ only in the advantage part (on-policy, sequence-mean, no KL, no filters, no entropy)', () => {
    const advs = Object.values(METHODS).map((r) => r.advantage);
    expect(new Set(advs).size).toBe(advs.length);
    expect(METHODS.BNPO.advantage).toBe('bnpo');
    expect(METHODS.GRPO.advantage).toBe('grpo');
    expect(METHODS['REINFORCE-baseline'].advantage).toBe('baseline');
    expect(METHODS.ReMax.advantage).toBe('remax');
    for (const r of Object.values(METHODS)) {
      expect(r.epochs).toBe(1);
      expect(r.aggregation).toBe('sequence-mean');
      expect(r.kl.kind).toBe('none');
      expect(r.filters).toEqual([]);
      expect(r.entropyBonus).toBe(0);
      expect(r.dynamicSampling).toBeNull();
    }
  });
});

describe('bnpo transformer: runSeed', () => {
  const r = runSeed(tiny, 7);
  it('records the keys the notebook reads, consistent with the per-problem counts', () => {
    for (const m of ['base', ...tiny.methods]) {
      const counts = r.series![metricKey(m, 'L3:counts')];
      expect(counts.length).toBe(tiny.evalProblems);
      for (const c of counts) expect(Number.isInteger(c) && c >= 0 && c <= tiny.evalSamples).toBe(true);
      for (const k of tiny.passKs)
        expect(r.metrics[metricKey(m, `L3:pass@${k}`)]).toBeCloseTo(passAtKFromCounts(counts, tiny.evalSamples, k), 12);
    }
    for (const m of tiny.methods) {
      expect(r.series![metricKey(m, 'reward')].length).toBe(tiny.updates);
      const g = r.series![metricKey(m, 'gradNorm')];
      expect(g.length).toBe(tiny.updates);
      expect(r.metrics[metricKey(m, 'gradNormCv')]).toBeCloseTo(coefficientOfVariation(g), 12);
      expect(r.metrics[metricKey(m, 'gradNormMaxOverMedian')]).toBeCloseTo(maxOverMedian(g), 12);
      for (const k of ['meanReward', 'lateReward']) expect(Number.isFinite(r.metrics[metricKey(m, k)])).toBe(true);
      expect(r.timings![metricKey(m, 'updateMs')]).toBeGreaterThanOrEqual(0);
    }
  });
  it('starts every method from the same base model on the same first batch (paired)', () => {
    const first = tiny.methods.map((m) => r.series![metricKey(m, 'reward')][0]);
    for (const x of first) expect(x).toBe(first[0]);
  });
  it('is deterministic: the same seed gives identical metrics and series', () => {
    const again = runSeed(tiny, 7);
    expect(again.metrics).toEqual(r.metrics);
    expect(again.series).toEqual(r.series);
  });
  it('rejects an unknown method by name', () => {
    expect(() => runSeed({ ...tiny, methods: ['PPO'] }, 1)).toThrow(/unknown method "PPO"/);
  });
});
