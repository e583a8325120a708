/**
 * The R^3 miniature (src/papers/r-3/experiment.ts): the structural-entropy score and ranking reward (analytic values,
 * ties, bounds), cross-context replay on a constructed batch (what is replaced, with which log-probabilities), the
 * zero-advantage share, and a tiny seed of the pipeline: deterministic, every key present, replay reduces to GRPO
 * when the history is empty, bad configs refused.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  METHOD_NAMES,
  ReplayBuffer,
  entropyProfileScore,
  rankingRewards,
  replayInto,
  runSeed,
  zeroAdvantageShare,
  type Config,
} from '../../../src/papers/r-3/experiment';
import type { Rollouts } from '../../../src/testbeds/reasoning/trainer/update';

/** B groups of G completions of L = 2 tokens; row i's tokens are (10 + i, 20 + i), log-probabilities −(i + 1). */
function batch(rewards: number[], B: number, G: number): Rollouts {
  const P = 1,
    L = 2,
    T = P + L;
  const N = B * G;
  const seq = new Int32Array(N * T);
  const oldLogp = new Float32Array(N * L);
  for (let i = 0; i < N; i++) {
    seq.set([1, 10 + i, 20 + i], i * T);
    oldLogp.set([-(i + 1), -(i + 1)], i * L);
  }
  return { B, G, P, L, seq, lengths: new Int32Array(N).fill(2), oldLogp, rewards: Float64Array.from(rewards) };
}

describe('structural-entropy ranking reward', () => {
  it('score = max − mean over the answer only', () => {
    expect(entropyProfileScore([0.1, 0.7, 0.1, 9], 3)).toBeCloseTo(0.7 - 0.3, 12);
    expect(entropyProfileScore([0.5, 0.5], 2)).toBe(0);
    expect(entropyProfileScore([], 0)).toBe(0);
  });
  it('ranks failed answers within their group, ties share the mean rank, correct answers keep 1', () => {
    // group 0: one correct, three failed with scores 3, 1, 2; group 1: four failed, two tied
    const r = rankingRewards([1, 0, 0, 0, 0, 0, 0, 0], [9, 3, 1, 2, 5, 5, 0, 7], 2, 4, 0.2);
    expect(r[0]).toBe(1);
    expect([r[1], r[2], r[3]].map((x) => +x.toFixed(12))).toEqual([0.2, 0, 0.1]);
    // ranks of (5, 5, 0, 7): 0 → 0, the tied 5s → (1 + 2)/2, 7 → 3; δ·rank/3
    expect([r[4], r[5], r[6], r[7]].map((x) => +x.toFixed(12))).toEqual([0.1, 0.1, 0, 0.2]);
  });
  it('a lone failure gets 0; an all-correct group is unchanged; rewards stay below a correct answer', () => {
    expect(Array.from(rankingRewards([1, 1, 0, 1, 1, 1], [1, 2, 3, 4, 5, 6], 2, 3, 0.5))).toEqual([1, 1, 0, 1, 1, 1]);
    const r = rankingRewards([0, 0, 0, 0], [4, 3, 2, 1], 1, 4, 0.99);
    expect(Math.max(...r)).toBeLessThan(1);
  });
  it('refuses a top value outside (0, 1)', () => {
    expect(() => rankingRewards([0, 0], [1, 2], 1, 2, 1)).toThrow(/top value must lie in \(0, 1\)/);
    expect(() => rankingRewards([0, 0], [1, 2], 1, 2, 0)).toThrow(/top value/);
  });
  it('turns a collapsed all-wrong group into one with advantages (the zero-advantage share drops)', () => {
    expect(zeroAdvantageShare(Float64Array.from([0, 0, 0, 0, 1, 0, 1, 1]), 2, 4)).toBe(0.5);
    const ranked = rankingRewards([0, 0, 0, 0, 1, 0, 1, 1], [1, 2, 3, 4, 0, 0, 0, 0], 2, 4, 0.2);
    expect(zeroAdvantageShare(ranked, 2, 4)).toBe(0);
  });
});

