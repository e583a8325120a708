import { describe, expect, it } from 'vitest';
import { metricOf } from '../../../src/core/metric-keys';
import { DEFAULTS, frontierAt, frontierOnPath, runSeed, sweepRun } from '../../../src/papers/p3o/experiment';
import { expectWellFormed } from '../run-result';

describe('the P3O experiment', () => {
  it('the KL-reward frontier of checkpoints: the best reward within each KL budget', () => {
    expect(frontierAt([0, 0.1, 0.3, 0.2], [0, 1, 3, 2], [0.05, 0.25, 1])).toEqual([0, 2, 3]);
  });

  it('the frontier of a path adds the points where a segment crosses the budget (linear in KL)', () => {
    // Path (0, 0) → (1, 2) → (3, 3): at KL 0.5 the first segment gives 1; at KL 2 the second gives 2.5.
    const f = frontierOnPath([0, 1, 3], [0, 2, 3], [0.5, 1, 2, 5]);
    expect(f[0]).toBeCloseTo(1, 14);
    expect(f[1]).toBe(2);
    expect(f[2]).toBeCloseTo(2.5, 14);
    expect(f[3]).toBe(3);
    // Never below the checkpoints-only frontier; a path that goes back down keeps its best in-budget point.
    const kl = [0, 0.4, 0.9, 0.6],
      r = [0, 1, 0.5, 2];
    const ks = [0.1, 0.3, 0.5, 0.7, 1];
    const onPath = frontierOnPath(kl, r, ks),
      ckpt = frontierAt(kl, r, ks);
    onPath.forEach((v, j) => expect(v).toBeGreaterThanOrEqual(ckpt[j]));
    expect(onPath[4]).toBe(2);
    // Budget 0.7: the crossings of (0.4, 1) → (0.9, 0.5) and (0.9, 0.5) → (0.6, 2) give 0.7 and 1.5, but the
    // checkpoint (0.6, 2) is within the budget.
    expect(onPath[3]).toBe(2);
    // Budget 0.3: only the crossing of (0, 0) → (0.4, 1) at λ = 3/4 lifts the frontier above π_ref's 0.
    expect(ckpt[1]).toBe(0);
    expect(onPath[1]).toBeCloseTo(0.75, 14);
  });

  it('a seed of a tiny configuration: finite metrics, P3O ignores the offsets, no frontier above the optimum', () => {
    const cfg = { ...DEFAULTS, nX: 8, iterations: 6, dpoSteps: 30, every: 2, betaGrid: [0.2, 0.8] };
    const r = runSeed(cfg, 0);
    expectWellFormed(r);
    for (const v of ['p3o-v1', 'p3o-v2']) expect(metricOf(r, v, 'offsetMaxAbs')).toBeLessThan(1e-9);
    expect(metricOf(r, 'ppo', 'offsetMaxAbs')).toBeGreaterThan(1e-9);
    // The run on r̂ at the notebook's β and its offsets twin share the sampling stream: P3O's frontiers coincide.
    expect(metricOf(r, 'p3o-v2-offsets', 'frontierRm')).toBeCloseTo(metricOf(r, sweepRun('p3o-v2', 0.2), 'frontierRm'));
    for (const m of ['ppo', 'p3o-v1', 'p3o-v2', 'dpo', 'dpo-linear']) {
      // The envelope over the sweep is at least each run's frontier, and at most the exact constrained optimum.
      for (const b of cfg.budgets) {
        const env = metricOf(r, m, `frontierRm@${b}`);
        for (const beta of cfg.betaGrid)
          expect(env).toBeGreaterThanOrEqual(metricOf(r, sweepRun(m, beta), `frontierRm@${b}`) - 1e-15);
        expect(env).toBeLessThanOrEqual(metricOf(r, 'optimum', `frontierRm@${b}`) + 1e-9);
      }
      expect(metricOf(r, m, 'checkpoints')).toBe(cfg.betaGrid.length * 4);
    }
  });

  it('rejects a β for the offset runs that is not on the grid', () => {
    expect(() => runSeed({ ...DEFAULTS, nX: 4, iterations: 2, betaGrid: [0.4] }, 0)).toThrow(/betaGrid/);
  });
});
