import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { collectGoalReaching, type OfflineDataset } from '../../../src/testbeds/offline/data/dataset';
import { mazeCells, mazeSize, mazeWorld } from '../../../src/testbeds/offline/env/maze';
import {
  materialise,
  oneStepTarget,
  optimalOneStepValue,
  sampleGoal,
  trainGcValue,
  trajectoriesOf,
  type GcTrajectories,
  type ValueTarget,
} from '../../../src/testbeds/offline/methods/gc-value';
import {
  actionData,
  advantageSignErrors,
  compositePolicy,
  highLevelPolicy,
  lowLevelAction,
  oracleHighLevel,
  stateIndex,
  subgoalTarget,
  successWithin,
} from '../../../src/testbeds/offline/methods/hiql';
import { optimalOptionValue, optionAwareTarget } from '../../../src/testbeds/offline/methods/ota';
import { bfsDistances } from '../../../src/testbeds/offline/solvers/evaluation';
import { CELL, makeGridworld } from '../../../src/testbeds/tabular/env/gridworld';

/** Open cells and their 4-neighbour adjacencies of a layout. */
function graphOf(cells: Int8Array, size: number): { open: number; edges: number; reached: number } {
  let open = 0,
    edges = 0;
  const isOpen = (r: number, c: number) =>
    r >= 0 && c >= 0 && r < size && c < size && cells[r * size + c] !== CELL.house;
  let first = -1;
  for (let r = 0; r < size; r++)
    for (let c = 0; c < size; c++)
      if (isOpen(r, c)) {
        open++;
        if (first < 0) first = r * size + c;
        if (isOpen(r, c + 1)) edges++;
        if (isOpen(r + 1, c)) edges++;
      }
  const seen = new Set([first]);
  const stack = [first];
  while (stack.length) {
    const x = stack.pop()!;
    const r = Math.floor(x / size),
      c = x % size;
    for (const [dr, dc] of [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ])
      if (isOpen(r + dr, c + dc) && !seen.has((r + dr) * size + c + dc)) {
        seen.add((r + dr) * size + c + dc);
        stack.push((r + dr) * size + c + dc);
      }
  }
  return { open, edges, reached: seen.size };
}

describe('maze layouts', () => {
  it('without braiding the maze is a spanning tree of the junctions (connected, edges = cells − 1)', () => {
    for (const seed of [1, 2, 3]) {
      const rooms = 6;
      const g = graphOf(mazeCells({ rooms, braid: 0, layoutSeed: seed }), mazeSize({ rooms }));
      expect(g.open).toBe(rooms * rooms + rooms * rooms - 1);
      expect(g.edges).toBe(g.open - 1);
      expect(g.reached).toBe(g.open);
    }
  });

  it('with braid 1 every wall between adjacent junctions is open; the layout is a function of its seed', () => {
    const rooms = 5;
    const g = graphOf(mazeCells({ rooms, braid: 1, layoutSeed: 4 }), mazeSize({ rooms }));
    expect(g.open).toBe(rooms * rooms + 2 * rooms * (rooms - 1));
    const a = mazeCells({ rooms: 8, braid: 0.2, layoutSeed: 9 });
    expect(Array.from(mazeCells({ rooms: 8, braid: 0.2, layoutSeed: 9 }))).toEqual(Array.from(a));
    expect(Array.from(mazeCells({ rooms: 8, braid: 0.2, layoutSeed: 10 }))).not.toEqual(Array.from(a));
  });
});

/** A 1 × L corridor (deterministic) and a dataset of given state sequences (one episode each). */
function corridor(L: number, gamma = 0.9) {
  return makeGridworld({ height: 1, width: L, cells: new Int8Array(L), gamma });
}
function datasetOf(nS: number, episodes: number[][]): OfflineDataset {
  const s: number[] = [],
    a: number[] = [],
    sp: number[] = [],
    ep: number[] = [],
    st: number[] = [];
  episodes.forEach((seq, e) => {
    for (let t = 0; t + 1 < seq.length; t++) {
      s.push(seq[t]);
      sp.push(seq[t + 1]);
      a.push(seq[t + 1] > seq[t] ? 3 : seq[t + 1] < seq[t] ? 2 : 0);
      ep.push(e);
      st.push(t);
    }
  });
  const n = s.length;
  return {
    nS,
    nA: 4,
    gamma: 0.9,
    size: n,
    s: Int32Array.from(s),
    a: Int32Array.from(a),
    r: new Float64Array(n),
    sp: Int32Array.from(sp),
    done: new Uint8Array(n),
    episode: Int32Array.from(ep),
    step: Int32Array.from(st),
    quality: 'test',
  };
}

