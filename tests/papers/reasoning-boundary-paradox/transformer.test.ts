/**
 * The reasoning-boundary experiment on the transformer reasoning testbed: SELF's selection against its definition
 * (greedy reward ≠ 1), the reference-solution log-likelihood against a per-problem unpadded forward, and runSeed on
 * a tiny base model: every key the notebook reads, pass@k consistent with the counts, Δ log p consistent with the
 * recorded log-likelihoods, and a bit-identical rerun.
 */
import { describe, expect, it } from 'vitest';
import { useTempModelsDir } from '../../helpers';
import { Rng } from '../../../src/core/rng';
import { metricKey } from '../../../src/core/metric-keys';
import { TransformerLm } from '../../../src/nn/transformer-lm';
import { getTask } from '../../../src/testbeds/reasoning/tasks/registry';
import { distinctProblems } from '../../../src/testbeds/reasoning/tasks/splits';
import { VOCAB_SIZE } from '../../../src/testbeds/reasoning/tasks/vocab';
import { passAtKFromCounts } from '../../../src/testbeds/reasoning/trainer/loop';
import { LmPolicy, type Completions, type RlPolicy } from '../../../src/testbeds/reasoning/trainer/policy';
import { greedyWrongIndices, selfCuratedProblems } from '../../../src/papers/reasoning-boundary-paradox/self-curation';
import {
  DEFAULTS,
  PAPER_GRPO,
  checkConfig,
  referenceLogLikelihood,
  runSeed,
  type Config,
} from '../../../src/papers/reasoning-boundary-paradox/transformer';

const task = getTask('addition');

describe('SELF curation (official RayMaxPPOTrainer: keep prompts whose greedy reward != 1)', () => {
  it('keeps exactly the indices with greedy reward different from 1', () => {
    expect(greedyWrongIndices([1, 0, 1, 0.5, 0])).toEqual([1, 3, 4]);
    expect(greedyWrongIndices([1, 1])).toEqual([]);
    expect(greedyWrongIndices(Float64Array.from([0, 0, 0]))).toEqual([0, 1, 2]);
  });

  it('drops the problems a (stub) policy solves greedily and asks for greedy decoding', () => {
    const problems = distinctProblems(task, 3, 2, 'heldout', 6);
    const L = 40;
    const modes: boolean[] = [];
    // Greedy answer = the reference for even problems, an empty completion (wrong) for odd ones.
    const stub: RlPolicy = {
      sample(prompts, N, P, Lc, _rng, o): Completions {
        modes.push(!!o.greedy);
        const tokens = new Int32Array(N * Lc).fill(o.pad);
        const lengths = new Int32Array(N);
        for (let i = 0; i < N; i++) {
          if (i % 2 === 0) {
            tokens.set(problems[i].reference, i * Lc);
            lengths[i] = problems[i].reference.length;
          } else {
            tokens[i * Lc] = o.eos;
            lengths[i] = 1;
          }
        }
        return { N, L: Lc, tokens, lengths, logp: new Float32Array(N * Lc) };
      },
      score: () => {
        throw new Error('not used');
      },
      backward: () => undefined,
      step: () => 0,
      snapshot: () => new Float32Array(0),
    };
    const kept = selfCuratedProblems(stub, task, problems, L);
    expect(modes).toEqual([true]);
    expect(kept).toEqual([problems[1], problems[3], problems[5]]);
  });
});

describe('referenceLogLikelihood', () => {
  it('equals the sum of the teacher-forced log-probabilities of each reference, computed row by row unpadded', () => {
    const model = new TransformerLm(
      { vocab: VOCAB_SIZE, context: 64, layers: 1, dModel: 16, heads: 2, mlp: 32 },
      new Rng(5),
    );
    const policy = new LmPolicy(model, { lr: 1 });
    // level-1 problems have answers of 1 or 2 digits, so the references differ in length (padding is exercised)
    const problems = distinctProblems(task, 11, 1, 'train', 12);
    expect(new Set(problems.map((p) => p.reference.length)).size).toBeGreaterThan(1);
    const got = referenceLogLikelihood(policy, problems);
    problems.forEach((p, i) => {
      const P = p.prompt.length,
        T = P + p.reference.length;
      const seq = new Int32Array(T);
      seq.set(p.prompt);
      seq.set(p.reference, P);
      const f = model.forward(seq, 1, T, P - 1);
      let s = 0;
      for (let t = 0; t < p.reference.length; t++) s += f.logp[t];
      expect(got[i]).toBeCloseTo(s, 4);
      expect(got[i]).toBeLessThan(0);
    });
  });
});

