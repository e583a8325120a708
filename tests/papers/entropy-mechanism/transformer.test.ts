/**
 * entropy-mechanism's transformer section (src/papers/entropy-mechanism/transformer.ts): the per-batch entropy and
 * covariance against a brute-force computation, the methods as recipes that differ only in the token control, and
 * runSeed on a tiny configuration (record keys, pairing across methods, control counts, determinism, the mirror of
 * the trainer's problem stream failing loudly when out of step).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { metricKey } from '../../../src/core/metric-keys';
import { TransformerLm } from '../../../src/nn/transformer-lm';
import { reasoningBase } from '../../../src/testbeds/reasoning/base-model';
import { getTask } from '../../../src/testbeds/reasoning/tasks/registry';
import { distinctProblems } from '../../../src/testbeds/reasoning/tasks/splits';
import { passAtKFromCounts, trainRl } from '../../../src/testbeds/reasoning/trainer/loop';
import { LmPolicy, type Completions } from '../../../src/testbeds/reasoning/trainer/policy';
import {
  DEFAULTS,
  METHODS,
  ObservedPolicy,
  observeBatch,
  runSeed,
  type Config,
} from '../../../src/papers/entropy-mechanism/transformer';

describe('entropy-mechanism transformer: observeBatch', () => {
  // B = 2 groups of G = 2; L = 3 positions; lengths 2, 3, 1, 0 (0 counts as 1, as the trainer's rollouts)
  const c: Completions = {
    N: 4,
    L: 3,
    tokens: new Int32Array(12),
    lengths: Int32Array.from([2, 3, 1, 0]),
    logp: Float32Array.from([-0.5, -1, 0, -0.25, -2, -0.125, -3, 0, 0, -0.75, 0, 0]),
    entropy: Float32Array.from([0.5, 0.25, 0, 1, 0.75, 0.5, 2, 0, 0, 0.125, 0, 0]),
  };
  const rewards = Float64Array.from([1, 0, 1, 1]);
  it('entropy is the mean over generated tokens; covariance the population Cov(A, log π) over tokens', () => {
    const o = observeBatch(c, rewards, 2, 2);
    // tokens: row 0 → 2, row 1 → 3, row 2 → 1, row 3 → 1 (length 0 → 1)
    const H = [0.5, 0.25, 1, 0.75, 0.5, 2, 0.125];
    const lp = [-0.5, -1, -0.25, -2, -0.125, -3, -0.75];
    // GRPO advantage: group 1 = (1, 0) → ±0.5/(std + ε), unbiased std √½; group 2 all equal → 0
    const a1 = 0.5 / (Math.SQRT1_2 + 1e-6);
    const A = [a1, a1, -a1, -a1, -a1, 0, 0];
    const m = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(o.entropy).toBeCloseTo(m(H), 6);
    // E[A·lp] − E[A]·E[lp]: the identity behind the centred form the module computes
    expect(o.cov).toBeCloseTo(m(A.map((x, i) => x * lp[i])) - m(A) * m(lp), 5);
    expect(o.reward).toBe(0.75);
  });
  it('covariance is invariant to shifting every log-probability (it is centred)', () => {
    const shifted = { ...c, logp: c.logp.map((x) => x - 5) };
    expect(observeBatch(shifted, rewards, 2, 2).cov).toBeCloseTo(observeBatch(c, rewards, 2, 2).cov, 5);
  });
  it('rejects a policy without sampled entropies', () => {
    expect(() => observeBatch({ ...c, entropy: undefined }, rewards, 2, 2)).toThrow(/entropies/);
  });
});

describe('entropy-mechanism transformer: methods', () => {
  it('share the GRPO advantage, two passes, sequence-mean and no KL; differ in the token control', () => {
    for (const r of Object.values(METHODS)) {
      expect(r.advantage).toBe('grpo');
      expect(r.epochs).toBe(2);
      expect(r.aggregation).toBe('sequence-mean');
      expect(r.kl.kind).toBe('none');
      expect(r.entropyBonus).toBe(0);
      expect(r.filters).toEqual([]);
    }
    expect(METHODS.GRPO.tokenControl).toBeUndefined();
    expect(METHODS.GRPO.clipping).toEqual(METHODS['Clip-Cov'].clipping);
    expect(METHODS['Clip-Cov'].tokenControl).toEqual({ kind: 'clip-cov', ratio: 2e-4, lb: 1, ub: 5 });
    expect(METHODS['KL-Cov'].tokenControl).toEqual({ kind: 'kl-cov', ratio: 2e-3, beta: 1 });
    expect(METHODS['KL-Cov'].clipping.kind).toBe('none');
  });
});

describe('entropy-mechanism transformer: runSeed', () => {
  const tiny: Config = {
    ...DEFAULTS,
    updates: 3,
    batchPrompts: 3,
    groupSize: 4,
    evalProblems: 3,
    evalSamples: 8,
    passKs: [1, 8],
  };
  const r = runSeed(tiny, 5);
  it('records the keys the notebook reads, consistent with the counts and the per-update series', () => {
    for (const m of ['base', ...tiny.methods]) {
      const counts = r.series![metricKey(m, 'L3:counts')];
      expect(counts.length).toBe(tiny.evalProblems);
      for (const k of tiny.passKs)
        expect(r.metrics[metricKey(m, `L3:pass@${k}`)]).toBeCloseTo(passAtKFromCounts(counts, tiny.evalSamples, k), 12);
    }
    for (const m of tiny.methods) {
      for (const k of ['entropy', 'cov', 'reward', 'controlled', 'gradNorm'])
        expect(r.series![metricKey(m, k)].length, `${m}/${k}`).toBe(tiny.updates);
      const H = r.series![metricKey(m, 'entropy')];
      expect(r.metrics[metricKey(m, 'entropy:first')]).toBe(H[0]);
      expect(r.metrics[metricKey(m, 'entropy:final')]).toBe(H[H.length - 1]);
      for (const h of H) expect(h).toBeGreaterThan(0);
    }
  });
  it('pairs the methods: same base model and first batch, so the same first entropy, covariance and reward', () => {
    for (const k of ['entropy', 'cov', 'reward']) {
      const first = tiny.methods.map((m) => r.series![metricKey(m, k)][0]);
      for (const x of first) expect(x, k).toBe(first[0]);
    }
  });
  it('only the controls touch tokens: GRPO none, Clip-Cov one per pass (the floor), KL-Cov at least one', () => {
    expect(r.series!['GRPO/controlled'].every((x) => x === 0)).toBe(true);
    // with ≈ 10² tokens, ⌊2·10⁻⁴·N⌋ = 0, so the official floor of one token applies — if any token is in (1, 5)
    for (const x of r.series!['Clip-Cov/controlled']) expect(x).toBeLessThanOrEqual(1);
    for (const x of r.series!['KL-Cov/controlled']) expect(x).toBeGreaterThanOrEqual(1);
  });
  it('is deterministic: the same seed gives identical metrics and series', () => {
    const again = runSeed(tiny, 5);
    expect(again.metrics).toEqual(r.metrics);
    expect(again.series).toEqual(r.series);
  });
  it('rejects an unknown method by name', () => {
    expect(() => runSeed({ ...tiny, methods: ['PPO'] }, 1)).toThrow(/unknown method "PPO"/);
  });
});

describe('entropy-mechanism transformer: ObservedPolicy', () => {
  it('fails loudly when the mirrored problems are not the batch the trainer sampled', () => {
    const task = getTask(DEFAULTS.base.task);
    const base = reasoningBase(DEFAULTS.base).model;
    const m = new TransformerLm(base.config, new Rng(0));
    m.load(base.snapshot());
    const wrong = distinctProblems(task, 99, 3, 'heldout', 2);
    const policy = new ObservedPolicy(new LmPolicy(m, { lr: 1e-4 }), task, 2, () => wrong);
    expect(() =>
      trainRl(
        policy,
        task,
        { recipe: METHODS.GRPO, level: 3, updates: 1, batchPrompts: 2, groupSize: 2, lr: 1e-4 },
        new Rng(1),
        null,
      ),
    ).toThrow(/out of step/);
  });
});
