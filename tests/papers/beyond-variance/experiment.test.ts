/**
 * beyond-variance's experiment (src/papers/beyond-variance/experiment.ts): the two selection rules on hand-made
 * candidates (bands, variance order, random tie-breaks, empty bands), and a tiny run that is bit-identical on rerun,
 * writes every method's keys with one series entry per step, gives the recorded pass@k from its counts, and picks the
 * pair within its bands; bad configurations fail by name.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import type { Problem } from '../../../src/testbeds/reasoning/tasks/task';
import { passAtKFromCounts } from '../../../src/testbeds/reasoning/trainer/loop';
import {
  DEFAULTS,
  METHOD_NAMES,
  checkConfig,
  runSeed,
  selectByVariance,
  selectPair,
  type Candidate,
  type Config,
} from '../../../src/papers/beyond-variance/experiment';

const cand = (id: number, successes: number, n = 16): Candidate => ({
  problem: { task: 'addition', level: 2, prompt: Int32Array.of(id) } as unknown as Problem,
  successes,
  n,
});

describe('selection rules', () => {
  const pool = [0, 1, 2, 3, 5, 8, 9, 12, 14, 15, 16].map((s, i) => cand(i, s));
  it('the pair: q+ with 1..c successes, q− with M − c..M − 1', () => {
    for (let s = 0; s < 30; s++) {
      const { plus, minus } = selectPair(pool, 3, new Rng(s));
      expect(plus.successes).toBeGreaterThanOrEqual(1);
      expect(plus.successes).toBeLessThanOrEqual(3);
      expect(minus.successes).toBeGreaterThanOrEqual(13);
      expect(minus.successes).toBeLessThanOrEqual(15);
    }
  });
  it('the pair: throws when a band is empty', () => {
    expect(() => selectPair([cand(0, 0), cand(1, 14)], 3, new Rng(1))).toThrow(/hard-but-solvable/);
    expect(() => selectPair([cand(0, 2), cand(1, 16)], 3, new Rng(1))).toThrow(/easy-but-brittle/);
  });
  it('variance: the two p̂ closest to ½, ties broken at random', () => {
    const [a, b] = selectByVariance(pool, new Rng(1));
    expect([a.successes, b.successes].sort((x, y) => x - y)).toEqual([8, 9]);
    const ties = [cand(0, 8), cand(1, 8), cand(2, 8), cand(3, 1)];
    const seen = new Set<number>();
    for (let s = 0; s < 40; s++) {
      const [x, y] = selectByVariance(ties, new Rng(s));
      expect(x.successes).toBe(8);
      expect(y.successes).toBe(8);
      seen.add(x.problem.prompt[0]);
    }
    expect(seen.size).toBe(3);
  });
});

const tiny: Config = {
  ...DEFAULTS,
  poolPerLevel: 24,
  measureSamples: 8,
  bandCount: 3,
  steps: 2,
  groupSize: 4,
  evalProblems: 4,
  evalSamples: 4,
  passKs: [1, 4],
  trainPromptSamples: 4,
};

describe('runSeed (tiny)', () => {
  it('is deterministic and writes every method’s keys', () => {
    const a = runSeed(tiny, 3),
      b = runSeed(tiny, 3);
    expect(a.metrics).toEqual(b.metrics);
    expect(a.series).toEqual(b.series);
    for (const m of ['base', ...METHOD_NAMES])
      for (const l of tiny.levels) {
        const counts = a.series![`${m}/L${l}:counts`];
        expect(counts).toHaveLength(tiny.evalProblems);
        expect(a.metrics[`${m}/L${l}:pass@1`]).toBeCloseTo(passAtKFromCounts(counts, 4, 1), 12);
      }
    for (const m of METHOD_NAMES) {
      expect(a.series![`${m}/reward0`]).toHaveLength(tiny.steps);
      expect(a.series![`${m}/zeroGrad`]).toHaveLength(tiny.steps);
      expect(`${m}/trainFinal0` in a.metrics).toBe(m !== 'pool');
    }
    const M = tiny.measureSamples,
      c = tiny.bandCount;
    expect(a.metrics['pair/pPlus']).toBeGreaterThanOrEqual(1 / M);
    expect(a.metrics['pair/pPlus']).toBeLessThanOrEqual(c / M);
    expect(a.metrics['pair/pMinus']).toBeGreaterThanOrEqual(1 - c / M);
    expect(a.metrics['pair/pMinus']).toBeLessThanOrEqual(1 - 1 / M);
    const v = (p: number) => p * (1 - p);
    const all = tiny.levels.flatMap((l) => a.series![`measure/L${l}:counts`].map((k) => k / M));
    const best = Math.max(...all.map(v));
    expect(v(a.metrics['variance/p0'])).toBeCloseTo(best, 12);
  }, 60_000);
});

describe('config checks', () => {
  it('names the bad field', () => {
    expect(() => checkConfig({ ...tiny, methods: ['nope'] })).toThrow(/unknown method "nope"/);
    expect(() => checkConfig({ ...tiny, steps: 0 })).toThrow(/steps must be a positive integer/);
    expect(() => checkConfig({ ...tiny, bandCount: 4 })).toThrow(/bandCount/);
    expect(() => checkConfig({ ...tiny, passKs: [8] })).toThrow(/pass@k/);
  });
});
