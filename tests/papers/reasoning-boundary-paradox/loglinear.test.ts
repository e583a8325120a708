import { describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng';
import { runSeed, type Config } from '../../../src/papers/reasoning-boundary-paradox/loglinear';
import { tercileMasks } from '../../../src/papers/reasoning-boundary-paradox/likelihood';
import type { StrategyWorldConfig } from '../../../src/testbeds/rlvr/env/strategy-world';

const WORLD: StrategyWorldConfig = {
  nStrategies: 3,
  candidatesPerStrategy: 2,
  nTypes: 2,
  typeMainStrategy: [0, 1],
  mainStrategyProb: 0.7,
  popularity: [0, -1, -2],
  executionMean: 0.5,
  executionSd: 1,
  noiseSd: 0.5,
  nRandomFeatures: 4,
  randomFeatureScale: 1,
};

describe('reasoning-boundary-paradox: the log-linear experiment', () => {
  it('tercileMasks marks the bottom and top thirds', () => {
    const { low, high } = tercileMasks([5, 1, 9, 3, 7, 2]);
    expect(Array.from(low)).toEqual([0, 1, 0, 0, 0, 1]);
    expect(Array.from(high)).toEqual([0, 0, 1, 0, 1, 0]);
  });

  it('runSeed is deterministic and reports pass@k for every method', () => {
    const cfg: Config = {
      world: WORLD,
      nTrain: 30,
      nHeldOut: 15,
      steps: 6,
      lr: 1,
      batchProblems: 8,
      groupSize: 4,
      logEvery: 3,
      methods: ['grpo', 'self', 'grpo-uniform'],
      passKs: [1, 256],
    };
    const a = runSeed(cfg, 3);
    const b = runSeed(cfg, 3);
    expect(a.metrics).toEqual(b.metrics);
    for (const m of cfg.methods) expect(a.metrics[`${m}/heldout:pass@256`]).toBeGreaterThan(0);
    expect(a.series?.['grpo/curve:step']).toEqual([0, 1, 3, 6]);
  });
});
