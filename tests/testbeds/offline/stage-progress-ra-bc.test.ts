import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { KEY_DOOR_5X5, keyDoorTask, KEY_DOOR_STAGES } from '../../../src/testbeds/offline/env/key-door-grid';
import { collectStagedDemos, type StagedEpisode } from '../../../src/testbeds/offline/data/staged-demos';
import {
  annotateStages,
  cumulativePriors,
  fitSarm,
  fitTabularProgress,
  frameIndexLabels,
  stageAwareLabels,
  temporalProportions,
} from '../../../src/testbeds/offline/methods/stage-aware-progress';
import { progressDeltas, rabcWeights, weightedBehaviourCloning } from '../../../src/testbeds/offline/methods/ra-bc';
import { finiteHorizonValue, optimalFiniteHorizonValue } from '../../../src/testbeds/offline/solvers/finite-horizon';

describe('the key–door gridworld', () => {
  const task = keyDoorTask({ ...KEY_DOOR_5X5, slip: 0 });
  it('stepsToGo equals the BFS distance to success on the slip-free transition graph', () => {
    const { nS, nA } = task.env;
    const dist = new Int32Array(nS).fill(-1);
    // BFS backwards: repeat relaxation (graph is small).
    dist[task.success] = 0;
    for (let changed = true; changed;) {
      changed = false;
      for (let s = 0; s < nS; s++)
        for (let a = 0; a < nA; a++) {
          const sp = task.nextState(s, a);
          if (dist[sp] >= 0 && (dist[s] < 0 || dist[sp] + 1 < dist[s])) {
            dist[s] = dist[sp] + 1;
            changed = true;
          }
        }
    }
    // States unreachable from the start still get a finite BFS distance; compare everywhere.
    for (let s = 0; s < nS; s++) expect(task.stepsToGo[s]).toBe(dist[s]);
    expect(task.stepsToGo[task.s0]).toBe(16);
  });
  it('transition rows are distributions and success is exact: 1 within 16 slip-free steps, 0 within 15', () => {
    const T = task.env.T;
    for (let r = 0; r < task.env.nS * task.env.nA; r++) {
      let z = 0;
      for (let k = T.rowPtr[r]; k < T.rowPtr[r + 1]; k++) z += T.prob[k];
      expect(z).toBeCloseTo(1, 12);
    }
    expect(optimalFiniteHorizonValue(task, 16)).toBeCloseTo(1, 12);
    expect(optimalFiniteHorizonValue(task, 15)).toBe(0);
  });
  it('the success probability of a policy matches Monte Carlo rollouts with slip', () => {
    const t = keyDoorTask(KEY_DOOR_5X5);
    const rng = new Rng(3);
    const demos = collectStagedDemos(
      t,
      { episodes: 200, horizon: 40, stallMax: 0.3, detourMax: 0.3, skipKeyProb: 0 },
      rng,
    );
    const pi = weightedBehaviourCloning(t.env.nS, t.env.nA, demos);
    const exact = finiteHorizonValue(t, pi, 25);
    const r = new Rng(4);
    let hits = 0;
    const N = 4000;
    for (let i = 0; i < N; i++) {
      let s = t.s0;
      for (let h = 0; h < 25 && s !== t.success; h++) {
        const row = pi.subarray(s * t.env.nA, (s + 1) * t.env.nA);
        let u = r.uniform(),
          a = 0;
        while (a < 4 && u >= row[a]) u -= row[a++];
        const b = r.uniform() < t.spec.slip ? r.int(t.env.nA) : a;
        s = t.nextState(s, b);
      }
      if (s === t.success) hits++;
    }
    expect(Math.abs(hits / N - exact)).toBeLessThan(4 * Math.sqrt(0.25 / N));
  });
});

