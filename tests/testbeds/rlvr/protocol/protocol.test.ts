/**
 * The RLVR protocol: fixed points (no update scores exactly 0; an anti-reward update scores below 0), common random
 * numbers across methods (curation drops problems without shifting the other problems' samples), the ReMax recipe's
 * greedy baseline, and the method table and config errors.
 */
import { describe, expect, it } from 'vitest';
import {
  NOT_ENTERED,
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  PROTOCOL_TASKS,
  checkProtocolConfig,
  protocolWorld,
  runRecipe,
  type GroupSamples,
  type ProtocolRecipe,
  type ProtocolTask,
} from '../../../../src/testbeds/rlvr/protocol';
import * as grpo from '../../../../src/testbeds/rlvr/protocol/recipes/grpo';
import * as remax from '../../../../src/testbeds/rlvr/protocol/recipes/remax';
import { greedyAnswer } from '../../../../src/testbeds/rlvr/policies/log-linear';

const tiny = { ...PROTOCOL_DEFAULTS, updates: 6, heldOut: 300, evals: 3 };

describe('the RLVR protocol', () => {
  it('zero advantages leave θ at 0: score, pass@k change and drops exactly 0, every group inert', () => {
    const idle: ProtocolRecipe = {
      name: 'idle',
      summary: 'no update',
      advantages: (s) => new Float64Array(s.rewards.length),
    };
    const r = runRecipe(idle, tiny, 3).metrics;
    for (const t of PROTOCOL_TASKS) {
      expect(r[`idle/score@${t}`]).toBe(0);
      expect(r[`idle/passKGain@${t}`]).toBe(0);
      expect(r[`idle/auc@${t}`]).toBe(0);
      expect(r[`idle/drops@${t}`]).toBe(0);
      expect(r[`idle/zeroGroups@${t}`]).toBe(1);
      expect(r[`idle/kept@${t}`]).toBe(1);
      expect(r[`base/pass1@${t}`]).toBeGreaterThan(0);
      expect(r[`base/pass1@${t}`]).toBeLessThan(1);
    }
  });

  it('punishing correct answers makes held-out pass@1 worse; GRPO makes it better', () => {
    const anti: ProtocolRecipe = { name: 'anti', summary: 'A = −r', advantages: (s) => s.rewards.map((x) => -x) };
    const c = { ...tiny, updates: 40, tasks: ['boundary' as ProtocolTask] };
    expect(runRecipe(anti, c, 1).metrics['anti/score@boundary']).toBeLessThan(0);
    expect(grpo.run(c, 1).metrics['grpo/score@boundary']).toBeGreaterThan(0);
  });

  it('every method sees the same problems and answers: curation drops problems, not other samples', () => {
    const seen: Record<string, GroupSamples[]> = { all: [], curated: [] };
    const probe = (name: string, drop: boolean): ProtocolRecipe => ({
      name,
      summary: 'records its samples',
      dropGreedyCorrect: drop,
      advantages: (s) => {
        seen[name].push(s);
        return new Float64Array(s.rewards.length);
      },
    });
    const c = { ...tiny, updates: 2, evals: 1, tasks: ['boundary' as ProtocolTask] };
    runRecipe(probe('all', false), c, 4);
    const r = runRecipe(probe('curated', true), c, 4).metrics;
    expect(r['curated/kept@boundary']).toBeLessThan(1);
    for (let u = 0; u < 2; u++) {
      const a = seen.all[u],
        b = seen.curated[u];
      expect(Array.from(a.set.correct)).toEqual(Array.from(b.set.correct));
      expect(a.problems.length).toBe(c.batchProblems);
      const K = b.set.nCandidates;
      for (let i = 0; i < b.problems.length; i++) {
        const q = b.problems[i];
        expect(b.set.correct[q * K + greedyAnswer(b.set, b.probs, q)]).toBe(0);
        expect(Array.from(b.actions.subarray(i * b.G, (i + 1) * b.G))).toEqual(
          Array.from(a.actions.subarray(q * a.G, (q + 1) * a.G)),
        );
      }
    }
  });

  it("ReMax's baseline is the reward of the greedy answer", () => {
    const set = {
      nProblems: 2,
      nCandidates: 2,
      dim: 1,
      features: new Float64Array(4),
      baseLogits: new Float64Array(4),
    };
    const s: GroupSamples = {
      set: { ...set, correct: Uint8Array.from([1, 0, 0, 1]) },
      probs: Float64Array.from([0.7, 0.3, 0.6, 0.4]), // greedy: answer 0 on both; correct on problem 0 only
      problems: Int32Array.from([0, 1]),
      G: 2,
      actions: Int32Array.from([0, 1, 0, 1]),
      rewards: Float64Array.from([1, 0, 0, 1]),
    };
    expect(Array.from(remax.recipe.advantages(s))).toEqual([0, -1, 0, 1]);
  });

  it('the table lists every recipe once with task paths that exist; bad tasks and configs are named', () => {
    const names = PROTOCOL_METHODS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of PROTOCOL_METHODS) expect(m.task).toMatch(/^testbeds\/rlvr\/protocol\/recipes\/[a-z0-9-]+#run$/);
    expect(NOT_ENTERED.length).toBeGreaterThan(0);
    expect(() => protocolWorld('ring' as ProtocolTask)).toThrow(/unknown task "ring"/);
    expect(() => checkProtocolConfig({ ...tiny, groupSize: 1 })).toThrow(/groupSize must be an integer ≥ 2/);
    expect(() => checkProtocolConfig({ ...tiny, evals: 10 })).toThrow(/evals \(10\) must not exceed updates \(6\)/);
  });
});
