import { describe, expect, it } from 'vitest';
import { metricOf } from '../../../src/core/metric-keys';
import { runSeed } from '../../../src/papers/inpo/experiment';
import { expectWellFormed } from '../run-result';

describe('the INPO experiment', () => {
  it("a seed of a tiny configuration returns finite metrics; INPO's loss minimiser is the OMD step", () => {
    const cfg = {
      nX: 4,
      nY: 6,
      btScale: 1,
      cyclicScale: 2,
      cyclic: 'rps-blocks' as const,
      lengthBias: 1,
      refScale: 1,
      iterations: 3,
      pairsPerContext: 8,
      tau: 0.1,
      eta: 2,
      dpoSamples: 4,
      gdSteps: 5,
      lrScale: 0.5,
      rmPairsPerContext: 8,
      rmL2: 0.1,
    };
    const i = runSeed(cfg, 2);
    expectWellFormed(i);
    expect(runSeed(cfg, 2).metrics).toEqual(i.metrics);
    expect(metricOf(i, 'omd', 'lossVsOmdMaxDiff')).toBeLessThan(1e-6);
    // equal annotation budgets: iterative DPO's refitted BT model saw as many oracle labels as INPO
    const perPrompt = cfg.iterations * cfg.pairsPerContext;
    for (const m of ['inpo', 'inpo-no-kl', 'online-ipo', 'iter-dpo-bt'])
      expect(metricOf(i, m, 'labels')).toBe(perPrompt);
    expect(metricOf(i, 'iter-dpo-bt-offline', 'labels')).toBe(cfg.rmPairsPerContext);
    const longer = runSeed({ ...cfg, iterations: 5 }, 2);
    expect(metricOf(longer, 'iter-dpo-bt', 'labels')).toBe(metricOf(longer, 'inpo', 'labels'));
    expect(metricOf(longer, 'inpo', 'labels')).toBe(5 * cfg.pairsPerContext);
  });
});