describe('runSeed on a tiny base model', () => {
  useTempModelsDir('rlmini-rbp-transformer-');
  const tiny: Config = {
    ...DEFAULTS,
    base: {
      ...DEFAULTS.base,
      model: { context: 64, layers: 1, dModel: 16, heads: 2, mlp: 32 },
      steps: 4,
      batch: 8,
    },
    updates: 3,
    batchPrompts: 3,
    groupSize: 3,
    evalProblems: 4,
    evalSamples: 6,
    passKs: [1, 3, 6],
    likelihoodProblems: 9,
    probeSamples: 5,
    interferenceEvery: 1,
  };
  let r: ReturnType<typeof runSeed>;
  it('returns every key the notebook reads, consistent with the recorded counts and log-likelihoods', () => {
    r = runSeed(tiny, 4);
    const s = r.series!;
    for (const m of ['base', ...tiny.methods]) {
      const counts = s[metricKey(m, 'heldout:counts')];
      expect(counts.length).toBe(tiny.evalProblems);
      let prev = -1;
      for (const k of tiny.passKs) {
        const v = r.metrics[metricKey(m, `heldout:pass@${k}`)];
        expect(v).toBeCloseTo(passAtKFromCounts(counts, tiny.evalSamples, k), 12);
        expect(v).toBeGreaterThanOrEqual(prev);
        prev = v;
        for (const t of ['low', 'high'])
          expect(Number.isFinite(r.metrics[metricKey(m, `heldout:pass@${k}:${t}`)])).toBe(true);
      }
      expect(s[metricKey(m, 'heldout:logp')].length).toBe(tiny.likelihoodProblems);
      const wide = s[metricKey(m, 'probe:counts')];
      expect(wide.length).toBe(tiny.likelihoodProblems);
      expect(r.metrics[metricKey(m, 'probe:pass@1')]).toBeCloseTo(
        wide.reduce((a, v) => a + v, 0) / (tiny.probeSamples * tiny.likelihoodProblems),
        12,
      );
      for (const t of ['low', 'high']) expect(Number.isFinite(r.metrics[metricKey(m, `probe:pass@1:${t}`)])).toBe(true);
    }
    const base = s['base/heldout:logp'];
    for (const m of tiny.methods) {
      const after = s[metricKey(m, 'heldout:logp')];
      const all = after.reduce((a, v, i) => a + v - base[i], 0) / base.length;
      expect(r.metrics[metricKey(m, 'heldout:dlogp:all')]).toBeCloseTo(all, 9);
      // bottom third of 9 problems by base log-likelihood: the 3 smallest
      const low = [...base.keys()].sort((a, b) => base[a] - base[b]).slice(0, 3);
      const dLow = low.reduce((a, i) => a + after[i] - base[i], 0) / 3;
      expect(r.metrics[metricKey(m, 'heldout:dlogp:low')]).toBeCloseTo(dLow, 9);
      for (const key of [
        'interf:low',
        'interf:high',
        'interf:all',
        'interf:negFrac',
        'keptFraction',
        'heldout:fracDown:low',
      ])
        expect(Number.isFinite(r.metrics[metricKey(m, key)])).toBe(true);
      expect(s[metricKey(m, 'kept')].length).toBe(tiny.updates);
    }
    expect(r.metrics['grpo/keptFraction']).toBe(1);
    expect(r.metrics['self/keptFraction']).toBeGreaterThanOrEqual(0);
    expect(r.metrics['self/keptFraction']).toBeLessThanOrEqual(1);
  });
  it('is deterministic (same seed, same numbers)', () => {
    const again = runSeed(tiny, 4);
    expect(again.metrics).toEqual(r.metrics);
    expect(again.series).toEqual(r.series);
  });
  it("uses the paper scripts' GRPO (token-mean, no KL) and rejects bad configurations", () => {
    expect(PAPER_GRPO.advantage).toBe('grpo');
    expect(PAPER_GRPO.aggregation).toBe('token-mean');
    expect(PAPER_GRPO.kl.kind).toBe('none');
    expect(() => checkConfig({ ...tiny, likelihoodProblems: 2 })).toThrow(/likelihoodProblems/);
    expect(() => checkConfig({ ...tiny, passKs: [1, 7] })).toThrow(/passKs/);
    expect(() => checkConfig({ ...tiny, methods: ['nope' as never] })).toThrow(/methods/);
    expect(() => checkConfig({ ...tiny, probeSamples: 0 })).toThrow(/probeSamples/);
  });
});
