import { describe, expect, it } from 'vitest';
import { runSeed } from '../../../src/papers/rover/trees';

describe('rover: the theorem on random trees', () => {
  it(
    'Theorem 3.1: greedy(Q^u) is optimal at every state of ' +
      'every random binary-reward tree (branching 4–8, depth 4–8)',
    () => {
      const r = runSeed(
        { trees: 30, branching: [4, 8], depth: [4, 8], pStop: 0.3, rewardFraction: [0.01, 0.1], maxNodes: 200_000 },
        7,
      );
      const s = r.series as Record<string, number[]>;
      expect(s['tree/solvable'].filter((x) => x === 1).length).toBeGreaterThan(20);
      s['tree/solvable'].forEach((sol, i) => {
        expect(s['uniform-q/suboptimalStates'][i]).toBe(0);
        expect(s['uniform-q/supportMismatches'][i]).toBe(0); // Q^u(s, a) > 0 iff a rewarding leaf lies below
        expect(s['uniform-q/greedyReturn'][i]).toBe(sol ? 1 : 0);
      });
      expect(Math.max(...s['tree/depth'])).toBeGreaterThanOrEqual(7);
    },
  );

  it('the same check fails where it should: a myopic score, and continuous rewards (outside the theorem)', () => {
    const r = runSeed(
      { trees: 30, branching: [4, 8], depth: [4, 8], pStop: 0.3, rewardFraction: [0.01, 0.1], maxNodes: 200_000 },
      8,
    );
    const s = r.series as Record<string, number[]>;
    const sum = (x: number[]) => x.reduce((a, b) => a + b, 0);
    expect(sum(s['myopic/suboptimalStates'])).toBeGreaterThan(0);
    expect(sum(s['myopic/greedyReturn'])).toBeLessThan(sum(s['tree/solvable']));
    expect(sum(s['continuous/suboptimalStates'])).toBeGreaterThan(0);
    const gap = s['continuous/optimalReturn'].map((v, i) => v - s['continuous/greedyReturn'][i]);
    expect(Math.max(...gap)).toBeGreaterThan(0.01);
  });
});
