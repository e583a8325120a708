/**
 * grpo-off-policy's transformer section (src/papers/grpo-off-policy/transformer.ts) on a tiny configuration: the runs
 * mirror the GRU section's `methodsAt(k)` (same names, same coefficients), the stale runs sample from the policy of
 * k updates ago (so every stale method sees the same first k + 1 batches), the record has the keys the notebook
 * reads, the held-out counts give the recorded pass@k, and a rerun is bit-identical.
 */
import { describe, expect, it } from 'vitest';
import { metricKey } from '../../../src/core/metric-keys';
import { passAtKFromCounts } from '../../../src/testbeds/reasoning/trainer/loop';
import { methodsAt } from '../../../src/papers/grpo-off-policy/gru';
import {
  DEFAULTS,
  finiteMean,
  gradNormCv,
  runSeed,
  tfRunsAt,
  type Config,
} from '../../../src/papers/grpo-off-policy/transformer';

const K = 2;
const tiny: Config = {
  ...DEFAULTS,
  staleness: K,
  updates: 4,
  batchPrompts: 3,
  groupSize: 4,
  evalProblems: 3,
  evalSamples: 8,
  passKs: [1, 4, 8],
};

describe('grpo-off-policy transformer: helpers', () => {
  it('finiteMean skips NaN and is NaN when nothing is finite', () => {
    expect(finiteMean([NaN, 1, 3, Infinity])).toBe(2);
    expect(Number.isNaN(finiteMean([NaN, NaN]))).toBe(true);
  });
  it('gradNormCv is the population std over the mean, scale free', () => {
    expect(gradNormCv([1, 2, 3])).toBeCloseTo(Math.sqrt(2 / 3) / 2, 14);
    expect(gradNormCv([2, 4, 6])).toBeCloseTo(gradNormCv([1, 2, 3]), 14);
    expect(gradNormCv([5, 5])).toBe(0);
  });
});

describe('grpo-off-policy transformer: runs', () => {
  const runs = tfRunsAt(16);
  const gru = methodsAt(16);
  it('mirror the GRU section: same run names and staleness', () => {
    expect(Object.keys(runs)).toEqual(Object.keys(gru));
    for (const [name, r] of Object.entries(runs)) expect(r.staleness).toBe(gru[name].staleness ?? 0);
  });
  it('use the GRU section coefficients: IS, clip, advantage and the off-policy terms', () => {
    for (const [name, r] of Object.entries(runs)) {
      const g = gru[name];
      const rec = r.recipe;
      expect(rec.advantage, name).toBe(g.advantage.kind);
      // The importance weight acts iff the GRU run weights by the ratio.
      expect((rec.importance ?? 'token') === 'token', name).toBe(g.importanceWeight);
      if (g.clip === 'ppo') expect(rec.clipping, name).toEqual({ kind: 'symmetric', eps: g.clipLow });
      else expect(rec.clipping.kind, name).toBe('none');
      expect(rec.offPolicyTerms?.k2Behaviour, name).toBe(g.k2Coef);
      expect(rec.offPolicyTerms?.asymRe, name).toBe(g.asymShift);
      expect(rec.offPolicyTerms?.advantageWeightTemp, name).toBe(g.advantageWeightTemp);
      // Shared by all: one pass, sequence mean, no KL, no entropy, no filters.
      expect(rec.epochs).toBe(1);
      expect(rec.aggregation).toBe('sequence-mean');
      expect(rec.kl.kind).toBe('none');
      expect(rec.entropyBonus).toBe(0);
      expect(rec.filters).toEqual([]);
      expect(rec.dynamicSampling).toBeNull();
    }
  });
});

describe('grpo-off-policy transformer: runSeed', () => {
  const r = runSeed(tiny, 7);
  const names = Object.keys(tfRunsAt(K));
  it('records the keys the notebook reads, consistent with the per-problem counts', () => {
    for (const m of ['base', ...names]) {
      const counts = r.series![metricKey(m, 'L3:counts')];
      expect(counts.length).toBe(tiny.evalProblems);
      for (const c of counts) expect(Number.isInteger(c) && c >= 0 && c <= tiny.evalSamples).toBe(true);
      for (const k of tiny.passKs)
        expect(r.metrics[metricKey(m, `L3:pass@${k}`)]).toBeCloseTo(passAtKFromCounts(counts, tiny.evalSamples, k), 12);
    }
    for (const m of names) {
      for (const s of ['reward', 'klBehaviour', 'clipFraction', 'gradNorm'])
        expect(r.series![metricKey(m, s)].length, `${m}/${s}`).toBe(tiny.updates);
      expect(r.metrics[metricKey(m, 'gradNormCv')]).toBeCloseTo(gradNormCv(r.series![metricKey(m, 'gradNorm')]), 12);
      expect(r.metrics[metricKey(m, 'clippedFraction')]).toBeGreaterThanOrEqual(0);
      for (const k of ['meanReward', 'lateReward']) expect(Number.isFinite(r.metrics[metricKey(m, k)])).toBe(true);
    }
  });
  it('on-policy runs have no behaviour KL; a stale run starts with its behaviour policy equal to the policy', () => {
    for (const m of ['REINFORCE@k=0', 'GRPO@k=0'])
      expect(Number.isNaN(r.metrics[metricKey(m, 'meanKlBehaviour')])).toBe(true);
    for (const m of names.filter((n) => n.endsWith(`@k=${K}`))) {
      const kl = r.series![metricKey(m, 'klBehaviour')];
      expect(Math.abs(kl[0]), m).toBeLessThan(1e-6);
      expect(Number.isFinite(r.metrics[metricKey(m, 'meanKlBehaviour')])).toBe(true);
    }
  });
  it('stale runs sample their first k + 1 batches from the base model (identical across methods, paired)', () => {
    const stale = names.filter((n) => n.endsWith(`@k=${K}`));
    const first = r.series![metricKey(stale[0], 'reward')].slice(0, K + 1);
    for (const m of stale) expect(r.series![metricKey(m, 'reward')].slice(0, K + 1), m).toEqual(first);
    expect(r.series![metricKey('REINFORCE@k=0', 'reward')][0]).toBe(first[0]);
  });
  it('is deterministic: the same seed gives identical metrics and series', () => {
    const again = runSeed(tiny, 7);
    expect(again.metrics).toEqual(r.metrics);
    expect(again.series).toEqual(r.series);
  });
  it('rejects an unknown run and a staleness below 1', () => {
    expect(() => runSeed({ ...tiny, runs: ['PPO@k=2'] }, 1)).toThrow(/unknown run "PPO@k=2"/);
    expect(() => runSeed({ ...tiny, staleness: 0 }, 1)).toThrow(/staleness must be an integer ≥ 1/);
  });
});
