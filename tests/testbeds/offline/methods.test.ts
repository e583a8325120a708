import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { valueIteration } from '../../../src/testbeds/tabular/solvers/exact';
import { goalTask, type OfflineTask } from '../../../src/testbeds/offline/env/tasks';
import {
  behaviourPolicy,
  collectDataset,
  type BehaviourQuality,
  type OfflineDataset,
} from '../../../src/testbeds/offline/data/dataset';
import { returnsToGo } from '../../../src/testbeds/tabular/loops/learners';
import { asEpisodeBatch } from '../../../src/testbeds/offline/data/dataset';
import { empiricalIndex, meanTargets, inSampleMax } from '../../../src/testbeds/offline/data/empirical';
import { bestSupportedPolicy, policyValue, valueScale } from '../../../src/testbeds/offline/solvers/evaluation';
import { behaviourCloning } from '../../../src/testbeds/offline/methods/bc';
import { fittedQIteration } from '../../../src/testbeds/offline/methods/fqi';
import { expectile, iql } from '../../../src/testbeds/offline/methods/iql';
import { cql } from '../../../src/testbeds/offline/methods/cql';
import { awr } from '../../../src/testbeds/offline/methods/awr';

const open = goalTask({ layout: 'open-room', size: 6, gamma: 0.9, slip: 0 });
const rooms = goalTask({ layout: 'four-rooms', size: 9, gamma: 0.95, slip: 0.1 });

function data(task: OfflineTask, q: BehaviourQuality, seed: number, episodes = 60): OfflineDataset {
  return collectDataset(task, behaviourPolicy(task, q), { episodes, horizon: 40, quality: q.kind }, new Rng(seed));
}

function expectDistribution(pi: Float64Array, nS: number, nA: number): void {
  for (let s = 0; s < nS; s++) {
    let sum = 0;
    for (let a = 0; a < nA; a++) {
      expect(pi[s * nA + a]).toBeGreaterThanOrEqual(0);
      sum += pi[s * nA + a];
    }
    expect(sum).toBeCloseTo(1, 12);
  }
}

describe('expectile', () => {
  it('is the weighted mean at τ = ½, tends to the max as τ → 1 and solves its first-order condition', () => {
    const x = [3, -1, 2, 0.5],
      w = [1, 4, 2, 3];
    expect(expectile(x, w, 0.5)).toBeCloseTo((3 - 4 + 4 + 1.5) / 10, 12);
    expect(expectile(x, w, 1 - 1e-9)).toBeCloseTo(3, 6);
    expect(expectile(x, w, 1e-9)).toBeCloseTo(-1, 6);
    const rng = new Rng(1);
    for (let t = 0; t < 200; t++) {
      const xs = Array.from({ length: 1 + rng.int(4) }, () => rng.normal());
      const ws = xs.map(() => 1 + rng.int(5));
      const tau = rng.uniform() * 0.98 + 0.01;
      const v = expectile(xs, ws, tau);
      let f = 0;
      xs.forEach((xi, j) => (f += ws[j] * (xi < v ? 1 - tau : tau) * (xi - v)));
      expect(Math.abs(f)).toBeLessThan(1e-9);
    }
    expect(() => expectile([1], [1], 1)).toThrow(/tau/);
  });
});

