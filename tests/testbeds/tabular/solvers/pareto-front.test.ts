import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  deepSeaTreasure,
  deterministicReturn,
  fruitTree,
  type VectorMdp,
} from '../../../../src/testbeds/tabular/env/vector-reward';
import { dominates, exactParetoFront, nonDominated } from '../../../../src/testbeds/tabular/solvers/pareto-front';

/** Brute force: the return of every stationary deterministic policy (nA^nS of them), then the non-dominated set. */
function bruteForceFront(mdp: VectorMdp): Float64Array[] {
  const rets = new Map<string, Float64Array>();
  const pol = new Int32Array(mdp.nS);
  const total = mdp.nA ** mdp.nS;
  for (let code = 0; code < total; code++) {
    let c = code;
    for (let s = 0; s < mdp.nS; s++) {
      pol[s] = c % mdp.nA;
      c = Math.floor(c / mdp.nA);
    }
    const r = deterministicReturn(mdp, (s) => pol[s]);
    rets.set(Array.from(r).join(','), r);
  }
  return nonDominated([...rets.values()]);
}

const asArrays = (f: Float64Array[]) => f.map((p) => Array.from(p));

describe('Pareto fronts of deterministic vector-reward MDPs', () => {
  it('Deep Sea Treasure: the published front of Vamplew et al. (2011), one point per treasure', () => {
    const { mdp } = deepSeaTreasure(25);
    const expected = [
      [124, -19],
      [74, -17],
      [50, -14],
      [24, -13],
      [16, -9],
      [8, -8],
      [5, -7],
      [3, -5],
      [2, -3],
      [1, -1],
    ];
    expect(asArrays(exactParetoFront(mdp))).toEqual(expected);
  });

  it('a small treasure map: backward induction equals brute force over all 4^nS stationary policies', () => {
    const { mdp } = deepSeaTreasure(12, { treasures: [1, 3, 2, 7], depths: [1, 2, 3, 2] });
    expect(mdp.nS).toBeLessThanOrEqual(8);
    const exact = exactParetoFront(mdp);
    expect(asArrays(exact)).toEqual(asArrays(bruteForceFront(mdp)));
    // The dominated treasure (2 at 5 steps, behind 3 at 3 steps) is not on the front.
    expect(exact.some((p) => p[0] === 2)).toBe(false);
  });

  it('Fruit Tree depth 3 and 4: backward induction equals brute force; the front is the non-dominated leaves', () => {
    for (const depth of [3, 4]) {
      const { mdp, leaves } = fruitTree(new Rng(depth), depth, 3, 0.2);
      const exact = exactParetoFront(mdp);
      expect(asArrays(exact)).toEqual(asArrays(bruteForceFront(mdp)));
      expect(asArrays(exact)).toEqual(asArrays(nonDominated(leaves)));
    }
  });

  it('Fruit Tree with radius 1 everywhere: every leaf is Pareto-optimal', () => {
    const { mdp, leaves } = fruitTree(new Rng(3), 5, 6, 1);
    expect(exactParetoFront(mdp)).toHaveLength(leaves.length);
  });

  it('dominance and non-dominated filtering', () => {
    expect(dominates([2, 1], [1, 1])).toBe(true);
    expect(dominates([1, 1], [1, 1])).toBe(false);
    expect(dominates([2, 0], [1, 1])).toBe(false);
    expect(
      asArrays(
        nonDominated([
          [1, 1],
          [2, 0],
          [0, 2],
          [1, 1],
          [0.5, 0.5],
        ]),
      ),
    ).toEqual([
      [2, 0],
      [1, 1],
      [0, 2],
    ]);
  });
});
