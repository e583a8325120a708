import { describe, expect, it } from 'vitest';
import { metricOf } from '../../../src/core/metric-keys';
import { runSeed } from '../../../src/papers/dno/experiment';
import { expectWellFormed } from '../run-result';

const cfg = {
  nX: 4,
  nY: 6,
  btScale: 1,
  cyclicScale: 2,
  cyclic: 'rps-blocks' as const,
  teacherTemperature: 0.25,
  sftQuality: 0.5,
  sftNoise: 1,
  iterations: 2,
  samples: 3,
  margin: 0.5,
  eta: 1,
  gdSteps: 5,
  lrScale: 0.5,
  rmPairsPerContext: 10,
  rmL2: 0.1,
};

describe('the DNO experiment', () => {
  it("a seed of a tiny configuration returns finite metrics; RLHF sits at DNO-Prct's KL budget", () => {
    const d = runSeed(cfg, 1);
    expectWellFormed(d);
    expect(runSeed(cfg, 1).metrics).toEqual(d.metrics);
    for (const m of ['rlhf-bt', 'rlhf-bt-offline'])
      expect(metricOf(d, m, 'klInit')).toBeCloseTo(metricOf(d, 'dno-prct', 'klInit'), 8); // at DNO-Prct's KL
  });

  it('equal annotation budgets: the BT arms consumed exactly as many oracle labels as DNO-Prct', () => {
    const d = runSeed(cfg, 2);
    // DNO-Prct: K policy samples + 1 teacher sample per prompt, every unordered pair labelled once per iteration
    const m = cfg.samples + 1;
    const perPrompt = (cfg.iterations * m * (m - 1)) / 2;
    expect(metricOf(d, 'dno-prct', 'labels')).toBe(perPrompt);
    expect(metricOf(d, 'iter-dpo-bt', 'labels')).toBe(perPrompt);
    expect(metricOf(d, 'rlhf-bt', 'labels')).toBe(perPrompt);
    // the restrictive ablation has no teacher sample; SPIN asks the oracle nothing; the offline RM its own data
    expect(metricOf(d, 'dno-restrictive', 'labels')).toBe((cfg.iterations * cfg.samples * (cfg.samples - 1)) / 2);
    expect(metricOf(d, 'spin', 'labels')).toBe(0);
    expect(metricOf(d, 'iter-dpo-bt-offline', 'labels')).toBe(cfg.rmPairsPerContext);
    // a longer run consumes proportionally more, for DNO and for its equal-budget baselines alike
    const d3 = runSeed({ ...cfg, iterations: 3 }, 2);
    expect(metricOf(d3, 'iter-dpo-bt', 'labels')).toBe((3 * m * (m - 1)) / 2);
    expect(metricOf(d3, 'rlhf-bt', 'labels')).toBe(metricOf(d3, 'dno-prct', 'labels'));
  });
});
