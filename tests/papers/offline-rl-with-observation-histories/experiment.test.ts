import { describe, expect, it } from 'vitest';
import { DEFAULTS, runSeed, type Config } from '../../../src/papers/offline-rl-with-observation-histories/experiment';

const SMALL: Config = { ...DEFAULTS, sizes: [30, 120] };

describe('offline-rl-with-observation-histories experiment', () => {
  const r = runSeed(SMALL, 7);
  it('is deterministic per seed', () => {
    expect(runSeed(SMALL, 7).metrics).toEqual(r.metrics);
  });
  it('reports every method at every size, with normalised values in [0, 1]', () => {
    for (const n of SMALL.sizes)
      for (const m of ['state', 'history', 'bisim', 'bisim-shared', 'lastobs', 'bc']) {
        const v = r.metrics[`${m}/normalized@n${n}`];
        expect(v).toBeGreaterThanOrEqual(-1e-12);
        expect(v).toBeLessThanOrEqual(1 + 1e-9);
      }
  });
  it('history-based CQL never beats the best data episode; the state oracle matches or beats it', () => {
    for (const n of SMALL.sizes) {
      const best = r.metrics[`data/bestReturn@n${n}`];
      expect(r.metrics[`history/value@n${n}`]).toBeLessThanOrEqual(best + 1e-9);
      expect(r.metrics[`state/value@n${n}`]).toBeGreaterThanOrEqual(r.metrics[`history/value@n${n}`] - 1e-9);
    }
  });
  it('the memoryless policy cannot reach the interior goal', () => {
    for (const n of SMALL.sizes) expect(r.metrics[`lastobs/value@n${n}`]).toBeLessThan(1e-12);
  });
});
