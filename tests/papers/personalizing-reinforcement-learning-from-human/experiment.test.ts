import { describe, expect, it } from 'vitest';
import {
  bfsDistances,
  DEFAULTS,
  label,
  makeWorld,
  METHODS,
  planSuccess,
  runSeed,
} from '../../../src/papers/personalizing-reinforcement-learning-from-human/experiment';
import { expectWellFormed } from '../run-result';

describe('the VPL gridworld', () => {
  const w = makeWorld(DEFAULTS);

  it('BFS distances on the open grid are Manhattan distances; gold rewards are normalised, 1 only at the goal', () => {
    for (let u = 0; u < 2; u++) {
      const [gr, gc] = DEFAULTS.goals[u];
      const d = bfsDistances(w.grid, w.goalState[u]);
      for (let s = 0; s < w.nS; s++) {
        const cell = w.grid.stateCell[s];
        expect(d[s]).toBe(Math.abs(Math.floor(cell / DEFAULTS.width) - gr) + Math.abs((cell % DEFAULTS.width) - gc));
      }
      expect(Math.max(...w.gold[u])).toBe(1);
      expect(Math.min(...w.gold[u])).toBe(0);
      expect(w.gold[u].filter((x) => x === 1).length).toBe(1);
      expect(w.gold[u][w.goalState[u]]).toBe(1);
    }
  });

  it('labels follow the gold reward, with ½ on ties, and are antisymmetric', () => {
    const g = w.goalState[0];
    const far = w.goalState[1];
    expect(label(w, 0, g, far)).toBe(1);
    expect(label(w, 0, far, g)).toBe(0);
    expect(label(w, 1, g, far)).toBe(0);
    for (let s1 = 0; s1 < w.nS; s1 += 5)
      for (let s2 = 0; s2 < w.nS; s2 += 3) expect(label(w, 1, s1, s2) + label(w, 1, s2, s1)).toBe(1);
  });

  it("planning on a user's gold reward reaches that user's goal from every start; on the other user's rarely", () => {
    for (let u = 0; u < 2; u++) {
      expect(planSuccess(w, w.gold[u], 0.95, 30, w.goalState[u])).toBe(1);
      // only starts whose (tie-broken) shortest path to the other goal runs through this goal's cell count
      expect(planSuccess(w, w.gold[1 - u], 0.95, 30, w.goalState[u])).toBeLessThan(0.2);
    }
    // a too-short horizon cannot reach the goal from the far side: success = fraction within reach
    const d = bfsDistances(w.grid, w.goalState[0]);
    const within = Array.from(d).filter((x, s) => x <= 2 && !w.goalState.includes(s)).length;
    expect(planSuccess(w, w.gold[0], 0.95, 2, w.goalState[0])).toBeCloseTo(within / (w.nS - 2), 12);
  });

  it('a small seed is well formed and deterministic; BTL pooled accuracy never exceeds the Bayes-optimal one', () => {
    const cfg = { ...DEFAULTS, steps: 60, nContexts: 64, nEval: 2, nTest: 32, mixes: [0.5] };
    const r = runSeed(cfg, 1);
    expectWellFormed(r);
    expect(runSeed(cfg, 1)).toEqual(r);
    for (const m of METHODS)
      for (const k of ['accMin', 'successMin']) {
        const v = r.metrics[`${m}/${k}@mix=0.5`];
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    expect(r.metrics['oracle/successMin@mix=0.5']).toBe(1);
    expect(r.metrics['btl/pooledAcc@mix=0.5']).toBeLessThanOrEqual(r.metrics['bayes/pooledAcc@mix=0.5'] + 1e-12);
  });
});