describe('cross-context replay', () => {
  it('replaces the last answer of a collapsed group by the stored answer of the other outcome', () => {
    const ids = [7, 3, 5];
    const hist = batch([1, 0, 0, 0, 1, 1], 3, 2); // step 1: prompt 7 solved once, prompt 3 failed, prompt 5 solved
    const buf = new ReplayBuffer();
    buf.store(
      hist,
      ids,
      new Float32Array(12).map((_, j) => j / 10),
      1,
    );
    expect(buf.correct.get(7)!.tokens).toEqual(Int32Array.from([10, 20]));
    expect(buf.failed.has(5)).toBe(false);
    // step 2: prompt 7 all wrong (replay its success), prompt 3 mixed (untouched), prompt 5 all correct (no failure
    // stored: missed)
    const now = batch([0, 0, 1, 0, 1, 1], 3, 2);
    const ent = new Float32Array(12);
    const before = now.seq.slice();
    const out = replayInto(now, ent, ids, buf);
    expect(out).toEqual({ replayed: [0], missed: 1 });
    expect(Array.from(now.rewards)).toEqual([0, 1, 1, 0, 1, 1]);
    expect(Array.from(now.seq.subarray(3, 6))).toEqual([1, 10, 20]); // row 1 now holds step 1's row 0
    expect(Array.from(now.oldLogp.subarray(2, 4))).toEqual([-1, -1]); // with its own sampling log-probabilities
    expect(Array.from(ent.subarray(2, 4)).map((x) => +x.toFixed(6))).toEqual([0, 0.1]);
    expect(now.seq.subarray(6)).toEqual(before.subarray(6)); // the other groups are untouched
  });
});

describe('runSeed (tiny)', () => {
  const tiny: Config = {
    ...DEFAULTS,
    poolSize: 8,
    rollouts: 2,
    batchPrompts: 4,
    groupSize: 4,
    miniBatches: 2,
    evalProblems: 4,
    evalSamples: 4,
    passKs: [1, 4],
  };
  it('is deterministic and reports every method and metric', () => {
    const a = runSeed(tiny, 3);
    const b = runSeed(tiny, 3);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.series).toEqual(b.series);
    for (const me of ['base', ...METHOD_NAMES]) expect(Number.isFinite(a.metrics[`${me}/L3:pass@1`])).toBe(true);
    for (const me of METHOD_NAMES) {
      expect(a.series![`${me}/reward`]).toHaveLength(2);
      expect(a.metrics[`${me}/zeroAdv`]).toBeLessThanOrEqual(a.metrics[`${me}/collapsed`] + 1e-12);
    }
    // equal sampled-completion budgets: every method draws the same prompts at step 1 with the same sampler
    expect(a.series!['GRPO-replay/reward'][0]).toBe(a.series!['GRPO/reward'][0]);
  });
  it('replay reduces to GRPO while the history is empty (one rollout step)', () => {
    const one = runSeed({ ...tiny, rollouts: 1, methods: ['GRPO', 'GRPO-replay'] }, 5);
    expect(one.metrics['GRPO-replay/replayed']).toBe(0);
    expect(one.metrics['GRPO-replay/L3:pass@1']).toBe(one.metrics['GRPO/L3:pass@1']);
    expect(one.series!['GRPO-replay/L3:counts']).toEqual(one.series!['GRPO/L3:counts']);
  });
  it('refuses bad configs', () => {
    expect(() => runSeed({ ...tiny, methods: ['PPO'] }, 1)).toThrow(/unknown method "PPO"/);
    expect(() => runSeed({ ...tiny, rankTop: 1.5 }, 1)).toThrow(/rankTop must lie in \(0, 1\)/);
    expect(() => runSeed({ ...tiny, batchPrompts: 16 }, 1)).toThrow(/exceeds the pool's 8 prompts/);
  });
});
