import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  NOT_ENTERED,
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  PROTOCOL_TASKS,
  TASK_SPECS,
  playTask,
  protocolWorld,
  runRecipe,
  uniformRegret,
  type ProtocolRecipe,
} from '../../../../src/testbeds/bandits/protocol';
import type { RunResult } from '../../../../src/core/records';
import { steadyStateGain } from '../../../../src/testbeds/bandits/solvers/steady-state';
import { dlbSystem } from '../../../../src/testbeds/bandits/env/dynamical-linear';

const ROOT = path.resolve(__dirname, '../../../..');

const uniform: ProtocolRecipe = {
  name: 'uniform',
  summary: 'uniformly random action',
  learner: (w) => ({ select: (_t, rng) => rng.int(w.K), update: () => {} }),
};
const oracle: ProtocolRecipe = {
  name: 'oracle',
  summary: 'the optimal action',
  learner: (w) => ({ select: () => w.best, update: () => {} }),
};
const worst: ProtocolRecipe = {
  name: 'worst',
  summary: 'the worst action',
  learner: (w) => {
    let k = 0;
    for (let i = 1; i < w.K; i++) if (w.values[i] < w.values[k]) k = i;
    return { select: () => k, update: () => {} };
  },
};

describe('bandits protocol: score', () => {
  it('the oracle scores exactly 1 with regret 0 on every task', () => {
    const r = runRecipe(oracle, { ...PROTOCOL_DEFAULTS, T: 500 }, 3);
    for (const t of PROTOCOL_TASKS) {
      expect(r.metrics[`oracle/score@${t}`]).toBe(1);
      expect(r.metrics[`oracle/regret@${t}`]).toBe(0);
      expect(r.metrics[`oracle/fracOptimal@${t}`]).toBe(1);
    }
  });

  it('a uniformly random policy scores 0 in expectation (mean over 16 seeds within 0.03 on every task)', () => {
    for (const t of PROTOCOL_TASKS) {
      let s = 0;
      for (let seed = 0; seed < 16; seed++) s += playTask(uniform.learner, t, 2000, seed).score / 16;
      expect(Math.abs(s)).toBeLessThan(0.03);
    }
  });

  it('the worst constant action scores 1 − (μ* − μ_min) / (μ* − mean μ) exactly', () => {
    for (const t of PROTOCOL_TASKS) {
      const w = protocolWorld(t, 5);
      const mu = Array.from(w.values);
      const mean = mu.reduce((a, b) => a + b, 0) / mu.length;
      const want = 1 - (Math.max(...mu) - Math.min(...mu)) / (Math.max(...mu) - mean);
      expect(playTask(worst.learner, t, 300, 5).score).toBeCloseTo(want, 9);
      expect(uniformRegret(w, 300)).toBeCloseTo(300 * (Math.max(...mu) - mean), 9);
      expect(want).toBeLessThan(0);
    }
  });
});

describe('bandits protocol: task instances', () => {
  it('Bernoulli families have the declared best mean, gap range and minimum gap', () => {
    for (const t of ['bernoulli-easy', 'bernoulli-hard'] as const) {
      const spec = TASK_SPECS[t] as { best: number; minGap: number; maxGap: number; K: number };
      for (let seed = 0; seed < 5; seed++) {
        const w = protocolWorld(t, seed);
        expect(w.K).toBe(spec.K);
        expect(w.values[w.best]).toBeCloseTo(spec.best, 12);
        const gaps = Array.from(w.values, (v) => spec.best - v).filter((g, i) => i !== w.best);
        expect(Math.min(...gaps)).toBeCloseTo(spec.minGap, 12);
        expect(Math.max(...gaps)).toBeLessThanOrEqual(spec.maxGap);
        // one-hot features: action k's feature row is e_k
        for (let k = 0; k < w.K; k++)
          for (let j = 0; j < w.K; j++) expect(w.actions[k * w.K + j]).toBe(k === j ? 1 : 0);
      }
    }
  });

  it('the dynamical task values each action by its long-run mean reward (independent noise-free simulation)', () => {
    const w = protocolWorld('dynamical', 1);
    const env = dlbSystem(0.6, 0.01);
    const h = steadyStateGain(env);
    for (let k = 0; k < w.K; k++) {
      const a = Array.from(w.actions.subarray(k * w.d, (k + 1) * w.d));
      const x = new Float64Array(env.n);
      let y = 0;
      for (let t = 0; t < 400; t++) {
        y = 0;
        for (let i = 0; i < env.n; i++) y += env.omega[i] * x[i];
        for (let i = 0; i < env.d; i++) y += env.theta[i] * a[i];
        const nx = new Float64Array(env.n);
        for (let i = 0; i < env.n; i++) {
          for (let j = 0; j < env.n; j++) nx[i] += env.A[i * env.n + j] * x[j];
          for (let j = 0; j < env.d; j++) nx[i] += env.B[i * env.d + j] * a[j];
        }
        x.set(nx);
      }
      expect(w.values[k]).toBeCloseTo(y, 9);
    }
    // the steady-state optimum (1, 0.5, 0) differs from the myopic one argmax ⟨θ, a⟩
    expect(Array.from(w.actions.subarray(w.best * 3, w.best * 3 + 3))).toEqual([1, 0.5, 0]);
    expect(h[0]).toBeCloseTo(0.5625, 9);
  });

  it('rejects an unknown task with the list of tasks', () => {
    expect(() => protocolWorld('nope' as never, 1)).toThrow(/bernoulli-easy/);
  });
});