describe('SARM labels (Formulas 1–2)', () => {
  // stages per state: 0,0,1,1,1,2 for states 0..5 (identity stage map below)
  const stageOf = [0, 0, 1, 1, 1, 2, 2];
  it('annotates segments, τ and Formula (2) labels by hand', () => {
    const a = annotateStages(Int32Array.from([0, 1, 2, 3, 4, 5]), stageOf, 3);
    expect(Array.from(a.stage)).toEqual([0, 0, 1, 1, 1, 2]);
    expect(Array.from(a.length)).toEqual([2, 3, 0]);
    expect(Array.from(a.tau)).toEqual([0, 0.5, 0, 1 / 3, 2 / 3, 1]);
    const alpha = Float64Array.from([0.2, 0.5, 0.3]);
    const y = stageAwareLabels(a, alpha);
    const want = [0, 0.1, 0.2, 0.2 + 0.5 / 3, 0.2 + 1 / 3, 1];
    y.forEach((v, t) => expect(v).toBeCloseTo(want[t], 12));
    expect(Array.from(cumulativePriors(alpha))).toEqual([0, 0.2, 0.7]);
  });
  it('an unfinished last stage spans to the last frame', () => {
    const a = annotateStages(Int32Array.from([0, 0, 2, 2, 2]), stageOf, 3);
    expect(Array.from(a.length)).toEqual([2, 2, 0]);
    expect(a.tau[4]).toBe(1);
  });
  it('Formula (1): ᾱ_k = mean of L_k/T over episodes, normalised', () => {
    const a1 = annotateStages(Int32Array.from([0, 1, 2, 3, 4, 5]), stageOf, 3); // L/T = 2/5, 3/5, 0
    const a2 = annotateStages(Int32Array.from([0, 2, 5]), stageOf, 3); // 1/2, 1/2, 0 (last frame closes stage 2)
    const alpha = temporalProportions([a1, a2], 3);
    const raw = [(0.4 + 0.5) / 2, (0.6 + 0.5) / 2, 0];
    const z = raw[0] + raw[1] + raw[2];
    alpha.forEach((v, k) => expect(v).toBeCloseTo(raw[k] / z, 12));
  });
  it('frame-index labels are t/T and the tabular regressor is the per-state mean', () => {
    expect(Array.from(frameIndexLabels(4))).toEqual([0, 0.25, 0.5, 0.75, 1]);
    const eps = [
      { states: Int32Array.from([0, 1, 1]), actions: Int32Array.from([0, 0]), success: false, skippedKey: false },
      { states: Int32Array.from([0, 1]), actions: Int32Array.from([0]), success: false, skippedKey: false },
    ] as StagedEpisode[];
    const phi = fitTabularProgress(3, eps, [frameIndexLabels(2), frameIndexLabels(1)]);
    expect(phi[0]).toBe(0);
    expect(phi[1]).toBeCloseTo((0.5 + 1 + 1) / 3, 12);
    expect(phi[2]).toBeCloseTo((0 + 0.5 + 1 + 0 + 1) / 5, 12); // unseen: mean label
  });
  it('on real demos SARM is P_k at each stage start, monotone within a demo, 1 at success', () => {
    const task = keyDoorTask(KEY_DOOR_5X5);
    const demos = collectStagedDemos(
      task,
      { episodes: 60, horizon: 40, stallMax: 0.5, detourMax: 0, skipKeyProb: 0 },
      new Rng(7),
    );
    const ann = demos.map((e) => annotateStages(e.states, task.stageOf, KEY_DOOR_STAGES));
    const m = fitSarm(task.env.nS, KEY_DOOR_STAGES, demos, ann);
    expect(m.progress[task.success]).toBeCloseTo(1, 12);
    for (let s = 0; s < task.env.nS; s++) if (m.stage[s] >= 0) expect(m.stage[s]).toBe(Math.min(task.stageOf[s], 2));
    const alpha = temporalProportions(ann, 3);
    ann.forEach((a, e) => {
      const y = stageAwareLabels(a, alpha);
      for (let t = 1; t < y.length; t++) expect(y[t]).toBeGreaterThanOrEqual(y[t - 1] - 1e-12);
      if (demos[e].success) expect(y[y.length - 1]).toBeCloseTo(1, 12);
    });
  });
});

describe('RA-BC (Eqs. 6, 8, 9)', () => {
  it('weights: 1 above κ, 0 below 0, the clipped soft weight in between', () => {
    const r = Float64Array.from([-0.2, 0, 0.005, 0.01, 0.02, 0.3]);
    const w = rabcWeights(r, 0.01, 0);
    const n = r.length;
    const mean = r.reduce((u, x) => u + x, 0) / n;
    const sd = Math.sqrt(r.reduce((u, x) => u + (x - mean) ** 2, 0) / (n - 1));
    const soft = (x: number) => Math.min(1, Math.max(0, (x - (Math.max(mean, 0) - 2 * sd)) / (4 * sd)));
    expect(w[0]).toBe(0);
    expect(w[1]).toBeCloseTo(soft(0), 12);
    expect(w[2]).toBeCloseTo(soft(0.005), 12);
    expect(w[3]).toBeCloseTo(soft(0.01), 12);
    expect(w[4]).toBe(1);
    expect(w[5]).toBe(1);
  });
  it('Eq. (6) deltas over Δ steps clip at the last frame; unit weights give plain BC counts', () => {
    const ep = {
      states: Int32Array.from([0, 2, 1, 2]),
      actions: Int32Array.from([1, 0, 1]),
      success: false,
    } as StagedEpisode;
    const phi = [0, 0.5, 0.2];
    expect(Array.from(progressDeltas([ep], phi, 1))).toEqual([0.2, 0.3, -0.3]);
    expect(Array.from(progressDeltas([ep], phi, 2)).map((x) => +x.toFixed(12))).toEqual([0.5, 0, -0.3]);
    const a = weightedBehaviourCloning(3, 2, [ep]);
    const b = weightedBehaviourCloning(3, 2, [ep], Float64Array.from([1, 1, 1]));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).toEqual([0, 1, 0, 1, 1, 0]);
    const c = weightedBehaviourCloning(3, 2, [ep], Float64Array.from([1, 0, 0]));
    expect(Array.from(c)).toEqual([0, 1, 0.5, 0.5, 0.5, 0.5]);
  });
});
