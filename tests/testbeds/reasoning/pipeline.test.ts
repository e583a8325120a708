/**
 * The shared DAPO-style pipeline (src/testbeds/reasoning/trainer/pipeline.ts): `chunks` (sizes, no empty chunk,
 * order), `mixedGroups` on a hand-made batch, `EntropyTap` against a hand computation, dynamic sampling in
 * `trainPipeline` (stops after `maxRounds` draws or once B groups are kept, extras dropped, no step without a kept
 * group), bit-identical reruns, the first mini-batch on-policy (ratios exactly 1: nothing clipped even at ε = 1e-12,
 * while a later mini-batch is), and the seed scaffolding's held-out metrics.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { ADDITION_BASE } from '../../../src/testbeds/reasoning/base-model';
import { completionBudget, sampleRollouts } from '../../../src/testbeds/reasoning/trainer/loop';
import {
  EntropyTap,
  chunks,
  mixedGroups,
  miniBatchSteps,
  seedRun,
  trainPipeline,
  type PipelineConfig,
} from '../../../src/testbeds/reasoning/trainer/pipeline';
import type { Completions, RlPolicy, Scored } from '../../../src/testbeds/reasoning/trainer/policy';
import { RECIPES, type Recipe } from '../../../src/testbeds/reasoning/trainer/recipes';
import type { Rollouts } from '../../../src/testbeds/reasoning/trainer/update';

const GRPO: Recipe = { ...RECIPES.grpo, kl: { kind: 'none' } };

describe('chunks', () => {
  it('splits into min(m, n) consecutive chunks whose sizes differ by at most one, none empty, order kept', () => {
    for (let n = 1; n <= 13; n++)
      for (let m = 1; m <= 6; m++) {
        const xs = Array.from({ length: n }, (_, i) => 10 * i);
        const cs = chunks(xs, m);
        expect(cs).toHaveLength(Math.min(m, n));
        const sizes = cs.map((c) => c.length);
        expect(Math.min(...sizes)).toBeGreaterThan(0);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(cs.flat()).toEqual(xs);
      }
    expect(chunks([1, 2, 3, 4, 5, 6, 7], 3)).toEqual([
      [1, 2, 3],
      [4, 5],
      [6, 7],
    ]);
    expect(chunks([], 3)).toEqual([[]]);
  });
});

describe('mixedGroups', () => {
  it('returns the groups whose rewards are not all equal, in order', () => {
    // B = 4 groups of G = 3: all wrong, mixed (last differs), all right, mixed (first differs).
    const r = { B: 4, G: 3, rewards: Float64Array.from([0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 0, 0]) };
    expect(mixedGroups(r)).toEqual([1, 3]);
    expect(mixedGroups({ B: 1, G: 1, rewards: [1] })).toEqual([]);
  });
});

/** A sampler that returns fixed completions (N = 2 rows, L = 3). */
class FixedSampler implements RlPolicy {
  constructor(readonly entropy: Float32Array | undefined) {}
  sample(): Completions {
    return {
      N: 2,
      L: 3,
      tokens: new Int32Array(6),
      logp: new Float32Array(6),
      lengths: Int32Array.from([2, 3]),
      entropy: this.entropy,
    };
  }
  score(): Scored {
    throw new Error('not used');
  }
  backward(): void {}
  step(): number {
    return 0;
  }
  snapshot(): Float32Array {
    return new Float32Array(0);
  }
}

describe('EntropyTap', () => {
  it('averages the sampling entropy over generated tokens only (padding after a row’s end ignored)', () => {
    const h = Float32Array.from([0.5, 1.5, 99, 0.25, 0.75, 2]);
    const tap = new EntropyTap(new FixedSampler(h));
    expect(tap.mean()).toBeNaN();
    const args = [new Int32Array(0), 2, 0, 3, new Rng(1), { eos: 0, pad: 0 }] as const;
    tap.sample(...args);
    tap.sample(...args);
    const perDraw = h[0] + h[1] + h[3] + h[4] + h[5];
    expect(tap.tokens).toBe(10);
    expect(tap.rows).toBe(4);
    expect(tap.mean()).toBeCloseTo((2 * perDraw) / 10, 12);
    tap.reset();
    expect(tap.mean()).toBeNaN();
    expect(() => new EntropyTap(new FixedSampler(undefined)).sample(...args)).toThrow(/no sampling entropies/);
  });
});

