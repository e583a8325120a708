import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { mazeWorld } from '../../../src/testbeds/offline/env/maze';
import { optimalOneStepValue, type GcTrajectories } from '../../../src/testbeds/offline/methods/gc-value';
import { gcbcPolicy } from '../../../src/testbeds/offline/methods/gcbc';
import {
  actionData,
  compositePolicy,
  highLevelPolicy,
  lowLevelAction,
  stateIndex,
  successWithin,
} from '../../../src/testbeds/offline/methods/hiql';
import {
  samplesAt,
  sawLoss,
  sawPolicy,
  sawTarget,
  sawWeights,
  type SawOptions,
  type SawSample,
} from '../../../src/testbeds/offline/methods/saw';
import { klDivergence } from '../../../src/testbeds/tabular/methods/occupancy-regularisation';
import { bfsDistances } from '../../../src/testbeds/offline/solvers/evaluation';
import type { FeatureGridworld } from '../../../src/testbeds/tabular/env/gridworld';

const O: SawOptions = { alpha: 3, beta: 3, subgoalSteps: 2, awrTerm: true, klTerm: true };

/** Trajectories from explicit state/action lists (action −1 closes each trajectory). */
function trajectories(nS: number, nA: number, parts: { obs: number[]; act: number[] }[]): GcTrajectories {
  const obs: number[] = [],
    act: number[] = [],
    fin: number[] = [];
  for (const p of parts) {
    const end = obs.length + p.obs.length - 1;
    for (let j = 0; j < p.obs.length; j++) {
      obs.push(p.obs[j]);
      act.push(p.act[j]);
      fin.push(end);
    }
  }
  const valid: number[] = [];
  for (let j = 0; j < act.length; j++) if (act[j] >= 0) valid.push(j);
  return {
    nS,
    nA,
    obs: Int32Array.from(obs),
    act: Int32Array.from(act),
    final: Int32Array.from(fin),
    valid: Int32Array.from(valid),
  };
}

/** The successor of (s, a) on a deterministic world. */
function step(world: FeatureGridworld, s: number, a: number): number {
  const row = s * world.nA + a;
  return world.T.col[world.T.rowPtr[row]];
}

/** One episode from s0: `choose(s, t)` picks the action, null ends it (the last action is stored as −1). */
function walk(world: FeatureGridworld, s0: number, choose: (s: number, t: number) => number | null) {
  const obs = [s0],
    act: number[] = [];
  let s = s0;
  for (let t = 0; ; t++) {
    const a = choose(s, t);
    if (a === null) break;
    act.push(a);
    s = step(world, s, a);
    obs.push(s);
  }
  act.push(-1);
  return { obs, act };
}

