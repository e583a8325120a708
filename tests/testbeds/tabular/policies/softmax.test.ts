import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  checkObs,
  countsPolicy,
  identityObs,
  logitsFromPolicy,
  logSoftmaxPolicy,
  softmaxPolicy,
  stateKL,
} from '../../../../src/testbeds/tabular/policies/softmax';

describe('the tabular softmax policy (one implementation, shape first)', () => {
  it('gives stochastic rows equal to exp(log-softmax), invariant to a per-row shift of θ', () => {
    const nS = 5,
      nA = 4;
    const theta = new Rng(1).normals(nS * nA, 0, 3);
    const pi = softmaxPolicy(nS, nA, theta);
    const lp = logSoftmaxPolicy(nS, nA, theta);
    const shifted = Float64Array.from(theta, (t, i) => t + 10 * Math.floor(i / nA));
    const piShifted = softmaxPolicy(nS, nA, shifted);
    for (let s = 0; s < nS; s++) {
      let tot = 0;
      for (let a = 0; a < nA; a++) {
        tot += pi[s * nA + a];
        expect(pi[s * nA + a]).toBeCloseTo(Math.exp(lp[s * nA + a]), 14);
        expect(piShifted[s * nA + a]).toBeCloseTo(pi[s * nA + a], 14);
      }
      expect(tot).toBeCloseTo(1, 14);
    }
  });

  it('maps aliased states to the same row of θ and rejects an observation map that does not fit θ', () => {
    const nA = 3;
    const theta = new Rng(2).normals(2 * nA);
    const obs = Int32Array.from([0, 1, 0, 1]);
    const pi = softmaxPolicy(4, nA, theta, obs);
    for (let a = 0; a < nA; a++) {
      expect(pi[2 * nA + a]).toBe(pi[0 * nA + a]);
      expect(pi[3 * nA + a]).toBe(pi[1 * nA + a]);
    }
    expect(Array.from(softmaxPolicy(2, nA, theta, identityObs(2)))).toEqual(Array.from(softmaxPolicy(2, nA, theta)));
    expect(() => softmaxPolicy(4, nA, theta, Int32Array.from([0, 1, 2, 0]))).toThrow(/outside the 2 rows of θ/);
    expect(() => checkObs(3, nA, theta, Int32Array.from([0, 1]), 'test')).toThrow(/length 3/);
  });

  it('logitsFromPolicy inverts softmaxPolicy on full-support policies and clips zeros to log(floor)', () => {
    const nS = 3,
      nA = 4;
    const pi = softmaxPolicy(nS, nA, new Rng(3).normals(nS * nA, 0, 2));
    const back = softmaxPolicy(nS, nA, logitsFromPolicy(nS, nA, pi));
    for (let i = 0; i < pi.length; i++) expect(back[i]).toBeCloseTo(pi[i], 14);
    const bc = countsPolicy(1, 3, [2, 0, 2]);
    expect(Array.from(bc)).toEqual([0.5, 0, 0.5]);
    expect(logitsFromPolicy(1, 3, bc)[1]).toBe(Math.log(1e-300));
    expect(() => logitsFromPolicy(2, 3, bc)).toThrow(/expected nS·nA = 6/);
    expect(Array.from(stateKL(1, 3, bc, bc))).toEqual([0]);
  });
});
