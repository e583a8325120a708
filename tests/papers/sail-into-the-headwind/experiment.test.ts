import { describe, expect, it } from 'vitest';
import { makeComparisons } from '../../../src/testbeds/preference/data/comparisons';
import {
  DEFAULTS,
  METHODS,
  SHARED_BETA,
  makeHeadwindTask,
  pilotGrid,
  responseSets,
  runSeed,
} from '../../../src/papers/sail-into-the-headwind/experiment';
import { expectWellFormed } from '../run-result';

describe('the POWER / POWER-DL experiment', () => {
  it('response sets: poorly covered by count, subpar/decent by π_0 value, Type I winners and Type II losers', () => {
    // one context, 4 responses; gold 0, 1, 2, 3; π_0 uniform → V = 1.5.
    const gold = Float64Array.from([0, 1, 2, 3]);
    const p0 = new Float64Array(4).fill(0.25);
    const c = makeComparisons([
      { x: 0, a: 0, b: 1 }, // subpar 0 wins once (count 1) → Type I; 1 loses once (count 3)
      { x: 0, a: 1, b: 3 }, // 3 (decent) loses once, count 1 → Type II
      { x: 0, a: 1, b: 2 }, // 2 (decent) loses, count 2 (with the next row) → Type II
      { x: 0, a: 2, b: 0, p: 0 }, // soft label 0: 0 wins again (count 2), 2 loses
    ]);
    const s = responseSets(c, gold, p0, { nX: 1, nY: 4 }, 2);
    expect(Array.from(s.count)).toEqual([2, 3, 2, 1]);
    expect(Array.from(s.pc)).toEqual([1, 0, 1, 1]);
    expect(Array.from(s.type1)).toEqual([1, 0, 0, 0]);
    expect(Array.from(s.type2)).toEqual([0, 0, 1, 1]);
  });

  it('a seed of a tiny configuration returns finite metrics; π_0 is the start of every method', () => {
    const cfg = { ...DEFAULTS, nX: 8, steps: 30, every: 10 };
    const r = runSeed(cfg, 3);
    expectWellFormed(r);
    for (const m of [...METHODS, ...SHARED_BETA]) {
      expect(Number.isFinite(r.metrics[`${m}/reward`]), m).toBe(true);
      expect(r.series![`${m}/reward`][0]).toBeCloseTo(r.metrics['init/reward'], 12);
      expect(r.series![`${m}/type1`][0]).toBeCloseTo(0, 12);
    }
    expect(r.metrics['power-dl/pcResidual']).toBeLessThanOrEqual(r.metrics['power/pcResidual'] + 1e-12);
    const t = makeHeadwindTask(cfg, 3);
    expect(t.data.n).toBe(cfg.nX * cfg.pairsPerContext);
    expect(() => runSeed({ ...cfg, methods: { bad: { algo: 'nope' } as never } }, 0)).toThrow(/unknown algorithm/);
  });

  it('the pilot grid gives every method three points', () => {
    const g = pilotGrid({ beta: 0.1, powerEta: 0.01 });
    const per: Record<string, number> = {};
    for (const s of Object.values(g)) per[s.algo] = (per[s.algo] ?? 0) + 1;
    expect(per).toEqual({ dpo: 3, ipo: 3, simpo: 3, cdpo: 3, rpo: 3, power: 3, 'power-dl': 3 });
  });
});