describe('SAW (subgoal advantage-weighted policy bootstrapping), tabular', () => {
  // V on 3 states for goal g = 2: V(0, 2) = −2, V(1, 2) = −1, V(2, 2) = 0; the rest 0.
  const nS = 3,
    nA = 2;
  const V = new Float64Array(nS * nS);
  V[0 * nS + 2] = -2;
  V[1 * nS + 2] = -1;
  const sub = (s: number, w: number, out: Float64Array) => {
    // π^sub(· | s, w): (0.9, 0.1) toward w = 2, (0.3, 0.7) toward w = 1.
    out[0] = w === 2 ? 0.9 : 0.3;
    out[1] = w === 2 ? 0.1 : 0.7;
    return out;
  };
  const samples: SawSample[] = [
    { a: 0, next: 1, waypoint: 2 }, // A = −1 − (−2) = 1, A_w = 0 − (−2) = 2
    { a: 1, next: 0, waypoint: 1 }, // A = 0, A_w = 1
  ];

  it('weights are the clipped exponentials of the one-step and waypoint advantages (hand computation)', () => {
    const w0 = sawWeights(V, nS, 0, 2, samples[0], O);
    expect(w0.awr).toBeCloseTo(Math.exp(3), 12);
    expect(w0.kl).toBe(100); // e^6 ≈ 403 is clipped at the code's 100
    const w1 = sawWeights(V, nS, 0, 2, samples[1], O);
    expect(w1.awr).toBeCloseTo(1, 12);
    expect(w1.kl).toBeCloseTo(Math.exp(3), 12);
    expect(sawWeights(V, nS, 0, 2, samples[0], { ...O, maxWeight: 1000 }).kl).toBeCloseTo(Math.exp(6), 9);
    expect(sawWeights(V, nS, 0, 2, samples[0], { ...O, awrTerm: false }).awr).toBe(0);
    expect(sawWeights(V, nS, 0, 2, samples[0], { ...O, klTerm: false }).kl).toBe(0);
    expect(sawWeights(V, nS, 0, 2, samples[0], { ...O, beta: 0 }).kl).toBe(1);
  });

  it('the loss matches a hand computation', () => {
    const pi = [0.6, 0.4];
    const kl = (p: number[]) => p[0] * Math.log(p[0] / 0.6) + p[1] * Math.log(p[1] / 0.4);
    const hand = -Math.exp(3) * Math.log(0.6) + 100 * kl([0.9, 0.1]) - 1 * Math.log(0.4) + Math.exp(3) * kl([0.3, 0.7]);
    expect(sawLoss(V, nS, 0, 2, samples, pi, sub, nA, O)).toBeCloseTo(hand, 10);
    expect(klDivergence(Float64Array.of(0.9, 0.1), Float64Array.of(0.9, 0.1))).toBe(0);
  });

  it('the closed-form target is the hand-computed mixture and minimises the loss over the simplex', () => {
    const e3 = Math.exp(3);
    const c0 = e3 + 100 * 0.9 + e3 * 0.3,
      c1 = 1 + 100 * 0.1 + e3 * 0.7;
    const t = sawTarget(V, nS, 0, 2, samples, sub, nA, O);
    expect(t[0]).toBeCloseTo(c0 / (c0 + c1), 12);
    expect(t[1]).toBeCloseTo(c1 / (c0 + c1), 12);
    const best = sawLoss(V, nS, 0, 2, samples, t, sub, nA, O);
    for (let p = 0.01; p < 1; p += 0.01)
      expect(sawLoss(V, nS, 0, 2, samples, [p, 1 - p], sub, nA, O)).toBeGreaterThanOrEqual(best - 1e-12);
    // Stationarity on the simplex: d/dp L(p, 1 − p) = 0 at the target (central finite difference).
    const h = 1e-6,
      p = t[0];
    const dL =
      (sawLoss(V, nS, 0, 2, samples, [p + h, 1 - p - h], sub, nA, O) -
        sawLoss(V, nS, 0, 2, samples, [p - h, 1 - p + h], sub, nA, O)) /
      (2 * h);
    expect(Math.abs(dL)).toBeLessThan(1e-4);
  });

  it('fixed point: with an optimal sub-policy and shortest-path data, SAW gives the optimal flat policy', () => {
    // A perfect maze (a tree: one shortest path between two cells, one optimal action per state and goal).
    const world = mazeWorld({ rooms: 3, braid: 0, layoutSeed: 4, gamma: 0.9, slip: 0 });
    const { nS: n, nA: m } = world;
    const dist = Array.from({ length: n }, (_, g) => bfsDistances(world, g));
    const optimal = (s: number, g: number) => {
      for (let a = 0; a < m; a++) if (dist[g][step(world, s, a)] === dist[g][s] - 1) return a;
      return -1;
    };
    const Vs = new Float64Array(n * n);
    for (let s = 0; s < n; s++) for (let g = 0; g < n; g++) Vs[s * n + g] = optimalOneStepValue(dist[g][s], 0.9);
    const subOpt = (s: number, w: number, out: Float64Array) => {
      out.fill(0);
      if (s === w) return out.fill(1 / m);
      out[optimal(s, w)] = 1;
      return out;
    };
    for (const g of [0, 5, n - 1]) {
      // Data: from every start, the shortest path to g.
      const parts = [];
      for (let s0 = 0; s0 < n; s0++) {
        if (s0 === g) continue;
        parts.push(walk(world, s0, (s) => (s === g ? null : optimal(s, g))));
      }
      const traj = trajectories(n, m, parts);
      const si = stateIndex(traj);
      for (const o of [O, { ...O, subgoalSteps: 4 }, { ...O, awrTerm: false }, { ...O, beta: 0 }]) {
        const pi = sawPolicy(traj, si, Vs, g, subOpt, o);
        for (let s = 0; s < n; s++) {
          if (s === g) continue;
          for (let a = 0; a < m; a++) expect(pi[s * m + a]).toBeCloseTo(a === optimal(s, g) ? 1 : 0, 12);
          expect(successWithin(world, pi, s, g, dist[g][s])).toBeCloseTo(1, 12);
        }
      }
    }
  });

  it('without its AWR term SAW is HIQL composite policy (same k, β = α_h, π^sub = π^ℓ)', () => {
    const world = mazeWorld({ rooms: 3, braid: 0.3, layoutSeed: 2, gamma: 0.9, slip: 0 });
    const { nS: n, nA: m } = world;
    const rng = new Rng(5);
    const parts = [];
    for (let e = 0; e < 6; e++) {
      parts.push(walk(world, rng.int(n), (_s, t) => (t < 30 ? rng.int(m) : null)));
    }
    const traj = trajectories(n, m, parts);
    const si = stateIndex(traj);
    const ad = actionData(traj);
    const Vr = Float64Array.from({ length: n * n }, () => -3 * rng.uniform());
    const h = { subgoalSteps: 3, alphaHigh: 2, alphaLow: 3 };
    const sub = (s: number, w: number, out: Float64Array) => lowLevelAction(ad, Vr, n, m, s, w, h, out);
    for (const g of [0, 7, n - 1]) {
      const a = sawPolicy(traj, si, Vr, g, sub, { alpha: 3, beta: 2, subgoalSteps: 3, awrTerm: false, klTerm: true });
      const b = compositePolicy(highLevelPolicy(traj, si, Vr, g, h), ad, Vr, n, m, h);
      for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 12);
      // And sawPolicy agrees with sawTarget on the per-index samples at every state with data.
      for (let s = 0; s < n; s++) {
        const xs = samplesAt(traj, si, s, g, 3);
        if (xs.length === 0) continue;
        const t = sawTarget(Vr, n, s, g, xs, sub, m, {
          alpha: 3,
          beta: 2,
          subgoalSteps: 3,
          awrTerm: true,
          klTerm: true,
        });
        const full = sawPolicy(traj, si, Vr, g, sub, {
          alpha: 3,
          beta: 2,
          subgoalSteps: 3,
          awrTerm: true,
          klTerm: true,
        });
        for (let k = 0; k < m; k++) expect(full[s * m + k]).toBeCloseTo(t[k], 12);
      }
    }
  });
});

