import { describe, expect, it } from 'vitest';
import { oneVsManyScores } from '../../../../src/testbeds/preference/solvers/one-vs-many';

describe('one-vs-many benchmark scores', () => {
  it('matches a hand computation (accuracy, reciprocal rank, ties against the correct candidate)', () => {
    // problem 0: correct 5 above 1, 2, 3 → solved, rank 1; problem 1: correct 2 below 3, above 1, tie with 2 →
    // 2 at least as high → rank 3; problem 2: correct 0 below all three → rank 4.
    const r = oneVsManyScores([5, 2, 0], [1, 2, 3, 3, 1, 2, 1, 2, 3], 3);
    expect(r.accuracy).toBeCloseTo(1 / 3, 15);
    expect(r.mrr).toBeCloseTo((1 + 1 / 3 + 1 / 4) / 3, 15);
  });
  it('with k = 1 it is pairwise accuracy and MRR = (1 + acc) / 2', () => {
    const cor = [1, 0, 3, -1],
      inc = [0, 1, 2, 5];
    const r = oneVsManyScores(cor, inc, 1);
    expect(r.accuracy).toBe(0.5);
    expect(r.mrr).toBeCloseTo(0.75, 15);
  });
  it('is invariant to a monotone transform of the rewards', () => {
    const cor = [0.3, -1.2, 2],
      inc = [0.1, 0.5, -2, -3, 1.9, 2.5];
    const a = oneVsManyScores(cor, inc, 2),
      b = oneVsManyScores(cor.map(Math.exp), inc.map(Math.exp), 2);
    expect(b).toEqual(a);
  });
  it('rejects a malformed table', () => {
    expect(() => oneVsManyScores([1, 2], [1, 2, 3], 2)).toThrow(RangeError);
  });
});