describe('trainPipeline and miniBatchSteps on the tiny transformer', () => {
  const run = seedRun({ base: ADDITION_BASE, level: 2, evalProblems: 6, evalSamples: 4, passKs: [1, 4] }, 3, 'test');
  const c: PipelineConfig = { level: 2, rollouts: 4, batchPrompts: 4, groupSize: 2, maxRounds: 3, miniBatches: 2 };

  it('dynamic sampling: draws until B mixed groups are kept or maxRounds draws, keeps the first B', () => {
    // Mixed groups per draw, by rollout step: step 1 one per draw (stops at maxRounds with 3 kept); step 2 all four in
    // the first draw (no second draw); step 3 three then three (stops after two draws, 4 kept, extras dropped);
    // step 4 none in any draw (no step taken).
    const script = [[1, 1, 1], [4], [3, 3], [0, 0, 0]];
    const draws: number[][] = script.map(() => []);
    const policy = run.policy(1e-4);
    let step = -1;
    const cv = trainPipeline(policy, run.task, GRPO, c, new Rng(11), {
      draw: (problems, L, rng, round) => {
        if (round === 0) step++;
        const r = sampleRollouts(policy, run.task, problems, c.groupSize, L, rng);
        const mixed = script[step][round];
        draws[step].push(mixed);
        // The first `mixed` groups get rewards (1, 0), the others (0, 0).
        r.rewards = Float64Array.from({ length: r.B * r.G }, (_, i) => (i % 2 === 0 && i / 2 < mixed ? 1 : 0));
        return r;
      },
    });
    expect(draws).toEqual(script);
    expect(cv.kept).toEqual([3, 4, 4, 0]);
    expect(cv.sampled).toEqual([12, 4, 8, 12]);
    expect(cv.reward).toEqual([1 / 8, 4 / 8, 3 / 8, 0]);
    expect(cv.clipFraction[3]).toBeNaN();
    for (const f of cv.clipFraction.slice(0, 3)) expect(f).toBeGreaterThanOrEqual(0);
  });

  it('is deterministic: a rerun from the same generator is bit-identical (curves and weights)', () => {
    const once = () => {
      const policy = run.policy(1e-3);
      const cv = trainPipeline(policy, run.task, GRPO, c, new Rng(5), {
        draw: (problems, L, rng) => sampleRollouts(policy, run.task, problems, c.groupSize, L, rng),
      });
      return { cv, w: policy.snapshot() };
    };
    const a = once(),
      b = once();
    expect(b.cv).toEqual(a.cv);
    expect(Buffer.from(b.w.buffer).equals(Buffer.from(a.w.buffer))).toBe(true);
    expect(Buffer.from(a.w.buffer).equals(Buffer.from(run.base.snapshot().buffer))).toBe(false);
  });

  it('the first mini-batch is on-policy (ratios exactly 1: nothing clipped at ε = 1e-12), a later one is not', () => {
    const tight: Recipe = { ...GRPO, clipping: { kind: 'symmetric', eps: 1e-12 } };
    const batchOf = (policy: RlPolicy): Rollouts => {
      const r = sampleRollouts(policy, run.task, run.heldout, 4, completionBudget(run.task, 2), new Rng(2));
      r.rewards = Float64Array.from({ length: r.B * r.G }, (_, i) => (i % 2 === 0 ? 1 : 0));
      return r;
    };
    const p1 = run.policy(1e-3);
    const one = miniBatchSteps(p1, tight, batchOf(p1), 1, new Rng(3));
    expect(one).toEqual({ clipFraction: 0, steps: 1 });
    const p2 = run.policy(1e-3);
    const two = miniBatchSteps(p2, tight, batchOf(p2), 2, new Rng(3));
    expect(two.steps).toBe(2);
    expect(two.clipFraction).toBeGreaterThan(0);
  });

  it('seedRun: held-out pass@k from the counts, entropy, and the record', () => {
    const r = seedRun({ base: ADDITION_BASE, level: 2, evalProblems: 6, evalSamples: 4, passKs: [1, 4] }, 3, 'test', {
      entropy: true,
    });
    r.evaluate('base', r.policy(1));
    const counts = r.series['base/L2:counts'];
    expect(counts).toHaveLength(6);
    expect(r.metrics['base/L2:pass@1']).toBeCloseTo(counts.reduce((a, b) => a + b, 0) / 24, 12);
    expect(r.metrics['base/L2:pass@4']).toBeCloseTo(counts.filter((n) => n > 0).length / 6, 12);
    expect(r.metrics['base/evalEntropy']).toBeGreaterThan(0);
    expect(r.result()).toEqual({ metrics: r.metrics, series: r.series, timings: r.timings });
    expect(Object.keys(r.timings)).toEqual(['base/evalMs']);
  });
});
