import { describe, expect, it } from 'vitest';
import {
  NOT_ENTERED,
  PROTOCOL_DEFAULTS,
  PROTOCOL_METHODS,
  protocolDataset,
  protocolWorld,
  type ProtocolTask,
} from '../../../src/testbeds/offline/protocol';
import * as bc from '../../../src/testbeds/offline/protocol/recipes/bc';
import * as fqi from '../../../src/testbeds/offline/protocol/recipes/fqi';
import * as xql from '../../../src/testbeds/offline/protocol/recipes/xql';
import * as fDvl from '../../../src/testbeds/offline/protocol/recipes/f-dvl';

describe('the offline protocol', () => {
  const cfg = { ...PROTOCOL_DEFAULTS, tasks: ['open-room:optimal', 'four-rooms:random:small'] as ProtocolTask[] };

  it('every method sees the same dataset for a task and seed, and a different one for another seed', () => {
    const a = protocolDataset('four-rooms:random', PROTOCOL_DEFAULTS, 3);
    const b = protocolDataset('four-rooms:random', PROTOCOL_DEFAULTS, 3);
    const c = protocolDataset('four-rooms:random', PROTOCOL_DEFAULTS, 4);
    expect(Array.from(a.s)).toEqual(Array.from(b.s));
    expect(Array.from(a.s)).not.toEqual(Array.from(c.s));
    expect(protocolDataset('four-rooms:random:small', PROTOCOL_DEFAULTS, 3).size).toBeLessThan(a.size);
  });

  it('all-optimal data, deterministic room: cloning is near-optimal and FQI is the best supported policy', () => {
    // (states the 100 episodes never visit keep a uniform policy, so cloning stays just below 1)
    expect(bc.run(cfg, 1).metrics['bc/score@open-room:optimal']).toBeGreaterThan(0.99);
    expect(Math.abs(fqi.run(cfg, 1).metrics['fqi/gapToSupported@open-room:optimal'])).toBeLessThan(1e-9);
  });

  it("FQI's greedy policy reaches the best data-supported value on random data (deterministic room)", () => {
    const r = fqi.run({ ...PROTOCOL_DEFAULTS, tasks: ['open-room:random'] }, 2);
    expect(Math.abs(r.metrics['fqi/gapToSupported@open-room:random'])).toBeLessThan(1e-9);
  });

  it('XQL and f-DVL (in-sample soft maxima) reach the best supported policy on all-optimal data', () => {
    // every supported action is optimal there, so any in-sample value greedy in support is optimal in support
    for (const rec of [xql, fDvl]) {
      const r = rec.run(cfg, 1).metrics;
      expect(Math.abs(r[`${rec.recipe.name}/gapToSupported@open-room:optimal`])).toBeLessThan(1e-9);
      expect(r[`${rec.recipe.name}/score@four-rooms:random:small`]).toBeLessThanOrEqual(1 + 1e-12);
    }
  });

  it('the table lists every recipe once, with task paths that exist, and names unknown tasks', () => {
    const names = PROTOCOL_METHODS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of PROTOCOL_METHODS) expect(m.task).toMatch(/^testbeds\/offline\/protocol\/recipes\/[a-z-]+#run$/);
    expect(NOT_ENTERED.length).toBeGreaterThan(0);
    expect(() => protocolWorld('maze:optimal' as ProtocolTask, 0.95)).toThrow(/unknown task "maze:optimal"/);
  });
});