describe('GCBC with trajectory goals, tabular', () => {
  it('weights each action by the share of its future states equal to the goal (hand computation)', () => {
    // Trajectory 1: 0 -a0-> 1 -a1-> 2 -a0-> 1; trajectory 2: 0 -a1-> 1.
    const traj = trajectories(3, 2, [
      { obs: [0, 1, 2, 1], act: [0, 1, 0, -1] },
      { obs: [0, 1], act: [1, -1] },
    ]);
    const pi = gcbcPolicy(traj, 1);
    // At state 0 for g = 1: a0 gets 2/3 (two of three future states are 1), a1 gets 1/1.
    expect(pi[0]).toBeCloseTo(2 / 3 / (2 / 3 + 1), 12);
    expect(pi[1]).toBeCloseTo(1 / (2 / 3 + 1), 12);
    // State 1 (t = 1, future [2, 1]): a1 only. State 2 (future [1]): a0 only.
    expect(pi[2 + 1]).toBeCloseTo(1, 12);
    expect(pi[4 + 0]).toBeCloseTo(1, 12);
    // A goal never visited after a state: uniform.
    const pi0 = gcbcPolicy(traj, 0);
    for (let s = 0; s < 3; s++) for (let a = 0; a < 2; a++) expect(pi0[s * 2 + a]).toBeCloseTo(0.5, 12);
  });
});
