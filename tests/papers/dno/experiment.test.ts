import { describe, expect, it } from 'vitest';
import { metricOf } from '../../../src/core/metric-keys';
import { runSeed } from '../../../src/papers/dno/experiment';
import { expectWellFormed } from '../run-result';

describe('the DNO experiment', () => {
  it("a seed of a tiny configuration returns finite metrics; RLHF sits at DNO-Prct's KL budget", () => {
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
    const d = runSeed(cfg, 1);
    expectWellFormed(d);
    expect(runSeed(cfg, 1).metrics).toEqual(d.metrics);
    expect(metricOf(d, 'rlhf-bt', 'klInit')).toBeCloseTo(metricOf(d, 'dno-prct', 'klInit'), 8); // RLHF at DNO-Prct's KL budget
  });
});
