/**
 * The transformer section's task (src/papers/rlvr-two-stage/transformer.ts): the sample-sign filter against its
 * formula (GRPO's per-token weights with the other sign's advantages set to 0, normaliser unchanged), the signed
 * loop with every sample equal to the trainer's own `trainRl`, and `runSeed` on a tiny configuration: the keys the
 * notebook reads, counts consistent with pass@k, the same held-out problems for every model, bit-identical reruns.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { metricKey } from '../../../src/core/metric-keys';
import { TransformerLm } from '../../../src/nn/transformer-lm';
import { reasoningBase, ADDITION_BASE } from '../../../src/testbeds/reasoning/base-model';
import { getTask } from '../../../src/testbeds/reasoning/tasks/registry';
import { passAtKFromCounts, trainRl } from '../../../src/testbeds/reasoning/trainer/loop';
import { LmPolicy, type RlPolicy, type Scored } from '../../../src/testbeds/reasoning/trainer/policy';
import { policyUpdate, recipeAdvantages, type Rollouts } from '../../../src/testbeds/reasoning/trainer/update';
import {
  DEFAULTS,
  RECIPE,
  runSeed,
  signKeep,
  SignMaskedPolicy,
  trainSigned,
  type Config,
} from '../../../src/papers/rlvr-two-stage/transformer';

/** A policy that records the token weights it is given (log-probabilities 0, so every ratio is 1). */
class Recorder implements RlPolicy {
  w: Float32Array | null = null;
  sample(): never {
    throw new Error('not used');
  }
  score(_seq: Int32Array, N: number, T: number, P: number): Scored {
    return { logp: new Float32Array(N * (T - P)) };
  }
  backward(_s: Scored, w: Float32Array): void {
    this.w = Float32Array.from(w);
  }
  step(): number {
    return 0;
  }
  snapshot(): Float32Array {
    return new Float32Array(0);
  }
}

/** Two groups of four responses with mixed rewards and lengths. */
function batch(): Rollouts {
  const B = 2,
    G = 4,
    P = 2,
    L = 3;
  return {
    B,
    G,
    P,
    L,
    seq: new Int32Array(B * G * (P + L)),
    lengths: Int32Array.from([1, 2, 3, 2, 3, 3, 1, 2]),
    oldLogp: new Float32Array(B * G * L),
    rewards: Float64Array.from([1, 0, 0, 1, 0, 0, 0, 1]),
  };
}

describe('rlvr-two-stage transformer: the sample-sign filter', () => {
  it('signKeep keeps A > 0 for −P, A < 0 for −N, everything for GRPO', () => {
    const adv = [0.5, -0.2, 0, 1e-9, -3];
    expect(Array.from(signKeep(adv, 'positive'))).toEqual([1, 0, 0, 1, 0]);
    expect(Array.from(signKeep(adv, 'negative'))).toEqual([0, 1, 0, 0, 1]);
    expect(Array.from(signKeep(adv, 'all'))).toEqual([1, 1, 1, 1, 1]);
  });

  for (const sign of ['positive', 'negative'] as const)
    it(`the ${sign}-only update's token weights are −1[kept]·A_i/(N·|o_i|) (GRPO's, other sign zeroed)`, () => {
      const r = batch();
      const N = r.B * r.G;
      const adv = recipeAdvantages(RECIPE, r, null).adv;
      // the GRPO advantage by hand: (r − mean)/(unbiased std + 1e-6) per group
      for (let b = 0; b < r.B; b++) {
        const g = Array.from(r.rewards.subarray(b * r.G, (b + 1) * r.G));
        const m = g.reduce((a, x) => a + x, 0) / r.G;
        const sd = Math.sqrt(g.reduce((a, x) => a + (x - m) ** 2, 0) / (r.G - 1));
        for (let i = 0; i < r.G; i++) expect(adv[b * r.G + i]).toBeCloseTo((g[i] - m) / (sd + 1e-6), 12);
      }
      const rec = new Recorder();
      const masked = new SignMaskedPolicy(rec);
      masked.rows = signKeep(adv, sign);
      policyUpdate(masked, RECIPE, r, null);
      const w = rec.w!;
      for (let i = 0; i < N; i++) {
        const kept = sign === 'positive' ? adv[i] > 0 : adv[i] < 0;
        for (let t = 0; t < r.L; t++) {
          const want = kept && t < r.lengths[i] ? -adv[i] / (N * r.lengths[i]) : 0;
          expect(w[i * r.L + t]).toBeCloseTo(want, 6);
        }
      }
    });
});

