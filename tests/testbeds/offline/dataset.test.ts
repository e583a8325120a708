import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { valueIteration } from '../../../src/testbeds/tabular/solvers/exact';
import { goalFreeWorld, goalTask } from '../../../src/testbeds/offline/env/tasks';
import {
  asEpisodeBatch,
  behaviourPolicy,
  collectDataset,
  collectGoalReaching,
  datasetForGoal,
  relabelGoals,
} from '../../../src/testbeds/offline/data/dataset';
import { bfsDistances, policyValue, valueScale } from '../../../src/testbeds/offline/solvers/evaluation';
import { fittedQIteration } from '../../../src/testbeds/offline/methods/fqi';
import { transitionProb } from '../../../src/testbeds/tabular/env/mdp';

const slippery = goalTask({ layout: 'four-rooms', size: 9, gamma: 0.95, slip: 0.2 });

describe('offline datasets', () => {
  it("draws successors with the MDP's transition probabilities (empirical frequencies within 5 binomial SEs)", () => {
    const task = slippery;
    const { nS, nA } = task.env;
    const data = collectDataset(
      task,
      behaviourPolicy(task, { kind: 'random' }),
      { episodes: 400, horizon: 60, quality: 'random' },
      new Rng(5),
    );
    const n = new Float64Array(nS * nA);
    const hit = new Map<number, number>();
    for (let i = 0; i < data.size; i++) {
      n[data.s[i] * nA + data.a[i]]++;
      const key = (data.s[i] * nA + data.a[i]) * nS + data.sp[i];
      hit.set(key, (hit.get(key) ?? 0) + 1);
    }
    let tested = 0;
    for (let s = 0; s < nS; s++)
      for (let a = 0; a < nA; a++) {
        const m = n[s * nA + a];
        if (m < 30) continue;
        for (let sp = 0; sp < nS; sp++) {
          const p = transitionProb(task.env.T, s, a, sp);
          const f = (hit.get((s * nA + a) * nS + sp) ?? 0) / m;
          if (p === 0) expect(f).toBe(0);
          else expect(Math.abs(f - p)).toBeLessThanOrEqual(5 * Math.sqrt((p * (1 - p)) / m) + 1e-12);
          tested++;
        }
      }
    expect(tested).toBeGreaterThan(100 * nS);
  });

  it('records rewards, done flags and contiguous episodes that end at the goal or the horizon', () => {
    const task = slippery;
    const data = collectDataset(
      task,
      behaviourPolicy(task, { kind: 'epsilon', epsilon: 0.5 }),
      { episodes: 50, horizon: 30, quality: 'eps' },
      new Rng(6),
    );
    for (let i = 0; i < data.size; i++) {
      expect(data.s[i]).not.toBe(task.goal);
      expect(data.r[i]).toBe(data.sp[i] === task.goal ? 0 : -1);
      expect(data.done[i]).toBe(data.sp[i] === task.goal ? 1 : 0);
      const last = i === data.size - 1 || data.episode[i + 1] !== data.episode[i];
      if (!last) {
        expect(data.s[i + 1]).toBe(data.sp[i]);
        expect(data.step[i + 1]).toBe(data.step[i] + 1);
        expect(data.done[i]).toBe(0);
      } else expect(data.done[i] === 1 || data.step[i] === 29).toBe(true);
    }
    expect(new Set(data.episode).size).toBe(50);
  });

  it('optimal data holds only optimal actions; ε-noisy behaviour puts ε/|A| on each action', () => {
    const task = slippery;
    const { nS, nA } = task.env;
    const vi = valueIteration(task.env, task.reward, { tol: 1e-12 });
    const data = collectDataset(
      task,
      behaviourPolicy(task, { kind: 'optimal' }),
      { episodes: 200, horizon: 60, quality: 'optimal' },
      new Rng(7),
    );
    for (let i = 0; i < data.size; i++)
      expect(vi.Q[data.s[i] * nA + data.a[i]]).toBeGreaterThanOrEqual(vi.V[data.s[i]] - 1e-8);
    const eps = behaviourPolicy(task, { kind: 'epsilon', epsilon: 0.3 });
    for (let s = 0; s < nS; s++) {
      let sum = 0;
      for (let a = 0; a < nA; a++) {
        sum += eps[s * nA + a];
        expect(eps[s * nA + a]).toBeGreaterThanOrEqual(0.3 / nA - 1e-15);
      }
      expect(sum).toBeCloseTo(1, 12);
    }
    expect(() => behaviourPolicy(task, { kind: 'epsilon', epsilon: 1.5 })).toThrow(/epsilon/);
  });

  it('goal-reaching data with ε = 0 walks shortest paths to its commanded goals on a deterministic world', () => {
    const world = goalFreeWorld({ layout: 'four-rooms', size: 9, gamma: 0.95, slip: 0 });
    const data = collectGoalReaching(world, { episodes: 20, horizon: 40, epsilon: 0 }, new Rng(8));
    expect(data.goal).toBeDefined();
    const goal = data.goal!;
    let arrivals = 0;
    for (let i = 0; i < data.size; i++) {
      const d = bfsDistances(world, goal[i]);
      expect(d[data.sp[i]]).toBe(d[data.s[i]] - 1);
      expect(data.r[i]).toBe(data.sp[i] === goal[i] ? 0 : -1);
      if (data.sp[i] === goal[i]) arrivals++;
    }
    expect(arrivals).toBeGreaterThan(5);
  });

  it('hindsight relabelling picks goals among the same episode’s future states and recomputes rewards', () => {
    const world = goalFreeWorld({ layout: 'open-room', size: 6, gamma: 0.9, slip: 0 });
    const data = collectGoalReaching(world, { episodes: 30, horizon: 25, epsilon: 0.5 }, new Rng(9));
    for (const strategy of ['future', 'geometric'] as const) {
      const rel = relabelGoals(data, strategy, new Rng(10));
      let reached = 0;
      for (let i = 0; i < rel.size; i++) {
        const g = rel.goal![i];
        let found = false;
        for (let j = i; j < rel.size && rel.episode[j] === rel.episode[i]; j++) if (rel.sp[j] === g) found = true;
        expect(found).toBe(true);
        expect(rel.r[i]).toBe(rel.sp[i] === g ? 0 : -1);
        expect(rel.done[i]).toBe(rel.sp[i] === g ? 1 : 0);
        reached += rel.done[i];
      }
      // 'geometric' with γ = 0.9 picks k = 0 with probability 0.1 at least; 'future' with 1/(steps left)
      expect(reached / rel.size).toBeGreaterThan(0.05);
      expect(rel.s).toBe(data.s);
      expect(data.goal).not.toBe(rel.goal);
    }
    const single = datasetForGoal(data, 7);
    for (let i = 0; i < single.size; i++) {
      expect(single.s[i]).not.toBe(7);
      expect(single.done[i]).toBe(single.sp[i] === 7 ? 1 : 0);
    }
  });
});

