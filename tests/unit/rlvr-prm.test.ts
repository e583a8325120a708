import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng';
import {
  A_ADD,
  A_ANSWER,
  A_REPEAT,
  N_ACTIONS,
  PRM_DIM,
  checkTask,
  clipRewards,
  deltaRewards,
  exactAccuracy,
  fitLogistic,
  logisticScore,
  nStates,
  prmScores,
  referenceProbs,
  rollout,
  sampleProblem,
  stateIndex,
  stepRewards,
  type ArithmeticTask,
  type ReferencePolicy,
} from '../../src/testbeds/rlvr/prm';
import { auc, checkPrmConfig, fitRewardModels, type PrmConfig } from '../../src/testbeds/rlvr/prm-experiment';

const task: ArithmeticTask = { minTerms: 3, maxTerms: 5, maxSteps: 10 };
const ref: ReferencePolicy = {
  slip: [0.04, 0.16],
  repeat: [0.08, 0.12],
  wrongOperand: 0.04,
  earlyAnswer: 0.03,
  extraLine: 0.04,
};
const sum = (x: ArrayLike<number>) => Array.from(x).reduce((a, b) => a + b, 0);

/** A policy that, while additions remain, adds with probability q (else repeats), and answers once done. */
function addOrRepeat(t: ArithmeticTask, q: number): Float64Array {
  const P = new Float64Array(nStates(t) * N_ACTIONS);
  for (let r = 0; r < t.maxTerms; r++)
    for (let c = 0; c < 2; c++)
      for (let s = 0; s < t.maxSteps; s++) {
        const o = stateIndex(t, r, c, s) * N_ACTIONS;
        if (r > 0) {
          P[o + A_ADD] = q;
          P[o + A_REPEAT] = 1 - q;
        } else P[o + A_ANSWER] = 1;
      }
  return P;
}

describe('Delta mechanism', () => {
  it('telescopes: the delta rewards sum to the first score, whatever the middle scores', () => {
    const rng = new Rng(1);
    for (let trial = 0; trial < 50; trial++) {
      const K = 1 + rng.int(12);
      const s = Array.from({ length: K }, () => rng.uniform());
      expect(sum(deltaRewards(s))).toBeCloseTo(s[0], 12);
      const t = s.map((v, k) => (k === 0 ? v : rng.normal(0, 3)));
      expect(sum(deltaRewards(t))).toBeCloseTo(s[0], 12);
    }
  });
  it('stepRewards(delta) returns α·r_φ(p^(1)) + success, so padding with any lines cannot change the return', () => {
    const base = [0.7, 0.4, 0.9];
    const padded = [0.7, 0.95, 0.95, 0.95, 0.4, 0.9];
    for (const success of [0, 1]) {
      const a = sum(stepRewards({ kind: 'delta', alpha: 0.8, eta: 0 }, base, success, 0));
      const b = sum(stepRewards({ kind: 'delta', alpha: 0.8, eta: 0 }, padded, success, 0));
      expect(a).toBeCloseTo(0.8 * 0.7 + success, 12);
      expect(b).toBeCloseTo(a, 12);
    }
    // returns-to-go from line k equal α·score_k + success (what per-step credit sees under Delta)
    const r = stepRewards({ kind: 'delta', alpha: 0.8, eta: 0 }, padded, 1, 0);
    for (let k = 0; k < padded.length; k++) expect(sum(r.subarray(k))).toBeCloseTo(0.8 * padded[k] + 1, 12);
    // the per-line values themselves: d_k = s_k − s_{k+1}, last keeps its score
    expect(Array.from(deltaRewards([0.7, 0.4, 0.9]))).toEqual([0.7 - 0.4, 0.4 - 0.9, 0.9]);
  });
});

