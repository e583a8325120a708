import { describe, expect, it } from 'vitest';
import { useTempModelsDir } from '../../helpers';
import { methodsAt, runLabel, runSeed, type Config } from '../../../src/papers/grpo-off-policy/gru';

// A tiny base model pre-trained in a temporary directory (never the committed data/models).
useTempModelsDir();

describe('grpo-off-policy on the GRU base model', () => {
  it('methodsAt(k) holds the on-policy references and every method at staleness k, named method@k=k', () => {
    const m = methodsAt(2);
    expect(Object.keys(m)).toEqual([
      'REINFORCE@k=0',
      'GRPO@k=0',
      'REINFORCE@k=2',
      'GRPO@k=2',
      'REC-OneSide-IS@k=2',
      'REC-OneSide-NoIS@k=2',
      'OPMD@k=2',
      'AsymRE@k=2',
      'RED-Weight@k=2',
    ]);
    expect(m['REINFORCE@k=0'].staleness).toBeUndefined();
    expect(m['OPMD@k=2']).toEqual({
      advantage: { kind: 'baseline' },
      importanceWeight: false,
      clip: 'none',
      k2Coef: 0.1,
      staleness: 2,
    });
    expect(m['GRPO@k=2']).toEqual({
      advantage: { kind: 'grpo' },
      importanceWeight: true,
      clip: 'ppo',
      clipLow: 0.2,
      clipHigh: 0.2,
      staleness: 2,
    });
    expect(runLabel('REC-OneSide-NoIS@k=16')).toBe('REC-OneSide-NoIS|k=16');
  });

  it('one seed records every run and the base model once', () => {
    const c: Config = {
      base: { hidden: 8, digits: [1, 2], steps: 150, batch: 32, lr: 3e-3, seed: 0 },
      digits: [1],
      nTrain: 24,
      nHeldOut: 8,
      steps: 2,
      batchPrompts: 4,
      groupSize: 4,
      lr: 3e-3,
      aggregation: 'seq-mean-token-mean',
      evalEvery: 2,
      passKs: [1],
      staleness: 2,
    };
    const r = runSeed(c, 3);
    for (const name of Object.keys(methodsAt(2))) expect(r.series![`${name}/step`]).toEqual([0, 2]);
    expect(r.metrics['base/train:pass@1']).toBe(r.series!['REINFORCE@k=0/train:pass@1'][0]);
    expect(() => runSeed({ ...c, staleness: 0 }, 1)).toThrow(/staleness must be an integer ≥ 1/);
  });
});
