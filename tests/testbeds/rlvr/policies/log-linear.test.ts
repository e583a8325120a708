/**
 * The shared-parameter log-linear answer policy (policies/log-linear.ts), its strategy-world problems
 * (env/strategy-world.ts) and its GRPO loop (loops/log-linear-grpo.ts): exact gradients against finite
 * differences, the curation and sampling variants, interference, and the error messages.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  strategyDim,
  strategyProblems,
  type StrategyWorldConfig,
} from '../../../../src/testbeds/rlvr/env/strategy-world';
import {
  batchDirection,
  batchSurrogate,
  sampleLogLinearBatch,
  trainLogLinear,
  type LogLinearBatch,
} from '../../../../src/testbeds/rlvr/loops/log-linear-grpo';
import { meanPassAtKExact } from '../../../../src/testbeds/rlvr/passk';
import {
  gradLogProb,
  gradLogSuccess,
  interference,
  logSuccess,
  makeProblemSet,
  policyProbs,
  rowProbs,
  successFromProbs,
} from '../../../../src/testbeds/rlvr/policies/log-linear';

const WORLD: StrategyWorldConfig = {
  nStrategies: 3,
  candidatesPerStrategy: 2,
  nTypes: 2,
  typeMainStrategy: [0, 1],
  mainStrategyProb: 0.7,
  popularity: [0, -1, -2],
  executionMean: 0.5,
  executionSd: 1,
  noiseSd: 0.5,
  nRandomFeatures: 4,
  randomFeatureScale: 1,
};

function smallSet(seed = 1, n = 5) {
  return strategyProblems(new Rng(seed), WORLD, n);
}

function randomTheta(d: number, seed = 7, scale = 0.8): Float64Array {
  const r = new Rng(seed);
  return Float64Array.from({ length: d }, () => r.normal(0, scale));
}

/** log π(a | q) at θ, from the logits (for finite differences). */
function logPi(set: ReturnType<typeof smallSet>, theta: Float64Array, q: number, a: number): number {
  const p = policyProbs(set, theta);
  return Math.log(p[q * set.nCandidates + a]);
}

function centralDiff(f: (t: Float64Array) => number, theta: Float64Array, h = 1e-5): Float64Array {
  const g = new Float64Array(theta.length);
  for (let j = 0; j < theta.length; j++) {
    const tp = Float64Array.from(theta);
    const tm = Float64Array.from(theta);
    tp[j] += h;
    tm[j] -= h;
    g[j] = (f(tp) - f(tm)) / (2 * h);
  }
  return g;
}

describe('rlvr log-linear shared-parameter policy', () => {
  it(
    'strategy problems have the documented layout (one-hot strategy and ' +
      'type×strategy features, one correct answer of the valid strategy)',
    () => {
      const set = smallSet(3, 20);
      const K = set.nCandidates;
      const d = set.dim;
      expect(K).toBe(6);
      expect(d).toBe(strategyDim(WORLD));
      for (let q = 0; q < set.nProblems; q++) {
        let nCorrect = 0;
        for (let a = 0; a < K; a++) {
          const s = Math.floor(a / 2);
          const o = (q * K + a) * d;
          expect(set.features[o + s]).toBe(1);
          expect(set.features[o + 3 + set.type[q] * 3 + s]).toBe(1);
          if (set.correct[q * K + a]) {
            nCorrect++;
            expect(s).toBe(set.validStrategy[q]);
          }
        }
        expect(nCorrect).toBe(1);
      }
    },
  );

  it('∇ log π(a|q) = φ(q,a) − φ̄_q matches central finite differences', () => {
    const set = smallSet();
    const theta = randomTheta(set.dim);
    const probs = policyProbs(set, theta);
    const g = new Float64Array(set.dim);
    for (const [q, a] of [
      [0, 0],
      [2, 3],
      [4, 5],
    ]) {
      gradLogProb(set, probs, q, a, g);
      const fd = centralDiff((t) => logPi(set, t, q, a), theta);
      for (let j = 0; j < set.dim; j++) expect(g[j]).toBeCloseTo(fd[j], 7);
    }
  });

  it('∇ log p_q = E_{π|correct}[φ] − φ̄_q matches central finite differences of logSuccess', () => {
    const set = smallSet(2, 6);
    const theta = randomTheta(set.dim, 11);
    const probs = policyProbs(set, theta);
    const g = new Float64Array(set.dim);
    for (let q = 0; q < set.nProblems; q++) {
      gradLogSuccess(set, probs, q, g);
      const fd = centralDiff((t) => logSuccess(set, t)[q], theta);
      for (let j = 0; j < set.dim; j++) expect(g[j]).toBeCloseTo(fd[j], 7);
    }
  });

  it('logSuccess equals log Σ_correct π and stays finite where p underflows', () => {
    const set = smallSet(4, 8);
    const theta = randomTheta(set.dim, 5);
    const p = successFromProbs(set, policyProbs(set, theta));
    const lp = logSuccess(set, theta);
    for (let q = 0; q < set.nProblems; q++) expect(lp[q]).toBeCloseTo(Math.log(p[q]), 10);
    // Two candidates, logit gap 800: p = e^{-800} underflows to 0 but log p = −800 (up to log(1 + e^{-800})).
    const ext = makeProblemSet(1, 2, 1, [1, 0], [0, 800], [1, 0]);
    expect(logSuccess(ext, [0])[0]).toBeCloseTo(-800, 9);
    expect(successFromProbs(ext, policyProbs(ext, [0]))[0]).toBe(0);
  });

  it('rowProbs equals the full softmax on the listed rows', () => {
    const set = smallSet(6, 7);
    const theta = randomTheta(set.dim, 3);
    const full = policyProbs(set, theta);
    const part = new Float64Array(full.length);
    rowProbs(set, theta, [1, 4], part);
    for (const q of [1, 4])
      for (let a = 0; a < set.nCandidates; a++)
        expect(part[q * set.nCandidates + a]).toBeCloseTo(full[q * set.nCandidates + a], 14);
  });
});