describe('offline learners (tabular)', () => {
  it('BC on optimal data takes only optimal actions in every visited state (both worlds)', () => {
    for (const task of [open, rooms]) {
      const d = data(task, { kind: 'optimal' }, 2);
      const { nS, nA } = task.env;
      const vi = valueIteration(task.env, task.reward, { tol: 1e-12 });
      const pi = behaviourCloning(d).policy;
      expectDistribution(pi, nS, nA);
      const visited = new Set(d.s);
      expect(visited.size).toBeGreaterThan(nS / 2);
      for (const s of visited)
        for (let a = 0; a < nA; a++)
          if (pi[s * nA + a] > 0) expect(vi.Q[s * nA + a]).toBeGreaterThanOrEqual(vi.V[s] - 1e-8);
    }
  });

  it('fitted Q iteration on deterministic data equals the best data-supported value', () => {
    const d = data(open, { kind: 'epsilon', epsilon: 0.5 }, 3, 15);
    const idx = empiricalIndex(d);
    const ref = bestSupportedPolicy(open, idx);
    const f = fittedQIteration(d);
    let supported = 0;
    for (let r = 0; r < f.Q!.length; r++)
      if (idx.count[r] > 0) {
        expect(f.Q![r]).toBeCloseTo(ref.Q[r], 8);
        supported++;
      }
    expect(supported).toBeGreaterThan(20);
    expect(supported).toBeLessThan(open.env.nS * open.env.nA); // partial coverage: the test is not vacuous
  });

  it('IQL approaches the in-sample maximum (the best data-supported value) as τ → 1 on deterministic data', () => {
    const d = data(open, { kind: 'epsilon', epsilon: 0.5 }, 3, 15);
    const idx = empiricalIndex(d);
    const ref = bestSupportedPolicy(open, idx);
    const gap = (tau: number): number => {
      const V = iql(d, { tau, beta: 3 }).V!;
      let m = 0;
      for (let s = 0; s < open.env.nS; s++) if (idx.stateCount[s] > 0) m = Math.max(m, Math.abs(V[s] - ref.V[s]));
      return m;
    };
    const g5 = gap(0.5),
      g9 = gap(0.9),
      g99 = gap(0.99),
      g = gap(1 - 1e-7);
    expect(g5).toBeGreaterThan(0.1); // SARSA-like τ = ½ evaluates the noisy behaviour, well below the max
    expect(g9).toBeLessThan(g5);
    expect(g99).toBeLessThan(g9);
    expect(g).toBeLessThan(1e-4);
    // and its value never exceeds the in-sample max (expectiles lie below the max)
    const V = iql(d, { tau: 0.9, beta: 3 }).V!;
    for (let s = 0; s < open.env.nS; s++) if (idx.stateCount[s] > 0) expect(V[s]).toBeLessThanOrEqual(ref.V[s] + 1e-9);
  });

  it('CQL with α = 0 equals fitted Q iteration on the data', () => {
    for (const task of [open, rooms]) {
      const d = data(task, { kind: 'random' }, 4, 30);
      const c = cql(d, { alpha: 0 });
      const f = fittedQIteration(d);
      for (let r = 0; r < f.Q!.length; r++) {
        if (Number.isNaN(f.Q![r])) expect(Number.isNaN(c.Q![r])).toBe(true);
        else expect(c.Q![r]).toBeCloseTo(f.Q![r], 8);
      }
      expect(Array.from(c.policy)).toEqual(Array.from(f.policy));
    }
  });

  it('CQL with α > 0 solves its per-state stationarity condition and keeps the data-weighted mean of Q', () => {
    const d = data(rooms, { kind: 'random' }, 5, 30);
    const alpha = 2;
    const c = cql(d, { alpha });
    const idx = empiricalIndex(d);
    const { nS, nA, count, stateCount } = idx;
    const y = meanTargets(d, idx, inSampleMax(idx, c.Q!));
    let differs = 0;
    for (let s = 0; s < nS; s++) {
      if (stateCount[s] === 0) continue;
      let m = -Infinity;
      for (let a = 0; a < nA; a++) if (count[s * nA + a] > 0) m = Math.max(m, c.Q![s * nA + a]);
      let z = 0;
      for (let a = 0; a < nA; a++) if (count[s * nA + a] > 0) z += Math.exp(c.Q![s * nA + a] - m);
      let meanQ = 0,
        meanY = 0;
      for (let a = 0; a < nA; a++) {
        const r = s * nA + a;
        if (count[r] === 0) continue;
        const p = Math.exp(c.Q![r] - m) / z;
        // ∂/∂Q(s,a): α n(s) p − α n(s,a) + n(s,a)(Q − ȳ) = 0   (eq. 4, tabular)
        expect(alpha * stateCount[s] * p - alpha * count[r] + count[r] * (c.Q![r] - y[r])).toBeCloseTo(0, 7);
        meanQ += count[r] * c.Q![r];
        meanY += count[r] * y[r];
        if (Math.abs(c.Q![r] - y[r]) > 1e-3) differs++;
      }
      expect(meanQ / stateCount[s]).toBeCloseTo(meanY / stateCount[s], 7);
    }
    expect(differs).toBeGreaterThan(10); // the regulariser does act
  });

  it('AWR computes discounted returns-to-go and tends to BC as β → ∞', () => {
    const d = data(rooms, { kind: 'random' }, 6, 10);
    const G = returnsToGo(asEpisodeBatch(d), d.r, d.gamma);
    for (let i = 0; i < d.size; i++) {
      const next = i + 1 < d.size && d.episode[i + 1] === d.episode[i] ? G[i + 1] : 0;
      expect(G[i]).toBeCloseTo(d.r[i] + (d.done[i] ? 0 : d.gamma * next), 12);
    }
    const bc = behaviourCloning(d).policy;
    const hot = awr(d, { beta: 1e9 }).policy;
    for (let k = 0; k < bc.length; k++) expect(hot[k]).toBeCloseTo(bc[k], 6);
    const cold = awr(d, { beta: 1 });
    expectDistribution(cold.policy, rooms.env.nS, rooms.env.nA);
    expect(policyValue(rooms, cold.policy)).toBeGreaterThan(policyValue(rooms, bc));
  });

  it('every learner returns a distribution (uniform without data); value learners beat BC on random data', () => {
    const d = data(rooms, { kind: 'random' }, 7, 40);
    const idx = empiricalIndex(d);
    const { nS, nA } = rooms.env;
    const learned = {
      bc: behaviourCloning(d),
      fqi: fittedQIteration(d),
      iql: iql(d, { tau: 0.9, beta: 10 }),
      cql: cql(d, { alpha: 1 }),
      awr: awr(d, { beta: 1 }),
    };
    for (const l of Object.values(learned)) {
      expectDistribution(l.policy, nS, nA);
      for (let s = 0; s < nS; s++)
        for (let a = 0; a < nA; a++) {
          if (idx.stateCount[s] === 0) expect(l.policy[s * nA + a]).toBe(1 / nA);
          else if (idx.count[s * nA + a] === 0) expect(l.policy[s * nA + a]).toBe(0);
        }
    }
    const scale = valueScale(rooms);
    const norm = (p: Float64Array) => (policyValue(rooms, p) - scale.uniform) / (scale.optimal - scale.uniform);
    expect(Math.abs(norm(learned.bc.policy))).toBeLessThan(0.2);
    expect(norm(learned.iql.policy)).toBeGreaterThan(0.7);
    expect(norm(learned.fqi.policy)).toBeGreaterThan(0.7);
  });
});