describe('goal-conditioned trajectories and goal sampling', () => {
  const traj = trajectoriesOf(
    datasetOf(6, [
      [0, 1, 2, 3],
      [5, 4, 4, 3, 2],
    ]),
  );

  it('keeps each episode with its final state; valid indices are those with an action', () => {
    expect(Array.from(traj.obs)).toEqual([0, 1, 2, 3, 5, 4, 4, 3, 2]);
    expect(Array.from(traj.final)).toEqual([3, 3, 3, 3, 8, 8, 8, 8, 8]);
    expect(Array.from(traj.valid)).toEqual([0, 1, 2, 4, 5, 6, 7]);
    expect(traj.act[3]).toBe(-1);
  });

  it('samples current, trajectory (geometric, within the episode) and random goals in the stated proportions', () => {
    const rng = new Rng(3);
    const n = 40000;
    const kinds = [0, 0, 0];
    let offsetOne = 0,
      traj1 = 0;
    for (let m = 0; m < n; m++) {
      const g = sampleGoal(traj, 4, { pCur: 0.2, pTraj: 0.5, pRandom: 0.3, geometric: true }, 0.9, rng);
      kinds[g.kind]++;
      if (g.kind === 0) expect(g.index).toBe(4);
      if (g.kind === 1) {
        expect(g.index).toBeGreaterThan(4);
        expect(g.index).toBeLessThanOrEqual(8);
        traj1++;
        if (g.index === 5) offsetOne++;
      }
    }
    const se = (p: number) => 5 * Math.sqrt((p * (1 - p)) / n);
    expect(Math.abs(kinds[0] / n - 0.2)).toBeLessThan(se(0.2));
    expect(Math.abs(kinds[1] / n - 0.8 * 0.625)).toBeLessThan(se(0.5));
    // Geometric(1 − γ) on {1, 2, …}: P(offset = 1) = 1 − γ = 0.1.
    expect(Math.abs(offsetOne / traj1 - 0.1)).toBeLessThan(5 * Math.sqrt(0.09 / traj1));
  });

  it('the one-step target rewards 0 and stops bootstrapping exactly when s = g', () => {
    const rng = new Rng(1);
    const out: ValueTarget = { s: 0, next: 0, g: 0, reward: 0, mask: 0 };
    const f = oneStepTarget({ pCur: 0.3, pTraj: 0.4, pRandom: 0.3, geometric: true }, 0.9);
    for (let m = 0; m < 2000; m++) {
      const i = traj.valid[m % traj.valid.length];
      f(traj, i, rng, out);
      expect(out.s).toBe(traj.obs[i]);
      expect(out.next).toBe(traj.obs[i + 1]);
      expect(out.reward).toBe(out.s === out.g ? 0 : -1);
      expect(out.mask).toBe(out.s === out.g ? 0 : 1);
    }
  });
});

describe('the option-aware target (OTA)', () => {
  // One episode 0 → 1 → … → 9 on a corridor.
  const traj = trajectoriesOf(datasetOf(10, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]));
  const out: ValueTarget = { s: 0, next: 0, g: 0, reward: 0, mask: 0 };

  it('terminates after n steps, at the end of the trajectory, or on reaching the goal (including at the start)', () => {
    const rng = new Rng(2);
    const f = optionAwareTarget({ pCur: 0, pTraj: 0, pRandom: 1, geometric: true }, 0.9, 3);
    for (let m = 0; m < 3000; m++) {
      const i = m % 9;
      f(traj, i, rng, out);
      const s = i,
        g = out.g;
      const expected = g >= s && g <= Math.min(s + 3, 9) ? g : Math.min(s + 3, 9);
      expect(out.next).toBe(expected);
      const hit = g >= s && g <= Math.min(s + 3, 9);
      expect(out.reward).toBe(hit ? 0 : -1);
      expect(out.mask).toBe(hit ? 0 : 1);
    }
  });

  it("with the current-state goal the goal is the option's terminal state (a success)", () => {
    const rng = new Rng(4);
    const f = optionAwareTarget({ pCur: 0.999999, pTraj: 0, pRandom: 0.000001, geometric: true }, 0.9, 4);
    f(traj, 2, rng, out);
    expect(out.g).toBe(6);
    expect(out.next).toBe(6);
    expect(out.reward).toBe(0);
  });

  it('its exact value counts options: 0 within n steps, then −(1 − γ^{⌈d/n⌉−1})/(1 − γ) (Bellman-consistent)', () => {
    const gamma = 0.9,
      n = 4;
    for (let d = 0; d <= n; d++) expect(optimalOptionValue(d, gamma, n) === 0).toBe(true);
    for (let d = n + 1; d < 40; d++)
      expect(optimalOptionValue(d, gamma, n)).toBeCloseTo(-1 + gamma * optimalOptionValue(d - n, gamma, n), 12);
    for (let d = 1; d < 40; d++)
      expect(optimalOneStepValue(d, gamma)).toBeCloseTo(-1 + gamma * optimalOneStepValue(d - 1, gamma), 12);
    // n = 1 is the one-step value shifted by one step.
    for (let d = 1; d < 20; d++)
      expect(optimalOptionValue(d, gamma, 1)).toBeCloseTo(optimalOneStepValue(d - 1, gamma), 12);
  });
});

