/**
 * The CRD experiment: grid-tilt samples reproduce the tilt (TV small, the KL floor), off-box points are clamped to
 * border cells, and a short run of each method returns every metric (finite) with per-round series.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { gridCoarsen, gridHistogram, gridTv, makeGrid2d } from '../../../src/testbeds/diffusion2d/env/grid';
import {
  DEFAULTS,
  clampToBox,
  runSeed,
  sampleGridMasses,
  type MethodName,
} from '../../../src/papers/diffusion-reinforcement-learning-via-centered/experiment';

describe('diffusion-reinforcement-learning-via-centered experiment', () => {
  it('sampleGridMasses draws from the grid masses (TV → 0 with many samples)', () => {
    const grid = makeGrid2d(-2, 2, 8);
    const q = new Float64Array(64);
    q[3] = 0.5;
    q[40] = 0.3;
    q[63] = 0.2;
    const N = 20000;
    const x = sampleGridMasses(grid, q, N, new Rng(1));
    const h = gridHistogram(grid, x, N);
    expect(h.outside).toBe(0);
    expect(gridTv(h.p, q)).toBeLessThan(0.01);
    expect(gridTv(gridCoarsen(grid, h.p, 2).p, gridCoarsen(grid, q, 2).p)).toBeLessThan(0.01);
  });

  it('clampToBox puts off-box points in the border cells and leaves inside points alone', () => {
    const grid = makeGrid2d(-1, 1, 4);
    const x = clampToBox(grid, [5, -7, 0.3, 0.2], 2);
    const h = gridHistogram(grid, x, 2);
    expect(h.outside).toBe(0);
    expect(h.p[0 * 4 + 3]).toBeCloseTo(0.5); // (ix 3, iy 0)
    expect(x[2]).toBe(0.3);
    expect(x[3]).toBe(0.2);
  });

  it('every method runs and records finite metrics and per-round series', () => {
    for (const method of ['flow-grpo', 'awm', 'crd', 'crd-uncentered'] as MethodName[]) {
      const r = runSeed({ ...DEFAULTS, method, rounds: 2, evalSamples: 100 }, 7);
      for (const who of ['ref', 'target', 'base', 'tuned'])
        for (const m of ['gold', 'proxy', 'quality', 'klTilt', 'tvTilt', 'outside'])
          expect(Number.isFinite(r.metrics[`${who}/${m}`])).toBe(true);
      expect(r.series?.['tuned/proxy']).toHaveLength(2);
      expect(r.metrics['target/tvTilt']).toBeLessThan(r.metrics['ref/tvTilt']);
    }
  });
});