describe('rlvr-two-stage transformer: the signed loop and runSeed', () => {
  const base = reasoningBase(ADDITION_BASE).model;
  const copy = () => {
    const m = new TransformerLm(base.config, new Rng(0));
    m.load(base.snapshot());
    return m;
  };
  it("with every sample kept it is the trainer's trainRl with the same recipe, float for float", () => {
    const task = getTask('addition');
    const a = new LmPolicy(copy(), { lr: 1e-3, maxGradNorm: 1 });
    const b = new LmPolicy(copy(), { lr: 1e-3, maxGradNorm: 1 });
    const ra = trainSigned(
      a,
      task,
      { level: 3, updates: 2, batchPrompts: 2, groupSize: 4, sign: 'all' },
      new Rng(5).split('x'),
    );
    const rb = trainRl(
      b,
      task,
      { recipe: RECIPE, level: 3, updates: 2, batchPrompts: 2, groupSize: 4, lr: 1e-3 },
      new Rng(5).split('x'),
      null,
    );
    expect(ra.reward).toEqual(rb.reward);
    expect(Array.from(a.snapshot())).toEqual(Array.from(b.snapshot()));
    expect(Array.from(a.snapshot())).not.toEqual(Array.from(base.snapshot()));
  });

  const tiny: Config = {
    ...DEFAULTS,
    updates: 2,
    earlyAt: 1,
    batchPrompts: 2,
    groupSize: 4,
    evalProblems: 3,
    evalSamples: 8,
    passKs: [1, 4, 8],
  };
  const r = runSeed(tiny, 7);
  it('records pass@k of every model the notebook reads, consistent with the counts on the same problems', () => {
    for (const m of ['base', 'grpo-early', 'grpo', 'grpo-positive', 'grpo-negative']) {
      const counts = r.series![metricKey(m, 'L3:counts')];
      expect(counts.length).toBe(tiny.evalProblems);
      for (const c of counts) expect(Number.isInteger(c) && c >= 0 && c <= tiny.evalSamples).toBe(true);
      let prev = -1;
      for (const k of tiny.passKs) {
        const v = r.metrics[metricKey(m, `L3:pass@${k}`)];
        expect(v).toBeCloseTo(passAtKFromCounts(counts, tiny.evalSamples, k), 12);
        expect(v).toBeGreaterThanOrEqual(prev);
        prev = v;
      }
    }
    for (const m of tiny.methods) {
      expect(r.series![metricKey(m, 'reward')].length).toBe(tiny.updates);
      expect(r.timings![metricKey(m, 'updateMs')]).toBeGreaterThan(0);
    }
    // −P keeps only positive-advantage samples, −N only negative ones: never more than all B·G
    for (const k of r.series![metricKey('grpo-negative', 'kept')]) expect(k).toBeLessThanOrEqual(8);
  });
  it('is deterministic (same seed → identical metrics and series)', () => {
    const again = runSeed(tiny, 7);
    expect(again.metrics).toEqual(r.metrics);
    expect(again.series).toEqual(r.series);
  });
  it('evaluates the base model and the early checkpoint only in the run that trains GRPO', () => {
    const neg = runSeed({ ...tiny, methods: ['grpo-negative'] }, 7);
    expect(Object.keys(neg.metrics).some((k) => k.startsWith('base/') || k.startsWith('grpo-early/'))).toBe(false);
    // the same seed's −N run alone gives the same numbers as inside the three-method run
    expect(neg.series![metricKey('grpo-negative', 'L3:counts')]).toEqual(
      r.series![metricKey('grpo-negative', 'L3:counts')],
    );
  });
  it('rejects an unknown method and an early checkpoint outside the horizon', () => {
    expect(() => runSeed({ ...tiny, methods: ['nope' as never] }, 1)).toThrow(/unknown method/);
    expect(() => runSeed({ ...tiny, earlyAt: 3 }, 1)).toThrow(/earlyAt/);
  });
});