describe('expectile TD with the two-tower value', () => {
  it('on a corridor with data in both directions, learns the one-step and the option-aware optimal values', () => {
    const L = 8,
      gamma = 0.8;
    const world = corridor(L, gamma);
    const data = collectGoalReaching(world, { episodes: 30, horizon: 60, epsilon: 0.1 }, new Rng(7));
    const traj = trajectoriesOf(data);
    const o = { steps: 3000, batch: 64, lr: 0.01, rank: L, initScale: 0.1, expectile: 0.9, polyak: 0.05, gamma };
    const goals = { pCur: 0.2, pTraj: 0.5, pRandom: 0.3, geometric: true };
    const V = trainGcValue(traj, oneStepTarget(goals, gamma), o, new Rng(8)).V;
    const Vh = trainGcValue(traj, optionAwareTarget(goals, gamma, 2), o, new Rng(9)).V;
    let err1 = 0,
      err2 = 0;
    for (let s = 0; s < L; s++)
      for (let g = 0; g < L; g++) {
        const d = Math.abs(s - g);
        err1 = Math.max(err1, Math.abs(V[s * L + g] - optimalOneStepValue(d, gamma)));
        err2 = Math.max(err2, Math.abs(Vh[s * L + g] - optimalOptionValue(d, gamma, 2)));
      }
    // The expectile (τ = 0.9) of a noisy behaviour sits a little below the optimum; values span [−4.2, 0].
    expect(err1).toBeLessThan(0.6);
    expect(err2).toBeLessThan(0.6);
  });

  it('materialises b + u(s)ᵀ v(g) and rejects bad options', () => {
    const theta = Float64Array.from([0.5, 1, 2, 3, 4, 5, 6, 7, 8]); // nS = 2, r = 2
    const V = materialise(theta, 2, 2);
    // u(0) = (1, 2), u(1) = (3, 4), v(0) = (5, 6), v(1) = (7, 8)
    expect(Array.from(V)).toEqual([0.5 + 17, 0.5 + 23, 0.5 + 39, 0.5 + 53]);
    const traj = trajectoriesOf(datasetOf(3, [[0, 1, 2]]));
    const f = oneStepTarget({ pCur: 0.2, pTraj: 0.5, pRandom: 0.3, geometric: true }, 0.9);
    const base = { steps: 1, batch: 1, lr: 0.01, rank: 2, initScale: 0.1, expectile: 0.7, polyak: 0.005, gamma: 0.9 };
    expect(() => trainGcValue(traj, f, { ...base, expectile: 1 }, new Rng(1))).toThrow(/expectile/);
    expect(() => trainGcValue(traj, f, { ...base, rank: 0 }, new Rng(1))).toThrow(/rank/);
  });
});

