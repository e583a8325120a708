import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { makeEnv } from '../../../src/testbeds/tabular/env/mdp';
import { valueIteration } from '../../../src/testbeds/tabular/solvers/exact';
import { goalTask, layoutCells, type OfflineMdp } from '../../../src/testbeds/offline/env/tasks';
import { CELL } from '../../../src/testbeds/tabular/env/gridworld';
import type { OfflineDataset } from '../../../src/testbeds/offline/data/dataset';
import { empiricalIndex } from '../../../src/testbeds/offline/data/empirical';
import {
  bestSupportedPolicy,
  bfsDistances,
  monteCarloValue,
  normalisedValue,
  policyValue,
  valueScale,
} from '../../../src/testbeds/offline/solvers/evaluation';

/** Two states; action 0 stays, action 1 switches. r̄: (0,stay)=0, (0,switch)=1, (1,stay)=2, (1,switch)=0. */
function twoStateChain(gamma: number): OfflineMdp {
  const T = [1, 0, 0, 1, 0, 1, 1, 0]; // [s, a, s']
  const env = makeEnv({ nS: 2, nA: 2, gamma, T, init: [1, 0] });
  const reward = Float64Array.from([0, 1, 2, 0]);
  return { env, reward, entryReward: reward.slice(), terminal: new Uint8Array(2) };
}

/** A dataset holding `reps` samples of every (s, a) of the non-terminal states, successors drawn from τ. */
function fullCoverageData(mdp: OfflineMdp, reps: number, rng: Rng): OfflineDataset {
  const { nS, nA, T, gamma } = mdp.env;
  const s: number[] = [],
    a: number[] = [],
    r: number[] = [],
    sp: number[] = [],
    done: number[] = [];
  for (let x = 0; x < nS; x++) {
    if (mdp.terminal[x]) continue;
    for (let b = 0; b < nA; b++)
      for (let k = 0; k < reps; k++) {
        const row = x * nA + b;
        let u = rng.uniform(),
          e = T.rowPtr[row + 1] - 1;
        for (let j = T.rowPtr[row]; j < T.rowPtr[row + 1] - 1; j++) if ((u -= T.prob[j]) < 0) ((e = j), (j = 1e9));
        (s.push(x), a.push(b), r.push(mdp.entryReward[e]), sp.push(T.col[e]), done.push(mdp.terminal[T.col[e]]));
      }
  }
  const n = s.length;
  return {
    nS,
    nA,
    gamma,
    size: n,
    s: Int32Array.from(s),
    a: Int32Array.from(a),
    r: Float64Array.from(r),
    sp: Int32Array.from(sp),
    done: Uint8Array.from(done),
    episode: Int32Array.from({ length: n }, (_, i) => i),
    step: new Int32Array(n),
    quality: 'full-coverage',
  };
}

