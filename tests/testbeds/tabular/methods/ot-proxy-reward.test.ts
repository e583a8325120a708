import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  autoRewardScale,
  euclideanCost,
  otRewards,
  otStepCosts,
  sinkhornKnopp,
  type ObsSeq,
} from '../../../../src/testbeds/tabular/methods/ot-proxy-reward';

const seq = (rows: number[][]): ObsSeq => ({ n: rows.length, d: rows[0].length, x: Float64Array.from(rows.flat()) });

function permutations(n: number): number[][] {
  if (n === 1) return [[0]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

describe('OT proxy reward (the code of IL_ADS / ROT)', () => {
  it('Euclidean cost matches a hand computation', () => {
    const C = euclideanCost(
      seq([
        [0, 0],
        [3, 4],
      ]),
      seq([
        [0, 0],
        [0, 1],
        [6, 8],
      ]),
    );
    expect(Array.from(C)).toEqual([0, 1, 10, 5, Math.sqrt(9 + 9), 5]);
  });

  it('the Sinkhorn plan has uniform marginals', () => {
    const rng = new Rng(3);
    const n = 6;
    const C = Float64Array.from({ length: n * n }, () => rng.uniform());
    const P = sinkhornKnopp(C, n, n, { reg: 0.05, maxIter: 2000 });
    for (let i = 0; i < n; i++) {
      let r = 0,
        c = 0;
      for (let j = 0; j < n; j++) {
        r += P[i * n + j];
        c += P[j * n + i];
      }
      expect(r).toBeCloseTo(1 / n, 6);
      expect(c).toBeCloseTo(1 / n, 6);
    }
  });

  it('with small ε the total OT cost approaches the brute-force optimal assignment / n', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 5; trial++) {
      const n = 5;
      const a = seq(Array.from({ length: n }, () => [rng.uniform(), rng.uniform()]));
      const b = seq(Array.from({ length: n }, () => [rng.uniform(), rng.uniform()]));
      const C = euclideanCost(a, b);
      let best = Infinity;
      for (const p of permutations(n))
        best = Math.min(
          best,
          p.reduce((s, j, i) => s + C[i * n + j], 0),
        );
      const c = otStepCosts(C, n, n, { reg: 0.002, maxIter: 20000, stopThr: 1e-12 });
      const total = c.reduce((s, x) => s + x, 0);
      expect(total).toBeGreaterThanOrEqual(best / n - 1e-6);
      expect(total).toBeLessThan(best / n + 0.01);
    }
  });

  it('2×2 hand case: identical sequences cost 0; a swapped pair is matched crosswise', () => {
    const a = seq([[0], [1]]);
    expect(Array.from(otRewards(a, [a], 1).rewards).every((r) => Math.abs(r) < 1e-12)).toBe(true);
    // Agent (0, 1) vs expert (1, 0): OT is order-free, so the cost is still ~0.
    const r = otRewards(a, [seq([[1], [0]])], 1).rewards;
    expect(Math.abs(r[0]) + Math.abs(r[1])).toBeLessThan(1e-9);
    // Agent (0, 0) vs expert (0, 1): one agent step must carry half its mass to 1: costs (0.25, 0.25).
    const r2 = otRewards(seq([[0], [0]]), [a], 2).rewards;
    expect(r2[0]).toBeCloseTo(-0.5, 9);
    expect(r2[1]).toBeCloseTo(-0.5, 9);
  });

  it('keeps the closest demonstration and scales rewards; the auto scale gives a total of −10', () => {
    const agent = seq([[0], [0], [1]]);
    const far = seq([[5], [5], [5]]);
    const near = seq([[0], [0], [1.1]]);
    const res = otRewards(agent, [far, near], 3);
    expect(res.demo).toBe(1);
    expect(res.scores[0]).toBeLessThan(res.scores[1]);
    const total = res.rewards.reduce((s, x) => s + x, 0);
    expect(total).toBeCloseTo(3 * res.scores[1], 12);
    const s = autoRewardScale(res.scores[1]);
    expect(s * res.scores[1]).toBeCloseTo(-10, 12);
    expect(() => otRewards(agent, [seq([[0], [1]])], 1)).toThrow(/equal shapes/);
  });
});
