import { describe, expect, it } from 'vitest';
import { Rng } from '../../../../src/core/rng';
import {
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  PROTOCOL_TASKS,
  SCORE_FLOOR,
  greedyForLinearReward,
  runRecipe,
  scaledReturn,
  taskInstances,
  type ProtocolConfig,
  type ProtocolRecipe,
} from '../../../../src/testbeds/tabular/protocol-reward-learning';
import { recipe as regretPm } from '../../../../src/testbeds/tabular/protocol-reward-learning/recipes/regret-pm';
import { resolveTask } from '../../../../src/core/tasks';

const small: ProtocolConfig = { ...PROTOCOL_DEFAULTS, mdpsPerTask: 2, pairs: 300 };

describe('tabular reward-learning protocol', () => {
  it('scores the gold-greedy policy 1 and the uniform policy 0 on every task instance', () => {
    for (const task of PROTOCOL_TASKS)
      for (const inst of taskInstances(small, task, 3)) {
        const { nS, nA } = inst.world;
        expect(scaledReturn(inst, greedyForLinearReward(inst.world, inst.gold))).toBeCloseTo(1, 9);
        expect(scaledReturn(inst, new Float64Array(nS * nA).fill(1 / nA))).toBeCloseTo(0, 9);
      }
  });

  it('gives every learner the same MDPs, segments and labels for a seed; the labeller changes the labels', () => {
    const a = taskInstances(small, 'regret-stochastic', 5)[0],
      b = taskInstances(small, 'regret-stochastic', 5)[0],
      c = taskInstances(small, 'regret-stochastic', 6)[0];
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    expect(Array.from(b.gold)).toEqual(Array.from(a.gold));
    expect(Array.from(c.labels)).not.toEqual(Array.from(a.labels));
    // noiseless labels are 0, ½ or 1; stochastic ones 0 or 1
    for (const v of taskInstances(small, 'partial-return-noiseless', 5)[0].labels) expect([0, 0.5, 1]).toContain(v);
    for (const v of a.labels) expect([0, 1]).toContain(v);
    expect(() => taskInstances({ ...small, tasks: ['nope' as never] }, 'nope' as never, 1)).toThrow(/unknown task/);
  });

  it('the regret learner recovers a near-optimal policy from noiseless regret labels (identifiability)', () => {
    for (const inst of taskInstances(small, 'regret-noiseless', 9))
      expect(scaledReturn(inst, regretPm.learn(inst, new Rng(1)))).toBeGreaterThan(0.9);
  });

  it('floors each MDP at −1 so a looping policy cannot dominate the mean', () => {
    // The "anti-greedy" policy (greedy for −w) loops in bad cells: its scaled return is far below −1 somewhere.
    const anti: ProtocolRecipe = {
      name: 'anti',
      summary: '',
      budget: 'labels',
      learn: (t) =>
        greedyForLinearReward(
          t.world,
          Array.from(t.gold, (v) => -v),
        ),
    };
    const cfg: ProtocolConfig = { ...small, mdpsPerTask: 3, tasks: ['regret-stochastic'] };
    const raw = taskInstances(cfg, 'regret-stochastic', 2).map((t) => scaledReturn(t, anti.learn(t, new Rng(0))));
    expect(Math.min(...raw)).toBeLessThan(SCORE_FLOOR);
    const score = runRecipe(anti, cfg, 2).metrics['anti/score@regret-stochastic'];
    expect(score).toBeCloseTo(raw.map((v) => Math.max(v, SCORE_FLOOR)).reduce((a, b) => a + b, 0) / raw.length, 12);
  });

  it('every method is a task module whose recipe has the listed name', async () => {
    for (const m of PROTOCOL_METHODS) {
      const { file, fn } = resolveTask(m.task);
      const mod = await import(file.replace(/\/dist\//, '/src/').replace(/\.js$/, '.ts'));
      expect(typeof mod[fn]).toBe('function');
      expect(mod.recipe.name).toBe(m.name);
      expect(file.endsWith(m.source.replace(/^src\//, '').replace(/\.ts$/, '.js'))).toBe(true);
    }
    expect(new Set(PROTOCOL_METHODS.map((m) => m.name)).size).toBe(PROTOCOL_METHODS.length);
  });
});
