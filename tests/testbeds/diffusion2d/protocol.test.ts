import { describe, expect, it } from 'vitest';
import {
  NOT_ENTERED,
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  protocolReward,
  runRecipe,
  type ProtocolRecipe,
  type ProtocolTask,
} from '../../../src/testbeds/diffusion2d/protocol';
import * as ddpoKl from '../../../src/testbeds/diffusion2d/protocol/recipes/ddpo-kl';

const tiny = { ...PROTOCOL_DEFAULTS, updates: 3, batch: 16, evalSamples: 2000 };

describe('the diffusion2d protocol', () => {
  it('an unchanged model scores exactly 0 (same evaluation noise as the base) on every task', () => {
    const idle: ProtocolRecipe = { name: 'idle', summary: 'no update', fineTune: () => undefined };
    const r = runRecipe(idle, tiny, 3).metrics;
    for (const t of PROTOCOL_DEFAULTS.tasks) {
      expect(r[`idle/score@${t}`]).toBe(0);
      expect(r[`idle/rewardGain@${t}`]).toBe(0);
      expect(r[`idle/klRef@${t}`]).toBe(r[`base/klRef@${t}`]);
      // the pre-trained model is close to p_ref and far from the tilted target
      expect(r[`base/klRef@${t}`]).toBeLessThan(0.5);
      expect(r[`base/klTilt@${t}`]).toBeGreaterThan(0.5);
    }
  });

  it('a recipe gets a fresh copy of the base model, its budget and the task β; records are deterministic', () => {
    const seen: { updates: number; batch: number; beta: number; same: boolean }[] = [];
    const probe: ProtocolRecipe = {
      name: 'probe',
      summary: 'records its context',
      fineTune: (c) => {
        seen.push({ updates: c.updates, batch: c.batch, beta: c.beta, same: c.policy === c.ref });
        c.policy.mlp.params.f[0] += 1; // must not leak into the next task's copy
      },
    };
    runRecipe(probe, tiny, 1);
    expect(seen).toEqual(
      PROTOCOL_DEFAULTS.tasks.map((t) => ({ updates: 3, batch: 16, beta: protocolReward(t).beta, same: false })),
    );
    const a = ddpoKl.run({ ...tiny, tasks: ['mode'] }, 2).metrics;
    const b = ddpoKl.run({ ...tiny, tasks: ['mode'] }, 2).metrics;
    expect(a).toEqual(b);
  });

  it('the table lists every recipe once with task paths that exist, and names unknown tasks', () => {
    const names = PROTOCOL_METHODS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of PROTOCOL_METHODS)
      expect(m.task).toMatch(/^testbeds\/diffusion2d\/protocol\/recipes\/[a-z0-9-]+#run$/);
    expect(NOT_ENTERED.length).toBeGreaterThan(0);
    expect(() => protocolReward('ring' as ProtocolTask)).toThrow(/unknown task "ring"/);
  });
});
