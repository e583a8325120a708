import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  cellOf,
  distanceToSuccess,
  expertDemo,
  makeWaypointWorld,
  observe,
  stageOf,
  waypointEnv,
} from '../../../../src/testbeds/tabular/env/ordered-waypoints';
import { validateEnv } from '../../../../src/testbeds/tabular/env/mdp';

describe('ordered-waypoints gridworld', () => {
  const spec = {
    height: 5,
    width: 9,
    start: [2, 2] as [number, number],
    waypoints: [
      [2, 0],
      [4, 5],
      [0, 8],
    ] as [number, number][],
  };
  const w = makeWaypointWorld(spec);

  it('stages advance only in order; the env is a valid deterministic MDP', () => {
    validateEnv(waypointEnv(w, 0.9));
    const nC = 45;
    // Entering B (4,5) at stage 0 does not advance; entering A at stage 0 does.
    const nextToB = 0 * nC + 3 * 9 + 5; // (3,5), stage 0
    expect(stageOf(w, w.next[nextToB * 5 + 1])).toBe(0);
    expect(cellOf(w, w.next[nextToB * 5 + 1])).toBe(4 * 9 + 5);
    const nextToA = 2 * 9 + 1;
    expect(stageOf(w, w.next[nextToA * 5 + 2])).toBe(1);
    // At stage 1, B advances to 2.
    expect(stageOf(w, w.next[(nC + 3 * 9 + 5) * 5 + 1])).toBe(2);
  });

  it('distance to success from the start is the Manhattan tour S→A→B→C; demos follow it, then stay', () => {
    const dist = distanceToSuccess(w);
    expect(dist[w.startState]).toBe(2 + 7 + 7);
    const rng = new Rng(1);
    const seen = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const d = expertDemo(w, 20, rng.split(i), dist);
      expect(d.length).toBe(21);
      expect(stageOf(w, d[16])).toBe(3);
      expect(stageOf(w, d[15])).toBe(2);
      for (let t = 16; t <= 20; t++) expect(d[t]).toBe(d[16]);
      seen.add(Array.from(d).join(','));
      const o = observe(w, d);
      expect(o.n).toBe(20);
      expect(o.x[19 * 3 + 2]).toBeCloseTo(0.25, 12);
    }
    expect(seen.size).toBeGreaterThan(1); // random tie-breaking gives different shortest paths
    expect(() => expertDemo(w, 10, rng)).toThrow(/needs 16 steps/);
  });
});
