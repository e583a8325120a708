import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../../helpers';
import { Rng } from '../../../../src/core/rng';
import { taskCode } from '../../../../src/core/provenance';
import {
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  PROTOCOL_TASKS,
  evaluate,
  makeOracle,
  protocolWorld,
  runRecipe,
  type ProtocolConfig,
} from '../../../../src/testbeds/preference/protocol';
import { recipe as omd } from '../../../../src/testbeds/preference/protocol/recipes/exact/omd';
import { resolveTask } from '../../../../src/core/tasks';
import { recipe as rlhfBt } from '../../../../src/testbeds/preference/protocol/recipes/rlhf-bt';
import { trainPolicyGradient } from '../../../../src/testbeds/preference/protocol/recipes/policy-gradient';
import { kl } from '../../../../src/testbeds/preference/policies/tabular-policy';

const small: ProtocolConfig = { ...PROTOCOL_DEFAULTS, nX: 4, nY: 5, iterations: 3 };

describe('preference protocol', () => {
  it('scores π_ref 0 and the τ-regularised Nash equilibrium 1, on every task', () => {
    for (const task of PROTOCOL_TASKS) {
      const w = protocolWorld(small, task, 7);
      expect(evaluate(w, w.ref).score).toBe(0);
      expect(evaluate(w, w.target).score).toBeCloseTo(1, 9);
      expect(evaluate(w, w.target).dualityGap).toBeLessThan(1e-9);
    }
  });

  it('gives every method the same game for a seed, and different games to different seeds', () => {
    const a = protocolWorld(small, 'mixed', 3),
      b = protocolWorld(small, 'mixed', 3),
      c = protocolWorld(small, 'mixed', 4);
    expect(Array.from(b.game.P)).toEqual(Array.from(a.game.P));
    expect(Array.from(c.game.P)).not.toEqual(Array.from(a.game.P));
    // transitive games have no cyclic part; the length-bias family has a length feature
    expect(protocolWorld(small, 'transitive', 3).game.cyclic!.every((v) => v === 0)).toBe(true);
    expect(protocolWorld(small, 'length-bias', 3).game.length).toBeDefined();
  });

  it('the oracle refuses a label past the budget, naming the budget', () => {
    const w = protocolWorld({ ...small, iterations: 1, pairsPerIteration: 2 }, 'mixed', 1);
    const o = makeOracle(w);
    const r = new Rng(1);
    o.label(0, 0, 1, r);
    o.label(0, 1, 2, r);
    expect(o.remaining()).toBe(0);
    expect(() => o.label(0, 0, 1, r)).toThrow(/more than 2 labels for prompt 0/);
    o.label(1, 0, 1, r); // another prompt has its own budget
    expect(o.used()).toBeCloseTo(3 / 4, 12);
  });

  it('every label-budget method uses exactly the budget, and a run is a pure function of the seed', async () => {
    const budget = small.iterations * small.pairsPerIteration;
    for (const m of PROTOCOL_METHODS) {
      const { file, fn } = resolveTask(m.task);
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const run = (await import(file.replace(/\/dist\//, '/src/').replace(/\.js$/, '.ts')))[fn];
      const a = run({ ...small, tasks: ['mixed'] }, 5),
        b = run({ ...small, tasks: ['mixed'] }, 5);
      expect(b.metrics).toEqual(a.metrics);
      expect(a.metrics[`${m.name}/labels@mixed`]).toBe(m.budget === 'labels' ? budget : 0);
      expect(Number.isFinite(a.metrics[`${m.name}/score@mixed`])).toBe(true);
    }
  });

  it('exact OMD converges to the target as rounds grow (the target is what the score measures)', () => {
    const s = (iterations: number) => runRecipe(omd, { ...small, iterations, tasks: ['cyclic'] }, 2).metrics;
    const few = s(2)['omd-exact/score@cyclic'],
      many = s(200)['omd-exact/score@cyclic'];
    expect(few).toBeLessThan(many);
    expect(many).toBeGreaterThan(0.999);
  });

  it("a method's record key covers its own recipe, not the other methods'", () => {
    const files = (task: string) => Object.keys(taskCode(task, path.join(ROOT, 'dist')).files);
    const inpo = files(PROTOCOL_METHODS.find((m) => m.name === 'inpo')!.task);
    expect(inpo.some((f) => f.endsWith('recipes/inpo.js'))).toBe(true);
    expect(inpo.some((f) => f.endsWith('protocol/core.js'))).toBe(true);
    expect(inpo.some((f) => /recipes\/(dpo|dno|rpo|offline-direct)\.js$/.test(f))).toBe(false);
    expect(inpo.some((f) => f.endsWith('protocol/index.js'))).toBe(false);
  });

  it('PPO and P3O V2 on the reward model reach the exact KL-regularised optimum of rlhf-bt (same labels)', () => {
    // Same rng → same offline labels → same r̂: the policy-gradient recipes optimise r̂ − τ·KL(π‖π_ref), whose exact
    // maximiser is rlhf-bt's π_ref·exp(r̂/τ). Run long enough (1000 iterations; the protocol runs 200), PPO and P3O
    // must end far closer to it than π_ref is; PAR's bounded shaping optimises a different reward and must not. (P3O
    // V1, separate clipping, is not asserted: on the transitive game it locks two prompts onto a wrong response
    // within 50 iterations and stays there — a property of the method at this step size, reported by the protocol.)
    for (const task of ['transitive', 'cyclic'] as const) {
      const w = protocolWorld({ ...PROTOCOL_DEFAULTS, nX: 6 }, task, 11);
      const rng = () => new Rng(5).split('same-labels');
      const exact = rlhfBt.train(w, makeOracle(w), rng());
      const start = kl(exact, w.ref);
      expect(start).toBeGreaterThan(0.5);
      const oracle = makeOracle(w);
      const ppo = trainPolicyGradient('ppo', w, oracle, rng(), 1000);
      expect(oracle.used()).toBe(PROTOCOL_DEFAULTS.iterations * PROTOCOL_DEFAULTS.pairsPerIteration);
      expect(kl(exact, ppo)).toBeLessThan(0.02 * start);
      expect(kl(exact, trainPolicyGradient('joint', w, makeOracle(w), rng(), 1000))).toBeLessThan(0.02 * start);
      expect(kl(exact, trainPolicyGradient('ppo-par', w, makeOracle(w), rng(), 1000))).toBeGreaterThan(0.1 * start);
    }
  });
});