describe('rlvr log-linear GRPO: direction, curation, interference', () => {
  it('batchDirection is the gradient of the GRPO surrogate (1/N) Σ A_i log π(o_i|q_i) (finite differences)', () => {
    const set = smallSet(8, 6);
    const theta = randomTheta(set.dim, 9);
    const probs = policyProbs(set, theta);
    for (const method of ['grpo', 'grpo-uniform'] as const) {
      const batch = sampleLogLinearBatch(
        new Rng(1).split(method),
        set,
        probs,
        Int32Array.from([0, 2, 3, 5]),
        6,
        method,
      );
      expect(batch.advantages.some((v) => v !== 0)).toBe(true);
      const d = batchDirection(set, probs, batch);
      const fd = centralDiff((t) => batchSurrogate(set, t, batch), theta);
      for (let j = 0; j < set.dim; j++) expect(d[j]).toBeCloseTo(fd[j], 7);
    }
  });

  it('GRPO advantages are (r − r̄)/(unbiased std + ε) within each group and sum to zero', () => {
    const set = smallSet(9, 4);
    const probs = policyProbs(set, new Float64Array(set.dim));
    const b = sampleLogLinearBatch(new Rng(2), set, probs, Int32Array.from([0, 1, 2, 3]), 8, 'grpo');
    for (let g = 0; g < 4; g++) {
      const r = Array.from(b.rewards.slice(g * 8, g * 8 + 8));
      const m = r.reduce((s, v) => s + v, 0) / 8;
      const sd = Math.sqrt(r.reduce((s, v) => s + (v - m) ** 2, 0) / 7);
      for (let i = 0; i < 8; i++) expect(b.advantages[g * 8 + i]).toBeCloseTo((r[i] - m) / (sd + 1e-6), 10);
    }
  });

  it("SELF ('self') drops exactly the problems whose greedy answer is correct and keeps the nominal normaliser", () => {
    // Problem 0: correct answer is the most likely; problem 1: a wrong answer is the most likely.
    const set = makeProblemSet(2, 3, 1, [0, 0, 0, 0, 0, 0], [2, 0, 0, 0, 2, 0], [1, 0, 0, 1, 0, 0]);
    const probs = policyProbs(set, [0]);
    const b = sampleLogLinearBatch(new Rng(3), set, probs, Int32Array.from([0, 1]), 4, 'self');
    expect(Array.from(b.problems)).toEqual([1]);
    expect(b.dropped).toBe(1);
    expect(b.normaliser).toBe(8);
    const g = sampleLogLinearBatch(new Rng(3), set, probs, Int32Array.from([0, 1]), 4, 'grpo');
    expect(Array.from(g.problems)).toEqual([0, 1]);
  });

  it("'grpo-uniform' samples candidates uniformly whatever the policy (chi-square on 12k draws)", () => {
    const set = makeProblemSet(1, 4, 1, [0, 0, 0, 0], [5, 0, 0, 0], [1, 0, 0, 0]);
    const probs = policyProbs(set, [0]);
    const counts = [0, 0, 0, 0];
    const r = new Rng(5);
    for (let i = 0; i < 1000; i++) {
      const b = sampleLogLinearBatch(r, set, probs, Int32Array.from([0]), 12, 'grpo-uniform');
      for (const a of b.actions) counts[a]++;
    }
    const e = 12000 / 4;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(16.27); // χ²(3) 0.999 quantile
  });

  it('interference equals its first-order formula η⟨∇log p_q, d⟩ up to O(η²)', () => {
    const set = smallSet(12, 10);
    const theta = randomTheta(set.dim, 13, 0.5);
    const probs = policyProbs(set, theta);
    const batch = sampleLogLinearBatch(new Rng(4), set, probs, Int32Array.from([0, 1, 2, 3]), 8, 'grpo');
    const d = batchDirection(set, probs, batch);
    const err = (eta: number) => {
      const r = interference(set, theta, d, eta);
      let e = 0;
      let s = 0;
      for (let q = 0; q < set.nProblems; q++) {
        e += Math.abs(r.exact[q] - r.firstOrder[q]);
        s += Math.abs(r.firstOrder[q]);
      }
      return { e, s };
    };
    const a = err(1e-3);
    const b = err(5e-4);
    expect(a.s).toBeGreaterThan(0);
    expect(a.e / a.s).toBeLessThan(1e-2);
    // Halving η divides the second-order remainder by about 4.
    expect(a.e / b.e).toBeGreaterThan(3.5);
    expect(a.e / b.e).toBeLessThan(4.5);
    // The first-order term is linear in η.
    const r1 = interference(set, theta, d, 1e-3);
    const r2 = interference(set, theta, d, 2e-3);
    for (let q = 0; q < set.nProblems; q++) expect(r2.firstOrder[q]).toBeCloseTo(2 * r1.firstOrder[q], 14);
  });

  it(
    'a training step changes problems outside the batch (shared ' +
      'θ): exact Δ log p of a held-out problem is non-zero',
    () => {
      const set = smallSet(14, 6);
      const held = strategyProblems(new Rng(99), WORLD, 6);
      let seen = false;
      trainLogLinear(
        set,
        new Float64Array(set.dim),
        { method: 'grpo', steps: 5, lr: 1, batchProblems: 3, groupSize: 8 },
        new Rng(6),
        (s) => {
          const r = interference(held, s.thetaBefore, s.direction, 1);
          if (r.exact.some((v) => Math.abs(v) > 1e-6)) seen = true;
        },
      );
      expect(seen).toBe(true);
    },
  );
});

