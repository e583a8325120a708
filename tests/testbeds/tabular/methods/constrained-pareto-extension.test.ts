import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import { deepSeaTreasure, deterministicReturn, fruitTree } from '../../../../src/testbeds/tabular/env/vector-reward';
import { VectorPgLearner } from '../../../../src/testbeds/tabular/loops/vector-policy-gradient';
import {
  barrierCoefficients,
  constraintThresholds,
  paretoExtension,
  selectByCrowding,
  sweepWeights,
  trainScalarised,
} from '../../../../src/testbeds/tabular/methods/constrained-pareto-extension';

const pg = { batch: 8, lr: 0.5, criticLr: 0.2, initStd: 0.3 };

describe('C-MORL parts', () => {
  it('barrier coefficients are the gradient of J_i/s_i + (1/t) Σ_j log(J_j − d_j) (finite differences)', () => {
    const J = [3, -7, 2.5],
      d = [1, -9, 2],
      s = [4, 10, 3],
      t = 20,
      i = 0;
    const F = (x: number[]) => x[i] / s[i] + x.reduce((a, xk, k) => (k === i ? a : a + Math.log(xk - d[k]) / t), 0);
    const c = barrierCoefficients(i, J, d, s, t);
    for (let k = 0; k < 3; k++) {
      const h = 1e-6;
      const up = J.slice(),
        dn = J.slice();
      up[k] += h;
      dn[k] -= h;
      expect(c[k]).toBeCloseTo((F(up) - F(dn)) / (2 * h), 6);
    }
    // Infeasible: the barrier's argument is clamped at 1e-3 s_j, a large finite push back.
    expect(barrierCoefficients(0, [3, -10, 1], d, s, t)[1]).toBeCloseTo(1 / (t * 1e-3 * s[1]), 9);
  });

  it('thresholds: β J for positive returns, below J for negative ones', () => {
    const d = constraintThresholds([124, -19], 0.9);
    expect(d[0]).toBeCloseTo(111.6, 12);
    expect(d[1]).toBeCloseTo(-20.9, 12);
  });

  it('crowding selection takes the ends first and skips what was selected before', () => {
    const front = [
      [5, 0],
      [4, 1],
      [3.9, 1.1],
      [2, 3],
      [0, 5],
    ].map((r) => ({ ret: Float64Array.from(r) }));
    const sel = new Set<string>();
    const first = selectByCrowding(front, 2, sel).map((e) => Array.from(e.ret));
    expect(first).toEqual([
      [5, 0],
      [0, 5],
    ]);
    // Next: the largest interior crowding distance ((4,1) − (2,3) neighbourhood of (3.9,1.1) is small).
    const second = selectByCrowding(front, 1, sel).map((e) => Array.from(e.ret));
    expect(second).toEqual([[2, 3]]);
  });

  it('sweep weights: the even grid, then Dirichlet draws, all on the simplex', () => {
    const w = sweepWeights(2, 9, new Rng(1));
    expect(w.map((x) => x[0])).toEqual([1, 7 / 8, 6 / 8, 5 / 8, 4 / 8, 3 / 8, 2 / 8, 1 / 8, 0]);
    const w6 = sweepWeights(6, 24, new Rng(2));
    expect(w6).toHaveLength(24);
    for (const x of w6) expect(x.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(sweepWeights(6, 6, new Rng(3)).every((x) => Math.max(...x) === 1)).toBe(true);
  });

  it('greedy return equals the rollout of the argmax policy', () => {
    const { mdp } = deepSeaTreasure(50);
    const l = VectorPgLearner.random(mdp, new Rng(4), 1);
    expect(Array.from(l.greedyReturn())).toEqual(Array.from(deterministicReturn(mdp, (s) => l.greedy(s))));
  });

  it('scalarised PG moves a one-decision tree to the leaf its preference favours', () => {
    const { mdp, leaves } = fruitTree(new Rng(5), 1, 2, 1);
    for (const k of [0, 1]) {
      const w = Float64Array.from([1 - k, k]);
      const run = trainScalarised(mdp, new Rng(6), { ...pg, initStd: 0, weights: [w], updates: 30 });
      const best = leaves[0][k] > leaves[1][k] ? leaves[0] : leaves[1];
      const last = run.archive.history.length ? run.archive.front() : [];
      expect(last.some((e) => e.ret[k] === best[k])).toBe(true);
      expect(run.updates).toBe(30);
    }
  });

  it('Pareto extension spends exactly stage 1 + rounds × numSelect × nObj × branchUpdates updates', () => {
    const { mdp } = deepSeaTreasure(20, { treasures: [1, 3, 2, 7], depths: [1, 2, 3, 2] });
    for (const solver of ['ipo', 'lagrangian'] as const) {
      const run = paretoExtension(mdp, new Rng(7), {
        ...pg,
        weights: sweepWeights(2, 3, new Rng(8)),
        updates: 10,
        rounds: 2,
        numSelect: 2,
        branchUpdates: 5,
        beta: 0.9,
        solver,
        t: 20,
        dualLr: 2,
      });
      expect(run.updates).toBe(3 * 10 + 2 * 2 * 2 * 5);
      expect(run.extension!.branches).toBe(2 * 2 * 2);
      expect(Math.max(...run.archive.history.map((h) => h.update))).toBeLessThanOrEqual(run.updates);
    }
  });
});
