/**
 * The offline gate's task: a small run returns every metric key the notebook reads, is bit-identical for a seed and
 * differs across seeds, and its normalised values lie where the definitions put them.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULTS,
  METHODS,
  QUALITIES,
  WORLDS,
  runSeed,
  worldTask,
  type Config,
} from '../../../src/papers/testbed-offline/experiment';

const small: Config = { ...DEFAULTS, episodes: 25, mcRollouts: 200 };

describe('testbed-offline runSeed', () => {
  it('has fixed worlds and returns every key the notebook reads, deterministic in the seed', () => {
    expect(worldTask(DEFAULTS, 'four-rooms').env.nS).toBe(worldTask(DEFAULTS, 'four-rooms').env.nS);
    const a = runSeed(small, 3),
      b = runSeed(small, 3),
      c = runSeed(small, 4);
    expect(b.metrics).toEqual(a.metrics);
    expect(c.metrics).not.toEqual(a.metrics);
    for (const w of WORLDS) {
      expect(a.metrics[`exact/optimal@${w}`]).toBeGreaterThan(a.metrics[`exact/uniform@${w}`]);
      for (const k of ['mcMaxAbsErr', 'mcMaxZ', 'mcMaxSe']) expect(a.metrics[`exact/${k}@${w}`]).toBeGreaterThan(0);
      for (const q of QUALITIES) {
        const cov = a.metrics[`data/coverage@${q}@${w}`];
        expect(cov).toBeGreaterThan(0);
        expect(cov).toBeLessThanOrEqual(1);
        expect(a.metrics[`reference/normValue@${q}@${w}`]).toBeLessThanOrEqual(1 + 1e-9);
        for (const m of METHODS) {
          const v = a.metrics[`${m}/normValue@${q}@${w}`];
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeLessThanOrEqual(1 + 1e-9); // nothing beats the optimum
        }
      }
    }
  });
});