describe('rlvr log-linear policy: errors', () => {
  it('says what is wrong', () => {
    expect(() => makeProblemSet(1, 2, 1, [0, 0], [0, 0], [0, 0])).toThrow(/problem 0 has no correct candidate/);
    expect(() => makeProblemSet(1, 2, 1, [0, 0], [0, 0], [1, 1])).toThrow(/only correct candidates/);
    expect(() => makeProblemSet(1, 2, 2, [0, 0], [0, 0], [1, 0])).toThrow(/features has 2 entries, expected .* = 4/);
    const set = smallSet();
    expect(() => logSuccess(set, [0, 1])).toThrow(/θ has 2 entries, the problem set's features have dim/);
    const probs = policyProbs(set, new Float64Array(set.dim));
    expect(() => sampleLogLinearBatch(new Rng(1), set, probs, Int32Array.from([0]), 1, 'grpo')).toThrow(
      /groupSize must be an integer ≥ 2/,
    );
    expect(() => sampleLogLinearBatch(new Rng(1), set, probs, Int32Array.from([0]), 4, 'ppo' as never)).toThrow(
      /unknown method 'ppo'/,
    );
    expect(() =>
      trainLogLinear(
        set,
        new Float64Array(set.dim),
        { method: 'grpo', steps: 1, lr: 1, batchProblems: 50, groupSize: 4 },
        new Rng(1),
      ),
    ).toThrow(/batchProblems must be an integer in \[1, 5\]/);
    expect(() => strategyProblems(new Rng(1), { ...WORLD, typeMainStrategy: [0] }, 3)).toThrow(
      /typeMainStrategy has 1 entries for nTypes = 2/,
    );
    expect(() => meanPassAtKExact([0.5], 3, [0])).toThrow(/mask selects no problem/);
    const one = makeProblemSet(1, 2, 1, [1, 0], [0, 800], [1, 0]);
    expect(() => gradLogSuccess(one, policyProbs(one, [0]), 0, new Float64Array(1))).toThrow(/underflowed/);
    const batch: LogLinearBatch = {
      problems: Int32Array.from([0]),
      G: 2,
      actions: Int32Array.from([0, 1]),
      rewards: Float64Array.from([1, 0]),
      advantages: Float64Array.from([1, -1]),
      normaliser: 2,
      dropped: 0,
    };
    expect(() => interference(set, new Float64Array(set.dim), [1], 0.1)).toThrow(/direction has 1 entries/);
    expect(batchSurrogate(one, [0], batch)).toBeLessThan(0);
  });
});