describe("HIQL's hierarchical policy, tabular", () => {
  const L = 10,
    gamma = 0.9;
  const world = corridor(L, gamma);
  const traj: GcTrajectories = trajectoriesOf(
    datasetOf(L, [
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
    ]),
  );
  const Vstar = new Float64Array(L * L);
  const dist = new Int32Array(L * L);
  for (let s = 0; s < L; s++)
    for (let g = 0; g < L; g++) {
      dist[s * L + g] = Math.abs(s - g);
      Vstar[s * L + g] = optimalOneStepValue(Math.abs(s - g), gamma);
    }
  const o = { subgoalSteps: 3, alphaHigh: 3, alphaLow: 3 };

  it('clips the subgoal target to the goal when the trajectory reaches it within k steps', () => {
    expect(subgoalTarget(traj, 2, 3, 9)).toBe(5);
    expect(subgoalTarget(traj, 2, 3, 4)).toBe(4);
    expect(subgoalTarget(traj, 8, 3, 0)).toBe(9);
    expect(subgoalTarget(traj, 12, 3, 0)).toBe(4); // second episode: index 12 is state 7, 3 steps on: 4
  });

  it('with α = 0 both levels are the data distribution; with the true value they move toward the goal', () => {
    const si = stateIndex(traj);
    const flat = { subgoalSteps: 3, alphaHigh: 0, alphaLow: 0 };
    const hi0 = highLevelPolicy(traj, si, Vstar, 9, flat);
    // From state 4: targets 7 (forward episode) and 1 (backward episode), equally often.
    const at4 = new Map<number, number>();
    for (let m = hi0.ptr[4]; m < hi0.ptr[5]; m++) at4.set(hi0.w[m], hi0.p[m]);
    expect(at4.get(7)).toBeCloseTo(0.5, 12);
    expect(at4.get(1)).toBeCloseTo(0.5, 12);
    const hi = highLevelPolicy(traj, si, Vstar, 9, o);
    // Weights min(exp(3 A), 100): toward the goal A = V*(7, 9) − V*(4, 9) > 0 (clipped), away A = V*(1, 9) − V*(4, 9).
    const away = Math.exp(3 * (Vstar[1 * L + 9] - Vstar[4 * L + 9]));
    for (let m = hi.ptr[4]; m < hi.ptr[5]; m++) if (hi.w[m] === 7) expect(hi.p[m]).toBeCloseTo(100 / (100 + away), 12);
    const ad = actionData(traj);
    const low = lowLevelAction(ad, Vstar, L, 4, 4, 7, o, new Float64Array(4));
    expect(low[3]).toBeGreaterThan(0.9);
    expect(low[0] + low[1] + low[2] + low[3]).toBeCloseTo(1, 12);
    const low0 = lowLevelAction(ad, Vstar, L, 4, 4, 7, flat, new Float64Array(4));
    expect(low0[3]).toBeCloseTo(0.5, 12);
    expect(low0[2]).toBeCloseTo(0.5, 12);
  });

  it('the oracle high level picks the data subgoal closest to the goal; the composite policy then reaches it', () => {
    const si = stateIndex(traj);
    const col = Int32Array.from({ length: L }, (_, s) => Math.abs(s - 0));
    const or = oracleHighLevel(traj, si, col, 0, 3);
    for (let m = or.ptr[6]; m < or.ptr[7]; m++) expect(or.w[m]).toBe(3);
    const pi = compositePolicy(or, actionData(traj), Vstar, L, 4, o);
    expect(successWithin(world, pi, 9, 0, 27)).toBeGreaterThan(0.99);
    expect(successWithin(world, pi, 9, 0, 8)).toBe(0); // 9 steps away: impossible in 8
  });

  it('success within a limit is exact: right w.p. ½, else stay, reaches d within T w.p. P(Bin(T, ½) ≥ d)', () => {
    const pi = new Float64Array(L * 4);
    for (let s = 0; s < L; s++) {
      pi[s * 4 + 3] = 0.5;
      pi[s * 4 + 0] = 0.5; // up: a wall, stays
    }
    const binomTail = (T: number, d: number) => {
      let p = 0;
      for (let j = d; j <= T; j++) {
        let c = 1;
        for (let i = 0; i < j; i++) c = (c * (T - i)) / (i + 1);
        p += c / 2 ** T;
      }
      return p;
    };
    for (const [T, d] of [
      [4, 4],
      [10, 4],
      [3, 4],
      [12, 7],
    ])
      expect(successWithin(world, pi, 0, d, T)).toBeCloseTo(binomTail(T, d), 12);
  });

  it('counts no wrong sign with the true value, every sign wrong with its negation, and skips ties', () => {
    const idx = traj.valid;
    const good = advantageSignErrors(traj, Vstar, dist, 3, idx, [0, 100]);
    expect(good.wrong[0]).toBe(0);
    expect(good.total[0]).toBeGreaterThan(0);
    const neg = Vstar.map((x) => -x);
    const bad = advantageSignErrors(traj, neg, dist, 3, idx, [0, 100]);
    expect(bad.wrong[0]).toBe(bad.total[0]);
    const flat = advantageSignErrors(traj, new Float64Array(L * L), dist, 3, idx, [0, 100]);
    expect(flat.wrong[0]).toBe(flat.total[0]);
  });

  it('BFS distances on a maze match the corridor lengths of the layout (maze world sanity)', () => {
    const w = mazeWorld({ rooms: 4, braid: 0, layoutSeed: 3, gamma: 0.9, slip: 0 });
    const d = bfsDistances(w, 0);
    // In a tree maze every distance from the corner is finite, and neighbours differ by exactly one step.
    for (let s = 0; s < w.nS; s++) {
      expect(d[s]).toBeGreaterThanOrEqual(0);
      for (let a = 0; a < 4; a++) {
        const n = w.next![s * 4 + a];
        if (n !== s) expect(Math.abs(d[n] - d[s])).toBe(1);
      }
    }
  });
});
