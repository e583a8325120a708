import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfType from '@tensorflow/tfjs';
import { Rng } from '../../src/core/rng';
import {
  ADD_EOS,
  ADD_PAD,
  VOCAB,
  additionReward,
  encodeAnswer,
  encodePrompt,
  randomProblem,
  renderTokens,
} from '../../src/testbeds/rlvr/env/addition';
import { GruPolicy, policyGradientStep } from '../../src/bench/tfjs-gru-policy';

/** Repeat every row of a row-major matrix G times. */
function repeatRows(x: Int32Array, rowLen: number, G: number): Int32Array {
  const n = x.length / rowLen;
  const out = new Int32Array(n * G * rowLen);
  for (let i = 0; i < n; i++)
    for (let g = 0; g < G; g++) out.set(x.subarray(i * rowLen, (i + 1) * rowLen), (i * G + g) * rowLen);
  return out;
}

let tf: typeof tfType;
beforeAll(async () => {
  tf = require('@tensorflow/tfjs') as typeof tfType;
  await tf.setBackend('cpu');
});

describe('rlvr digit addition task', () => {
  it('encodes prompts left-padded and answers least-significant digit first, with ADD_EOS', () => {
    const p = { a: 47, b: 85, digits: 2 };
    expect(renderTokens(encodePrompt(p, 8))).toBe('__47+85=');
    expect(renderTokens(encodeAnswer(p))).toBe('231$'); // 132 reversed
    expect(additionReward(p, encodeAnswer(p))).toBe(1);
    expect(additionReward(p, Int32Array.from([2, 3, 1, 5]))).toBe(0); // no ADD_EOS
    expect(additionReward(p, Int32Array.from([2, 3, 1, ADD_EOS, 7]))).toBe(1); // tokens after ADD_EOS are ignored
    const q = randomProblem(new Rng(1), 3);
    expect(q.a).toBeGreaterThanOrEqual(100);
    expect(q.a).toBeLessThan(1000);
  });
});

describe('rlvr GRU policy', () => {
  const shape = { vocab: VOCAB, embed: 6, hidden: 8 };
  it('the log-probabilities recorded while sampling equal the teacher-forced ones', () => {
    const pol = new GruPolicy(tf, shape, new Rng(3));
    const P = 6;
    const prompts = repeatRows(Int32Array.from([ADD_PAD, 1, 2, 10, 3, 11, ADD_PAD, ADD_PAD, 4, 10, 5, 11]), P, 3);
    const s = pol.sample(prompts, P, 5, ADD_EOS, ADD_PAD, new Rng(4));
    const lp = tf.tidy(() => pol.sequenceLogProbs(prompts, P, s.tokens, 5).arraySync() as number[][]);
    for (let i = 0; i < s.N; i++)
      for (let t = 0; t < s.lengths[i]; t++) expect(lp[i][t]).toBeCloseTo(s.logProbs[i * 5 + t], 4);
    // log-probabilities of a full row of the vocabulary sum to 1 in probability
    const all = Int32Array.from({ length: VOCAB }, (_, v) => v);
    const pr = repeatRows(prompts.subarray(0, P), P, VOCAB);
    const one = tf.tidy(() => pol.sequenceLogProbs(pr, P, all, 1).arraySync() as number[][]);
    expect(one.reduce((a, r) => a + Math.exp(r[0]), 0)).toBeCloseTo(1, 5);
    pol.dispose();
  });

  it('the policy-gradient loss gradient matches central finite differences', () => {
    const pol = new GruPolicy(tf, shape, new Rng(5));
    const P = 4,
      L = 3,
      N = 2;
    const prompts = Int32Array.from([1, 10, 2, 11, 3, 10, 4, 11]);
    const responses = Int32Array.from([3, 5, ADD_EOS, 7, ADD_EOS, ADD_PAD]);
    const advantages = Float32Array.from([0.7, -1.3]);
    const coef = Float32Array.from([1 / 6, 1 / 6, 1 / 6, 1 / 4, 1 / 4, 0]);
    const lossOf = () =>
      tf.tidy(() => {
        const lp = pol.sequenceLogProbs(prompts, P, responses, L);
        return -tf
          .sum(tf.mul(tf.mul(lp, tf.reshape(tf.tensor1d(advantages), [N, 1])), tf.tensor2d(coef, [N, L])))
          .dataSync()[0];
      });
    const vars = pol.variables();
    const { grads } = tf.variableGrads(
      () =>
        tf.tidy(() => {
          const lp = pol.sequenceLogProbs(prompts, P, responses, L);
          return tf.neg(
            tf.sum(tf.mul(tf.mul(lp, tf.reshape(tf.tensor1d(advantages), [N, 1])), tf.tensor2d(coef, [N, L]))),
          ) as tfType.Scalar;
        }),
      vars,
    );
    const rng = new Rng(6);
    let checked = 0;
    for (const v of vars) {
      const g = grads[v.name].dataSync();
      const base = v.dataSync().slice();
      for (let k = 0; k < 3; k++) {
        const j = rng.int(base.length);
        const h = 1e-2;
        const up = base.slice();
        up[j] += h;
        v.assign(tf.tensor(up, v.shape));
        const fp = lossOf();
        const dn = base.slice();
        dn[j] -= h;
        v.assign(tf.tensor(dn, v.shape));
        const fm = lossOf();
        v.assign(tf.tensor(base, v.shape));
        const fd = (fp - fm) / (2 * h);
        expect(Math.abs(g[j] - fd)).toBeLessThan(2e-3 + 0.02 * Math.abs(fd));
        checked++;
      }
    }
    expect(checked).toBe(21);
    pol.dispose();
  });

  it('a policy-gradient step with positive advantage raises the log-probability of that response', () => {
    const pol = new GruPolicy(tf, shape, new Rng(8));
    const P = 4;
    const prompts = Int32Array.from([1, 10, 2, 11]);
    const responses = Int32Array.from([3, ADD_EOS]);
    const before = tf.tidy(() => tf.sum(pol.sequenceLogProbs(prompts, P, responses, 2)).dataSync()[0]);
    const opt = tf.train.sgd(0.1);
    policyGradientStep(pol, opt, {
      prompts,
      P,
      responses,
      L: 2,
      advantages: Float32Array.from([1]),
      coef: Float32Array.from([0.5, 0.5]),
    });
    const after = tf.tidy(() => tf.sum(pol.sequenceLogProbs(prompts, P, responses, 2)).dataSync()[0]);
    expect(after).toBeGreaterThan(before);
    // and the JSON round trip restores the weights exactly
    const copy = new GruPolicy(tf, shape, new Rng(99));
    copy.load(pol.toJSON());
    const again = tf.tidy(() => tf.sum(copy.sequenceLogProbs(prompts, P, responses, 2)).dataSync()[0]);
    expect(again).toBeCloseTo(after, 6);
    pol.dispose();
    copy.dispose();
  });
});
