import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  pairwiseLabels,
  principleInputs,
  principleJudgments,
  principleLogOdds,
  principleUtility,
  principleWorld,
  promptPairs,
} from '../../../../src/testbeds/preference/data/principle-feedback';

const world = principleWorld(new Rng(3), { d: 5, K: 4, C: 3, gain: 2, alpha: 0.5, offset: 0.5 });
const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));

describe('principle-grounded feedback data', () => {
  it('prompt weights lie on the simplex; a one-hot weighting is that principle’s log-odds', () => {
    for (const w of world.w) expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const x = Float32Array.from([0.3, -1, 2, 0.5, 0.1]);
    const s = world.u[2].reduce((a, u, j) => a + u * x[j], 0);
    expect(principleLogOdds(world, 2, x, 0)).toBeCloseTo(2 * (s + world.b[2]), 6);
    expect(principleUtility(world, [0, 0, 1, 0], x, 0)).toBeCloseTo(principleLogOdds(world, 2, x, 0), 12);
    const w = world.w[1];
    const sum = w.reduce((a, wk, k) => a + wk * principleLogOdds(world, k, x, 0), 0);
    expect(principleUtility(world, w, x, 0)).toBeCloseTo(sum, 12);
  });

  it('preference labels are Bradley–Terry draws of the prompt type’s utility', () => {
    const rng = new Rng(4);
    const pairs = promptPairs(rng.split('p'), world, 20000);
    const y = pairwiseLabels(rng.split('y'), world, pairs);
    let ey = 0,
      ep = 0;
    for (let i = 0; i < 20000; i++) {
      const w = world.w[pairs.c[i]];
      const p = sigmoid(principleUtility(world, w, pairs.x1, i) - principleUtility(world, w, pairs.x2, i));
      ey += y[i] * (p - 0.5);
      ep += p * (p - 0.5);
    }
    // E[y (p − ½)] = E[p (p − ½)]: labels follow p, not a constant rate
    expect(Math.abs(ey - ep) / 20000).toBeLessThan(0.004);
  });

  it('judgments name principles by the prompt’s weights and answer by σ(s_k); two per pair judge both', () => {
    const rng = new Rng(6);
    const pairs = promptPairs(rng.split('p'), world, 30000);
    const j2 = principleJudgments(rng.split('j'), world, pairs, 2);
    expect(j2.z.length).toBe(60000);
    expect(Array.from(j2.x.subarray(5, 10))).toEqual(Array.from(pairs.x2.subarray(0, 5)));
    expect(Array.from(j2.x.subarray(0, 5))).toEqual(Array.from(pairs.x1.subarray(0, 5)));
    const count = new Float64Array(4);
    let m = 0,
      zMinusP = 0;
    for (let r = 0; r < 60000; r++) {
      if (j2.c[r] === 0) {
        count[j2.k[r]]++;
        m++;
      }
      zMinusP += j2.z[r] - sigmoid(principleLogOdds(world, j2.k[r], j2.x, r));
    }
    for (let k = 0; k < 4; k++) expect(Math.abs(count[k] / m - world.w[0][k])).toBeLessThan(0.015);
    expect(Math.abs(zMinusP) / 60000).toBeLessThan(0.01);
    const j1 = principleJudgments(rng.split('j1'), world, pairs, 1);
    expect(j1.z.length).toBe(30000);
  });

  it('inputs are [one-hot prompt | one-hot principle | x], or without the principle block', () => {
    const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const a = principleInputs(world, [2, 0], [1, 3], x);
    expect(Array.from(a.subarray(0, 12))).toEqual([0, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4, 5]);
    expect(Array.from(a.subarray(12, 24))).toEqual([1, 0, 0, 0, 0, 0, 1, 6, 7, 8, 9, 10]);
    const b = principleInputs(world, [1, 0], null, x);
    expect(Array.from(b)).toEqual([0, 1, 0, 1, 2, 3, 4, 5, 1, 0, 0, 6, 7, 8, 9, 10]);
  });
});
