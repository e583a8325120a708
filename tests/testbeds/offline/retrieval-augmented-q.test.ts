import { describe, expect, it } from 'vitest';
import {
  linearFittedQIteration,
  retrieveByAttention,
  type RetrievalMemory,
} from '../../../src/testbeds/offline/methods/retrieval-augmented-q';

const mem: RetrievalMemory = {
  state: Int32Array.from([0, 0, 0, 1, 0]),
  outcome: Int32Array.from([9, 9, 7, 9, 7]),
  action: Int32Array.from([1, 2, 0, 1, 1]),
  returnToGo: Float64Array.from([-1, -3, -2, -5, -4]),
};

describe('retrieveByAttention', () => {
  it('matches a brute-force softmax over the top-k scores', () => {
    const nA = 3;
    const o = { topK: 3, temperature: 0.5, keyOutcome: true };
    const { info, top1 } = retrieveByAttention(mem, 0, 9, nA, o);
    // scores: 2, 2, 1, 1, 1 → top-3 = steps 0, 1, 2 (ties by index)
    expect(top1).toBe(0);
    const w = [Math.exp(0), Math.exp(0), Math.exp(-1 / 0.5)];
    const z = w[0] + w[1] + w[2];
    expect(info[1]).toBeCloseTo(w[0] / z, 12);
    expect(info[2]).toBeCloseTo(w[1] / z, 12);
    expect(info[0]).toBeCloseTo(w[2] / z, 12);
    expect(info[0] + info[1] + info[2]).toBeCloseTo(1, 12);
    // u_a: attention-weighted mean return of the retrieved steps that took a
    expect(info[nA + 1]).toBeCloseTo(-1, 12);
    expect(info[nA + 2]).toBeCloseTo(-3, 12);
    expect(info[nA + 0]).toBeCloseTo(-2, 12);
  });
  it('ignores the outcome with state-only keys, and is invariant to the order of ties beyond top-k', () => {
    const { info, top1 } = retrieveByAttention(mem, 0, 9, 3, { topK: 4, temperature: 1, keyOutcome: false });
    expect(top1).toBe(0);
    // four steps with state 0, equal weights 1/4: actions 1, 2, 0, 1
    expect(info[1]).toBeCloseTo(0.5, 12);
    expect(info[3 + 1]).toBeCloseTo((-1 - 4) / 2, 12);
  });
});

describe('linearFittedQIteration', () => {
  it('with one-hot (x, a) features is tabular FQI: it reaches the Bellman fixed point of a chain', () => {
    const nX = 4,
      nA = 2,
      gamma = 0.8;
    const xs: number[] = [],
      as: number[] = [],
      rs: number[] = [],
      xps: number[] = [],
      dones: number[] = [];
    const next = (x: number, a: number) => (a === 0 ? Math.max(0, x - 1) : Math.min(nX - 1, x + 1));
    const rew = (x: number, a: number) => -1 + 0.1 * x + 0.05 * a;
    for (let x = 0; x < nX; x++)
      for (let a = 0; a < nA; a++) {
        xs.push(x);
        as.push(a);
        rs.push(rew(x, a));
        xps.push(next(x, a));
        dones.push(x === nX - 1 && a === 1 ? 1 : 0);
      }
    const dim = nX * nA;
    const F = new Float64Array(nX * nA * dim);
    for (let i = 0; i < nX * nA; i++) F[i * dim + i] = 1;
    const res = linearFittedQIteration(
      {
        nX,
        nA,
        dim,
        features: F,
        x: Int32Array.from(xs),
        a: Int32Array.from(as),
        r: Float64Array.from(rs),
        xp: Int32Array.from(xps),
        done: Uint8Array.from(dones),
        gamma,
        vMin: -100,
        vMax: 100,
      },
      { iterations: 2000, ridge: 0, tol: 1e-13 },
    );
    // exact: value iteration
    const Q = new Float64Array(nX * nA);
    for (let k = 0; k < 5000; k++)
      for (let x = 0; x < nX; x++)
        for (let a = 0; a < nA; a++) {
          const xp = next(x, a);
          const v = Math.max(Q[xp * nA], Q[xp * nA + 1]);
          Q[x * nA + a] = rew(x, a) + (x === nX - 1 && a === 1 ? 0 : gamma * v);
        }
    for (let i = 0; i < nX * nA; i++) expect(res.Q[i]).toBeCloseTo(Q[i], 8);
  });
  it('clips the bootstrapped value to [vMin, vMax]', () => {
    const res = linearFittedQIteration(
      {
        nX: 1,
        nA: 1,
        dim: 1,
        features: Float64Array.from([1]),
        x: Int32Array.from([0]),
        a: Int32Array.from([0]),
        r: Float64Array.from([-1]),
        xp: Int32Array.from([0]),
        done: Uint8Array.from([0]),
        gamma: 0.9,
        vMin: -2,
        vMax: 0,
      },
      { iterations: 500, ridge: 0, tol: 1e-14 },
    );
    // fixed point of q = −1 + 0.9·clip(q, −2, 0) = −1 − 1.8 = −2.8
    expect(res.Q[0]).toBeCloseTo(-2.8, 10);
  });
});
