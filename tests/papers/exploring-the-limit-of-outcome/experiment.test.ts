/**
 * The OREAL paper's miniatures (src/papers/exploring-the-limit-of-outcome/): the theorem's identity on random bandit
 * contexts (best-of-n by enumeration = the KL-regularised optimum at β_n), its limits, the behaviour-cloning fit, the
 * token reward head's training, and a tiny seed of the reasoning experiment (deterministic, every key, errors).
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import {
  BANDIT_DEFAULTS,
  banditSeed,
  behaviourClone,
  bonBeta,
  bonByEnumeration,
  kl,
  klOptimal,
  passRate,
  randomContext,
} from '../../../src/papers/exploring-the-limit-of-outcome/bandit';
import {
  DEFAULTS,
  METHOD_NAMES,
  miniBatchChunks,
  runSeed,
  type Config,
} from '../../../src/papers/exploring-the-limit-of-outcome/experiment';
import { baseScores, LinearTokenRm } from '../../../src/papers/exploring-the-limit-of-outcome/token-rm';
import { reasoningBase } from '../../../src/testbeds/reasoning/base-model';

describe('the theorem on a bandit', () => {
  it('best-of-n (enumerated) is exactly π_ref·exp(r/β_n)/Z', () => {
    const rng = new Rng(3);
    for (let c = 0; c < 20; c++) {
      const cx = randomContext(5, 1.5, rng.split(c));
      const p = passRate(cx);
      expect(p).toBeGreaterThan(0);
      expect(p).toBeLessThan(1);
      for (const n of [1, 2, 3, 5]) {
        const e = bonByEnumeration(cx, n);
        const s = klOptimal(cx, bonBeta(p, n));
        expect(e.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        for (let a = 0; a < 5; a++) expect(e[a]).toBeCloseTo(s[a], 12);
      }
    }
  });
  it('n = 1 is π_ref (β = ∞); large n tends to π_ref on the correct actions (β → 0)', () => {
    const cx = randomContext(6, 1, new Rng(8));
    expect(bonBeta(passRate(cx), 1)).toBe(Infinity);
    const one = klOptimal(cx, Infinity);
    for (let a = 0; a < 6; a++) expect(one[a]).toBeCloseTo(cx.ref[a], 14);
    const big = klOptimal(cx, bonBeta(passRate(cx), 400));
    const lim = klOptimal(cx, 0);
    for (let a = 0; a < 6; a++) expect(big[a]).toBeCloseTo(lim[a], 6);
    expect(bonBeta(passRate(cx), 2)).toBeGreaterThan(bonBeta(passRate(cx), 4));
  });
  it('behaviour cloning fits the sample frequencies; kl is 0 on equal laws and positive otherwise', () => {
    const cx = randomContext(4, 1, new Rng(1));
    const fit = behaviourClone(cx, [0, 0, 1, 3], 3000, 0.05);
    expect(fit[0]).toBeCloseTo(0.5, 2);
    expect(fit[1]).toBeCloseTo(0.25, 2);
    expect(fit[2]).toBeLessThan(0.01);
    expect(kl(cx.ref, cx.ref)).toBe(0);
    expect(kl(cx.ref, fit)).toBeGreaterThan(0);
  });
  it('banditSeed: identity error at float precision, the BC fit much closer to π* than π_ref', () => {
    const m = banditSeed({ ...BANDIT_DEFAULTS, contexts: 4, samples: 2000, ns: [4] }, 1).metrics;
    expect(m['bandit/identityMaxErr']).toBeLessThan(1e-12);
    expect(m['bandit/limitErr']).toBeLessThan(1e-6);
    expect(m['bandit/klRatio@4']).toBeLessThan(0.2);
    expect(m['bandit/posFraction@4']).toBeGreaterThan(0);
  });
});

describe('token reward head', () => {
  it('learns to separate the outcomes on base-model features (eq. 12 loss falls)', () => {
    const base = reasoningBase(DEFAULTS.base).model;
    const P = 4,
      L = 6,
      N = 8;
    const rng = new Rng(5);
    const seq = Int32Array.from({ length: N * (P + L) }, () => 1 + rng.int(10));
    const x = baseScores(base, seq, N, P, L);
    expect(x.features).toHaveLength(N * L * base.config.dModel);
    const lengths = new Int32Array(N).fill(L);
    const rewards = Float64Array.from({ length: N }, (_, i) => i % 2);
    const rm = new LinearTokenRm(base.config.dModel, 0.05, new Rng(1));
    const first = rm.train(x, lengths, rewards, L);
    let last = first;
    for (let k = 0; k < 200; k++) last = rm.train(x, lengths, rewards, L);
    expect(last).toBeLessThan(first);
  });
});

describe('runSeed (tiny)', () => {
  const tiny: Config = {
    ...DEFAULTS,
    rollouts: 3,
    rmWarmup: 1,
    batchPrompts: 4,
    groupSize: 6,
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
    for (const m of METHOD_NAMES) expect(a.series![`${m}/reward`]).toHaveLength(3);
    expect(a.series!['OREAL/rmLoss']).toHaveLength(3);
    expect(a.metrics['GRPO/trained']).toBe(24);
  });
  it('miniBatchChunks and errors', () => {
    expect(miniBatchChunks([1, 2, 3, 4, 5], 2)).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
    expect(() => runSeed({ ...tiny, methods: ['PPO'] }, 1)).toThrow(/unknown method "PPO"/);
    expect(() => runSeed({ ...tiny, rmWarmup: 3 }, 1)).toThrow(/rmWarmup must be an integer/);
  });
});