describe('bandits protocol: methods', () => {
  it('every method task resolves to a recipe module named like its entry, exporting only recipe and run', async () => {
    expect(PROTOCOL_METHODS.map((m) => m.name).sort()).toEqual(
      ['dynlin-ucb', 'exp3', 'lin-ucb', 'thompson-sampling', 'ucb1'].sort(),
    );
    for (const m of PROTOCOL_METHODS) {
      expect(fs.existsSync(path.join(ROOT, m.source))).toBe(true);
      const [mod, fn] = m.task.split('#');
      expect(fn).toBe('run');
      expect(`src/${mod}.ts`).toBe(m.source);
      const loaded = (await import(path.join(ROOT, m.source))) as Record<string, unknown>;
      expect(Object.keys(loaded).sort()).toEqual(['recipe', 'run']);
      expect((loaded.recipe as ProtocolRecipe).name).toBe(m.name);
    }
    expect(NOT_ENTERED.length).toBeGreaterThan(0);
  });

  it('is deterministic given the seed, and the seed matters', async () => {
    const config = { ...PROTOCOL_DEFAULTS, T: 800 };
    for (const m of PROTOCOL_METHODS) {
      const mod = (await import(path.join(ROOT, m.source))) as { run: (c: typeof config, s: number) => RunResult };
      const a = mod.run(config, 11).metrics,
        b = mod.run(config, 11).metrics,
        c = mod.run(config, 12).metrics;
      expect(b).toEqual(a);
      expect(c).not.toEqual(a);
      expect(Object.keys(a)).toHaveLength(3 * PROTOCOL_TASKS.length);
    }
  });

  it('DynLin-UCB coincides with LinUCB on static tasks (ρ̄ = 0, ω = 0) and not on the dynamical task', async () => {
    const lin = (await import('../../../../src/testbeds/bandits/protocol/recipes/lin-ucb')).recipe;
    const dyn = (await import('../../../../src/testbeds/bandits/protocol/recipes/dynlin-ucb')).recipe;
    for (const t of PROTOCOL_TASKS) {
      const a = playTask(lin.learner, t, 2000, 4),
        b = playTask(dyn.learner, t, 2000, 4);
      if (t === 'dynamical') expect(b.regret).not.toBe(a.regret);
      else expect(b).toEqual(a);
    }
  });

  it('UCB1 and Thompson sampling beat uniform on the easy Bernoulli task at the protocol horizon', async () => {
    const ucb = (await import('../../../../src/testbeds/bandits/protocol/recipes/ucb1')).recipe;
    const ts = (await import('../../../../src/testbeds/bandits/protocol/recipes/thompson-sampling')).recipe;
    expect(playTask(ucb.learner, 'bernoulli-easy', PROTOCOL_DEFAULTS.T, 2).score).toBeGreaterThan(0.5);
    expect(playTask(ts.learner, 'bernoulli-easy', PROTOCOL_DEFAULTS.T, 2).score).toBeGreaterThan(0.5);
  });
});
