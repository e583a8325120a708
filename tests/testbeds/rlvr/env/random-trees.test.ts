import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import * as rv from '../../../../src/testbeds/rlvr/env/random-trees';

const small = { branching: [2, 4] as [number, number], depth: 4, pStop: 0.2, rewardFraction: 0.15 };

describe('rlvr random tree MDPs (ROVER theorem)', () => {
  it('backward recursion equals brute-force path enumeration of V^u', () => {
    for (let k = 0; k < 20; k++) {
      const t = rv.randomTree(new Rng(k), { ...small, rewardKind: k % 2 ? 'continuous' : 'binary' });
      const a = rv.uniformValues(t);
      const b = rv.uniformValuesBruteForce(t);
      for (let i = 0; i < t.n; i++) expect(a[i]).toBeCloseTo(b[i], 12);
    }
  });

  it('V^u of a hand-built tree', () => {
    // root → 2 children; child 1 is a rewarding leaf, child 2 has 3 leaves of which 1 is rewarding.
    const t: rv.TreeMdp = {
      n: 6,
      firstChild: Int32Array.from([1, 0, 3, 0, 0, 0]),
      nChildren: Int32Array.from([2, 0, 3, 0, 0, 0]),
      depth: Int32Array.from([0, 1, 1, 2, 2, 2]),
      reward: Float64Array.from([0, 1, 0, 0, 1, 0]),
    };
    const V = rv.uniformValues(t);
    expect(V[2]).toBeCloseTo(1 / 3, 15);
    expect(V[0]).toBeCloseTo((1 + 1 / 3) / 2, 15);
    expect(rv.optimalValues(t)[0]).toBe(1);
  });

  it('rejects bad options', () => {
    expect(() => rv.randomTree(new Rng(1), { ...small, branching: [1, 3] })).toThrow(/branching/);
    expect(() => rv.randomTree(new Rng(1), { ...small, pStop: 1 })).toThrow(/pStop/);
  });
});