describe('Clip mechanism', () => {
  it('every clipped reward is ≤ 0 and equals min(score − η, 0)', () => {
    expect(Array.from(clipRewards([0.2, 0.6, 0.9], 0.6))).toEqual([0.2 - 0.6, 0, 0]);
    const rng = new Rng(2);
    for (let trial = 0; trial < 50; trial++) {
      const s = Array.from({ length: 1 + rng.int(10) }, () => rng.uniform());
      const eta = rng.uniform();
      for (const c of clipRewards(s, eta)) expect(c).toBeLessThanOrEqual(0);
    }
  });
  it('the accumulated clipped reward is ≤ 0 (+ success), and appending lines never increases it', () => {
    const rng = new Rng(3);
    for (let trial = 0; trial < 50; trial++) {
      const s = Array.from({ length: 1 + rng.int(8) }, () => rng.uniform());
      const eta = rng.uniform();
      const ret = sum(stepRewards({ kind: 'clip', alpha: 1.5, eta }, s, 1, 0));
      expect(ret).toBeLessThanOrEqual(1 + 1e-12);
      const pad = [...s.slice(0, -1), ...Array.from({ length: 1 + rng.int(5) }, () => rng.uniform()), s[s.length - 1]];
      expect(sum(stepRewards({ kind: 'clip', alpha: 1.5, eta }, pad, 1, 0))).toBeLessThanOrEqual(ret + 1e-12);
    }
  });
  it('the raw PRM sum, by contrast, grows with every padded line of positive score', () => {
    const s = [0.8, 0.9];
    const pad = [0.8, 0.9, 0.9, 0.9, 0.9];
    expect(sum(stepRewards({ kind: 'prm', alpha: 1, eta: 0 }, pad, 1, 0))).toBeCloseTo(
      sum(stepRewards({ kind: 'prm', alpha: 1, eta: 0 }, s, 1, 0)) + 2.7,
      12,
    );
  });
  it('Clip-Delta telescopes to α·min(r_φ(p^(1)) − η, 0) + success; ORM adds α·ORM at the end only', () => {
    const s = [0.3, 0.9, 0.5];
    expect(sum(stepRewards({ kind: 'clip-delta', alpha: 2, eta: 0.6 }, s, 1, 0))).toBeCloseTo(2 * (0.3 - 0.6) + 1, 12);
    expect(Array.from(stepRewards({ kind: 'orm', alpha: 0.5, eta: 0 }, s, 1, 0.8))).toEqual([0, 0, 1 + 0.4]);
    expect(Array.from(stepRewards({ kind: 'success', alpha: 0.5, eta: 0 }, s, 1, 0.8))).toEqual([0, 0, 1]);
  });
});

describe('learned reward models (logistic regression)', () => {
  it('recovers a separable labelling exactly', () => {
    const rng = new Rng(4);
    const d = 4;
    const n = 300;
    const wTrue = [0.5, 2, -1.5, 1];
    const X = new Float64Array(n * d);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[i * d] = 1;
      for (let j = 1; j < d; j++) X[i * d + j] = rng.normal();
      let z = 0;
      for (let j = 0; j < d; j++) z += wTrue[j] * X[i * d + j];
      y[i] = z > 0 ? 1 : 0;
    }
    const fit = fitLogistic(X, y, d, { l2: 1e-6, maxIter: 100 });
    let correct = 0;
    for (let i = 0; i < n; i++) correct += (logisticScore(fit.weights, X, i) > 0.5 ? 1 : 0) === y[i] ? 1 : 0;
    expect(correct).toBe(n);
    // the direction is the true one (cosine close to 1)
    const dot = sum(fit.weights.map((w, j) => w * wTrue[j]));
    const cos = dot / Math.sqrt(sum(fit.weights.map((w) => w * w)) * sum(wTrue.map((w) => w * w)));
    expect(cos).toBeGreaterThan(0.95);
  });
  it('converges to the stationary point of the regularised log-loss on noisy labels', () => {
    const rng = new Rng(5);
    const d = 3;
    const n = 400;
    const X = new Float64Array(n * d);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      X[i * d] = 1;
      X[i * d + 1] = rng.normal();
      X[i * d + 2] = rng.bernoulli(0.5) ? 1 : 0;
      y[i] = rng.bernoulli(1 / (1 + Math.exp(-(0.3 + X[i * d + 1] - X[i * d + 2])))) ? 1 : 0;
    }
    const l2 = 0.01;
    const { weights: w } = fitLogistic(X, y, d, { l2 });
    for (let j = 0; j < d; j++) {
      let g = 0;
      for (let i = 0; i < n; i++) g += (logisticScore(w, X, i) - y[i]) * X[i * d + j];
      expect(Math.abs(g / n + l2 * w[j])).toBeLessThan(1e-9);
    }
  });
  it('on the task, the PRM separates correct from incorrect prefixes but scores a repeated correct line high (hackable)', () => {
    const rng = new Rng(6);
    const P = referenceProbs(task, ref);
    const sols = Array.from({ length: 1500 }, () => rollout(task, sampleProblem(task, rng), P, rng));
    const fit = fitRewardModels(task, sols, 1e-3);
    const scores: number[] = [];
    const labels: number[] = [];
    const rep: number[] = [];
    for (const s of sols) {
      const sc = prmScores(fit.prm, s);
      for (let k = 0; k < s.len; k++) {
        scores.push(sc[k]);
        labels.push(s.prefixCorrect[k]);
        if (s.actions[k] === A_REPEAT && s.prefixCorrect[k] === 1) rep.push(sc[k]);
      }
    }
    expect(auc(scores, labels)).toBeGreaterThan(0.8);
    expect(sum(rep) / rep.length).toBeGreaterThan(0.8);
    expect(fit.meanScore).toBeGreaterThan(0.3);
    expect(fit.meanScore).toBeLessThan(0.95);
  });
  it('auc on a hand case (ties count one half)', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.75, 12);
    expect(auc([0.5, 0.5], [0, 1])).toBeCloseTo(0.5, 12);
  });
});

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

