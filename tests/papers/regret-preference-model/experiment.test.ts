import { describe, expect, it } from 'vitest';
import { parseMetricKey } from '../../../src/core/metric-keys';
import { DEFAULTS, runName, runSeed } from '../../../src/papers/regret-preference-model/experiment';

const config = { ...DEFAULTS, mdpsPerSeed: 1, sizes: [3, 10], restarts: 1, exactPairs: 40, maxIterations: 30 };

describe('regret preference model experiment: one seed', () => {
  it('is a pure function of the seed (timings aside), with method/metric keys per run and size', () => {
    const a = runSeed(config, 4);
    const b = runSeed(config, 4);
    expect(b.metrics).toEqual(a.metrics);
    expect(b.series).toEqual(a.series);
    for (const k of [...Object.keys(a.metrics), ...Object.keys(a.series ?? {}), ...Object.keys(a.timings ?? {})])
      expect(() => parseMetricKey(k)).not.toThrow();
    for (const noise of config.noiseModes)
      for (const model of ['regret', 'pr'] as const)
        for (const n of config.sizes) {
          const run = runName(model, model, noise);
          expect(run).toBe(`${model}:${model}:${noise}`);
          for (const metric of ['nearOpt', 'aboveRandom', 'median'])
            expect(a.metrics).toHaveProperty([`${run}/${metric}@${n}`]);
          expect(a.series?.[`${run}/scaled@${n}`]).toHaveLength(config.mdpsPerSeed);
        }
    expect(a.series?.['all/nS']).toHaveLength(config.mdpsPerSeed);
    expect(a.metrics).toHaveProperty(['regret/exactNearOpt']);
  });
});
