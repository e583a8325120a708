import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  A_ADD,
  A_ANSWER,
  A_REPEAT,
  N_ACTIONS,
  PRM_DIM,
  checkTask,
  exactAccuracy,
  nStates,
  referenceProbs,
  rollout,
  sampleProblem,
  stepStateIndex,
  type ArithmeticTask,
  type ReferencePolicy,
} from '../../../../src/testbeds/rlvr/env/step-arithmetic';

const task: ArithmeticTask = { minTerms: 3, maxTerms: 5, maxSteps: 10 };
const ref: ReferencePolicy = {
  slip: [0.04, 0.16],
  repeat: [0.08, 0.12],
  wrongOperand: 0.04,
  earlyAnswer: 0.03,
  extraLine: 0.04,
};

/** A policy that, while additions remain, adds with probability q (else repeats), and answers once done. */
function addOrRepeat(t: ArithmeticTask, q: number): Float64Array {
  const P = new Float64Array(nStates(t) * N_ACTIONS);
  for (let r = 0; r < t.maxTerms; r++)
    for (let c = 0; c < 2; c++)
      for (let s = 0; s < t.maxSteps; s++) {
        const o = stepStateIndex(t, r, c, s) * N_ACTIONS;
        if (r > 0) {
          P[o + A_ADD] = q;
          P[o + A_REPEAT] = 1 - q;
        } else P[o + A_ANSWER] = 1;
      }
  return P;
}

describe('the step task', () => {
  it('a policy that always adds then answers is always correct with n lines and no repeats', () => {
    const rng = new Rng(7);
    const P = addOrRepeat(task, 1);
    for (let i = 0; i < 50; i++) {
      const p = sampleProblem(task, rng);
      const s = rollout(task, p, P, rng);
      expect(s.correct).toBe(true);
      expect(s.len).toBe(p.length);
      expect(s.repeats).toBe(0);
      expect(Array.from(s.prefixCorrect.subarray(0, s.len)).every((v) => v === 1)).toBe(true);
      for (let k = 0; k < s.len; k++) expect(s.features[k * PRM_DIM]).toBe(1);
    }
  });
  it('exact accuracy matches the closed form and Monte Carlo', () => {
    // add w.p. q, else repeat; answer once done: correct iff the n − 1 additions fit in T − 1 lines
    const q = 0.6;
    const P = addOrRepeat(task, q);
    const p = Int32Array.from([12, 34, 56]);
    // additions need 2 successes within the first T − 1 = 9 lines: P = P(NegBin(2, q) failures ≤ 7)
    let closed = 0;
    for (let f = 0; f <= 7; f++) closed += (f + 1) * q * q * (1 - q) ** f;
    expect(exactAccuracy(task, p, P)).toBeCloseTo(closed, 12);
    const rng = new Rng(8);
    let c = 0;
    const N = 20000;
    for (let i = 0; i < N; i++) c += rollout(task, p, P, rng).correct ? 1 : 0;
    expect(Math.abs(c / N - closed)).toBeLessThan(0.01);
    // the reference policy: exact vs sampled
    const R = referenceProbs(task, ref);
    const p5 = Int32Array.from([19, 28, 47, 65, 33]);
    let c5 = 0;
    for (let i = 0; i < N; i++) c5 += rollout(task, p5, R, rng).correct ? 1 : 0;
    expect(Math.abs(c5 / N - exactAccuracy(task, p5, R))).toBeLessThan(0.012);
  });
});

describe('the step task: errors', () => {
  it('rejects bad task and reference-policy parameters with what was wrong', () => {
    expect(() => checkTask({ minTerms: 1, maxTerms: 4, maxSteps: 8 })).toThrow(/2 ≤ minTerms ≤ maxTerms ≤ 9/);
    expect(() => checkTask({ minTerms: 3, maxTerms: 5, maxSteps: 4 })).toThrow(
      /maxSteps must be an integer ≥ maxTerms/,
    );
    expect(() => referenceProbs(task, { ...ref, slip: [0.5, 0.9] })).toThrow(/must leave mass for the correct step/);
    expect(() => referenceProbs(task, { ...ref, repeat: [0.1, 1.2] })).toThrow(/must be in \[0, 1\]/);
  });
});
