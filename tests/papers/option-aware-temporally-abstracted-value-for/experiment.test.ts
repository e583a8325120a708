import { describe, expect, it } from 'vitest';
import {
  column,
  DEFAULTS,
  makeMaze,
  methodNames,
  runSeed,
  type Config,
} from '../../../src/papers/option-aware-temporally-abstracted-value-for/experiment';
import { bfsDistances } from '../../../src/testbeds/offline/solvers/evaluation';
import { valueIteration } from '../../../src/testbeds/tabular/solvers/exact';
import { makeGridworld, CELL } from '../../../src/testbeds/tabular/env/gridworld';
import { optimalOneStepValue } from '../../../src/testbeds/offline/methods/gc-value';
import { expectWellFormed } from '../run-result';

const tiny: Config = {
  ...DEFAULTS,
  maze: { ...DEFAULTS.maze, rooms: 5 },
  episodes: 6,
  horizon: 80,
  steps: 300,
  batch: 32,
  nSweep: [1, 5],
  signSamples: 50,
  edges: [1, 5, 10, 30],
  farDist: 10,
  nearDist: 5,
  evalPairs: 8,
};

describe('the OTA maze miniature', () => {
  it('evaluation pairs are at least farDist apart, farthest first, and the same for every run', () => {
    const mz = makeMaze(DEFAULTS);
    const d = mz.pairs.map(([s, g]) => mz.dist[s * mz.nS + g]);
    expect(d.length).toBe(DEFAULTS.evalPairs);
    for (let j = 0; j < d.length; j++) {
      expect(d[j]).toBeGreaterThanOrEqual(DEFAULTS.farDist);
      if (j > 0) expect(d[j]).toBeLessThanOrEqual(d[j - 1]);
    }
    expect(makeMaze(DEFAULTS).pairs).toEqual(mz.pairs);
    expect(mz.diameter).toBeGreaterThanOrEqual(DEFAULTS.farDist + 10);
  });

  it('ground truth: BFS distances give the optimal goal-reaching value of value iteration on each goal task', () => {
    const mz = makeMaze(DEFAULTS);
    const { world, nS } = mz;
    for (const g of [0, 57, nS - 1]) {
      const cells = Int8Array.from(world.cells);
      cells[world.stateCell[g]] = CELL.goal;
      const task = makeGridworld({ height: world.height, width: world.width, cells, gamma: DEFAULTS.maze.gamma });
      // −1 per step from a non-terminal cell, 0 after entering the goal: V* = −(1 − γ^d)/(1 − γ).
      const r = new Float64Array(task.nS * task.nA);
      for (let s = 0; s < task.nS; s++) if (!task.terminal[s]) for (let a = 0; a < 4; a++) r[s * 4 + a] = -1;
      const vi = valueIteration(task, r, { tol: 1e-12 });
      const d = column(mz.dist, nS, g);
      const dTask = bfsDistances(task, task.cellState[world.stateCell[g]]);
      for (let s = 0; s < nS; s++) {
        const st = task.cellState[world.stateCell[s]];
        expect(dTask[st]).toBe(d[s]);
        expect(vi.V[st]).toBeCloseTo(optimalOneStepValue(d[s], DEFAULTS.maze.gamma), 8);
      }
    }
  });

  it('a run of a tiny configuration is well formed and records every method', () => {
    const r = runSeed(tiny, 3);
    expectWellFormed(r);
    for (const m of methodNames(tiny)) {
      expect(r.metrics[`${m}/success`]).toBeGreaterThanOrEqual(0);
      expect(r.metrics[`${m}/success`]).toBeLessThanOrEqual(1);
    }
    for (const m of ['hiql', 'ota-n1', 'ota-n5']) {
      expect(r.metrics[`${m}/wrongFar`]).toBeGreaterThanOrEqual(0);
      expect(r.metrics[`${m}/wrongFar`]).toBeLessThanOrEqual(1);
    }
    expect(r.metrics['data/transitions']).toBe(tiny.episodes * tiny.horizon);
    expect(runSeed(tiny, 3)).toEqual(r);
  });
});