describe('goal-conditioned pipeline', () => {
  it('goal-reaching data, restricted to one goal, trains a learner to the optimum of that goal task', () => {
    const spec = { layout: 'four-rooms' as const, size: 9, gamma: 0.9, slip: 0 };
    const world = goalFreeWorld(spec);
    const data = collectGoalReaching(world, { episodes: 300, horizon: 40, epsilon: 0.3 }, new Rng(12));
    const task = goalTask(spec, 2 * 9 + 6); // a goal cell inside the top-right room
    // the goal task numbers states like the goal-free world (only the goal cell's kind differs)
    expect(Array.from(task.env.stateCell)).toEqual(Array.from(world.stateCell));
    const single = datasetForGoal(relabelGoals(data, 'future', new Rng(13)), task.goal);
    const scale = valueScale(task);
    const J = policyValue(task, fittedQIteration(single).policy);
    expect((J - scale.uniform) / (scale.optimal - scale.uniform)).toBeGreaterThan(0.99);
  });

  it("relabelling 'random' draws goals among the dataset's next states", () => {
    const world = goalFreeWorld({ layout: 'open-room', size: 5, gamma: 0.9, slip: 0 });
    const data = collectGoalReaching(world, { episodes: 10, horizon: 10, epsilon: 1 }, new Rng(14));
    const rel = relabelGoals(data, 'random', new Rng(15));
    const seen = new Set(data.sp);
    for (let i = 0; i < rel.size; i++) expect(seen.has(rel.goal![i])).toBe(true);
    expect(new Set(rel.goal).size).toBeGreaterThan(5);
  });

  it('asEpisodeBatch splits segments where episodes change or a transition is done', () => {
    const data = collectDataset(
      slippery,
      behaviourPolicy(slippery, { kind: 'random' }),
      { episodes: 30, horizon: 80, quality: 'random' },
      new Rng(16),
    );
    const batch = asEpisodeBatch(data);
    expect(batch.nEpisodes).toBe(30);
    for (let e = 0; e < batch.nEpisodes; e++) {
      const last = batch.offsets[e + 1] - 1;
      expect(data.episode[batch.offsets[e]]).toBe(e);
      expect(data.step[batch.offsets[e]]).toBe(0);
      expect(batch.terminated[e]).toBe(data.done[last]);
    }
    const rel = relabelGoals(data, 'future', new Rng(17));
    let dones = 0;
    for (let i = 0; i < rel.size - 1; i++) if (rel.done[i] && rel.episode[i + 1] === rel.episode[i]) dones++;
    expect(asEpisodeBatch(rel).nEpisodes).toBe(30 + dones); // a relabelled success ends its segment
  });
});
