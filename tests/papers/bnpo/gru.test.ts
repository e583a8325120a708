import { describe, expect, it } from 'vitest';
import { useTempModelsDir } from '../../helpers';
import { runSeed } from '../../../src/papers/bnpo/gru';

// A tiny base model pre-trained in a temporary directory (never the committed data/models).
const TINY = { hidden: 8, digits: [1, 2], steps: 150, batch: 32, lr: 3e-3, seed: 0 };
useTempModelsDir();

const C = {
  base: TINY,
  digits: [1],
  nTrain: 24,
  nHeldOut: 8,
  steps: 3,
  batchPrompts: 6,
  groupSize: 4,
  lr: 3e-3,
  aggregation: 'seq-mean-token-mean' as const,
  evalEvery: 3,
  passKs: [1, 4],
};

describe('bnpo: RL on the GRU base model', () => {
  it('every method starts from the same base model and problems, BNPO records its adaptive (α, β) ≥ 1', () => {
    const r = runSeed({ ...C, methods: ['GRPO', 'BNPO', 'ReMax'] }, 5);
    expect(r.series!['GRPO/train:pass@1'][0]).toBe(r.series!['BNPO/train:pass@1'][0]);
    // same first batch (same base model and stream)
    expect(r.series!['BNPO/reward'][0]).toBe(r.series!['GRPO/reward'][0]);
    expect(r.series!['BNPO/reward'][0]).toBe(r.series!['ReMax/reward'][0]);
    expect(r.series!['BNPO/alpha']).toHaveLength(3);
    for (const a of [...r.series!['BNPO/alpha'], ...r.series!['BNPO/beta']]) expect(a).toBeGreaterThanOrEqual(1);
    expect(r.series!['GRPO/alpha']).toBeUndefined();
    expect(r.metrics['GRPO/gradNormCv']).toBeGreaterThanOrEqual(0);
  });

  it('rejects an unknown method by name', () => {
    expect(() => runSeed({ ...C, methods: ['PPO'] }, 1)).toThrow(/unknown GRU method "PPO"/);
  });
});