describe('offline exact evaluation', () => {
  it('solves a hand-solved 2-state chain: uniform policy V = (7.25, 7.75) at γ = 0.9', () => {
    // V0 = ½(0 + 0.9 V0) + ½(1 + 0.9 V1), V1 = ½(2 + 0.9 V1) + ½(0 + 0.9 V0) ⇒ V0 = 7.25, V1 = 7.75.
    const mdp = twoStateChain(0.9);
    expect(policyValue(mdp, new Float64Array(4).fill(0.5))).toBeCloseTo(7.25, 12);
    // Deterministic "switch then stay": V1 = 2/(1 − 0.9) = 20, V0 = 1 + 0.9·20 = 19.
    expect(policyValue(mdp, Int32Array.from([1, 0]))).toBeCloseTo(19, 12);
    const scale = valueScale(mdp);
    expect(scale.optimal).toBeCloseTo(19, 9);
    expect(scale.uniform).toBeCloseTo(7.25, 12);
    expect(normalisedValue(13.125, scale)).toBeCloseTo(0.5, 12);
  });

  it('agrees with Monte Carlo rollouts within 4 standard errors (stochastic policy, slippery four rooms)', () => {
    const task = goalTask({ layout: 'four-rooms', size: 9, gamma: 0.9, slip: 0.2 });
    const { nS, nA } = task.env;
    const rng = new Rng(11);
    const pi = new Float64Array(nS * nA);
    for (let s = 0; s < nS; s++) {
      const w = rng.dirichlet(nA, 1);
      for (let a = 0; a < nA; a++) pi[s * nA + a] = w[a];
    }
    const J = policyValue(task, pi);
    const mc = monteCarloValue(task, pi, { rollouts: 4000, horizon: 300 }, rng.split('mc'));
    expect(mc.truncationBound).toBeLessThan(1e-12);
    expect(mc.se).toBeGreaterThan(0);
    expect(Math.abs(mc.mean - J)).toBeLessThan(4 * mc.se);
    // and it is not trivially wide: a policy worth less is told apart
    const worse = monteCarloValue(task, new Float64Array(nS * nA).fill(1 / nA), { rollouts: 4000, horizon: 300 }, rng);
    expect(Math.abs(worse.mean - policyValue(task, new Float64Array(nS * nA).fill(1 / nA)))).toBeLessThan(4 * worse.se);
  });

  it('gives V*(s) = −(1 − γ^(d−1))/(1 − γ) with d the BFS distance on a deterministic grid', () => {
    for (const layout of ['open-room', 'four-rooms'] as const) {
      const task = goalTask({ layout, size: 9, gamma: 0.95, slip: 0 });
      const d = bfsDistances(task.env, task.goal);
      const V = valueIteration(task.env, task.reward, { tol: 1e-12 }).V;
      for (let s = 0; s < task.env.nS; s++) {
        if (s === task.goal) {
          expect(d[s]).toBe(0);
          expect(V[s]).toBe(0);
          continue;
        }
        expect(d[s]).toBeGreaterThan(0);
        expect(V[s]).toBeCloseTo(-(1 - 0.95 ** (d[s] - 1)) / (1 - 0.95), 9);
      }
    }
  });

  it('BFS distances are Manhattan distances in an open room and longer through the four-rooms gates', () => {
    const size = 7;
    const open = goalTask({ layout: 'open-room', size, gamma: 0.9, slip: 0 });
    const d = bfsDistances(open.env, open.goal);
    for (let s = 0; s < open.env.nS; s++) {
      const c = open.env.stateCell[s];
      expect(d[s]).toBe(Math.floor(c / size) + (size - 1 - (c % size)));
    }
    const rooms = goalTask({ layout: 'four-rooms', size, gamma: 0.9, slip: 0 });
    const cells = layoutCells(rooms.spec);
    expect(cells.filter((c) => c === CELL.house).length).toBe(2 * size - 1 - 4);
    const dr = bfsDistances(rooms.env, rooms.goal);
    // (row 4, col 2) must step sideways to a gate: 10 steps where the Manhattan distance is 8
    expect(dr[rooms.env.cellState[4 * size + 2]]).toBe(10);
    expect(dr[rooms.env.cellState[(size - 1) * size]]).toBe(2 * (size - 1));
    expect(() => bfsDistances(rooms.env, rooms.env.nS)).toThrow(/not a state/);
  });

  it('the best data-supported policy is the optimum when the data covers every state-action', () => {
    const task = goalTask({ layout: 'four-rooms', size: 9, gamma: 0.95, slip: 0.1 });
    const idx = empiricalIndex(fullCoverageData(task, 1, new Rng(3)));
    const ref = bestSupportedPolicy(task, idx);
    const scale = valueScale(task);
    expect(ref.value).toBeCloseTo(scale.optimal, 9);
    expect(ref.restrictedValue).toBeCloseTo(scale.optimal, 9);
    const vi = valueIteration(task.env, task.reward, { tol: 1e-12 });
    for (let s = 0; s < task.env.nS; s++) expect(ref.V[s]).toBeCloseTo(vi.V[s], 9);
  });

  it('the best data-supported policy keeps to supported actions and scores leaving the data pessimistically', () => {
    // Data: only "up" (action 0) everywhere in an open room: the reference cannot reach a goal to the right.
    const task = goalTask({ layout: 'open-room', size: 5, gamma: 0.9, slip: 0 });
    const data = fullCoverageData(task, 1, new Rng(1));
    const keep = Array.from(data.a, (a, i) => (a === 0 ? i : -1)).filter((i) => i >= 0);
    const sub: OfflineDataset = {
      ...data,
      size: keep.length,
      s: Int32Array.from(keep, (i) => data.s[i]),
      a: Int32Array.from(keep, (i) => data.a[i]),
      r: Float64Array.from(keep, (i) => data.r[i]),
      sp: Int32Array.from(keep, (i) => data.sp[i]),
      done: Uint8Array.from(keep, (i) => data.done[i]),
      episode: Int32Array.from(keep, (_, k) => k),
      step: new Int32Array(keep.length),
    };
    const idx = empiricalIndex(sub);
    expect(idx.outsideValue).toBeCloseTo(-1 / (1 - 0.9), 12);
    const ref = bestSupportedPolicy(task, idx);
    for (let s = 0; s < task.env.nS; s++) {
      if (task.terminal[s]) continue;
      expect(ref.policy[s * 4]).toBe(1);
      // the goal column (last) reaches the goal by going up; every other state loops forever at −1 per step
      const col = task.env.stateCell[s] % 5;
      if (col !== 4) expect(ref.V[s]).toBeCloseTo(-10, 9);
    }
    expect(ref.value).toBeLessThan(valueScale(task).optimal);
  });
});