describe('error messages', () => {
  it('rejects bad task, reward and model parameters with what was wrong', () => {
    expect(() => checkTask({ minTerms: 1, maxTerms: 4, maxSteps: 8 })).toThrow(/2 ≤ minTerms ≤ maxTerms ≤ 9/);
    expect(() => checkTask({ minTerms: 3, maxTerms: 5, maxSteps: 4 })).toThrow(
      /maxSteps must be an integer ≥ maxTerms/,
    );
    expect(() => stepRewards({ kind: 'clip', alpha: 1, eta: NaN }, [0.5], 1, 0)).toThrow(
      /clip needs a finite clip threshold η, got NaN/,
    );
    expect(() => clipRewards([0.5], Infinity)).toThrow(/threshold η must be finite/);
    expect(() => stepRewards({ kind: 'prm', alpha: -1, eta: 0 }, [0.5], 1, 0)).toThrow(
      /α \(learned-reward weight\) must be a finite number ≥ 0/,
    );
    expect(() => stepRewards({ kind: 'prm', alpha: 1, eta: 0 }, [], 1, 0)).toThrow(/at least one line/);
    expect(() => fitLogistic([1, 2, 3], [0, 1], 2)).toThrow(/X has 3 entries but 2 labels × 2 features need 4/);
    expect(() => fitLogistic([1, 2], [0, 2], 1)).toThrow(/label y\[1\] = 2 is not 0 or 1/);
    expect(() => fitLogistic([1, 2], [0, 1], 1, { l2: -1 })).toThrow(/l2 must be a finite number ≥ 0/);
    expect(() => referenceProbs(task, { ...ref, slip: [0.5, 0.9] })).toThrow(/must leave mass for the correct step/);
    expect(() => referenceProbs(task, { ...ref, repeat: [0.1, 1.2] })).toThrow(/must be in \[0, 1\]/);
    const cfg: PrmConfig = {
      task,
      reference: ref,
      refSamples: 100,
      heldOutSamples: 10,
      l2: 1e-3,
      alpha: 1,
      eta: 'mean',
      methods: ['success'],
      iterations: 1,
      batchPrompts: 1,
      groupSize: 4,
      lr: 1,
      testProblems: 1,
      evalSamples: 1,
      logEvery: 1,
      bestOfN: 1,
    };
    expect(() => checkPrmConfig({ ...cfg, groupSize: 1 })).toThrow(/groupSize must be an integer ≥ 2, got 1/);
    expect(() => checkPrmConfig({ ...cfg, methods: ['ppo' as never] })).toThrow(/unknown method ppo/);
    expect(() => checkPrmConfig({ ...cfg, eta: 'median' as never })).toThrow(/eta must be 'mean' or a finite number/);
  });
});
