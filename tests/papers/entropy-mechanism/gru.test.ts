import { describe, expect, it } from 'vitest';
import { useTempModelsDir } from '../../helpers';
import { runSeed, type Config } from '../../../src/papers/entropy-mechanism/gru';
import { runGruRlSeed } from '../../../src/testbeds/rlvr/loops/gru-rl';

describe('entropy-mechanism on the GRU base model: GRPO, Clip-Cov and KL-Cov (trainGruEntropyControl)', () => {
  // A small base model in a temporary cache (the default model's cache key is computed from dist/, so
  // tests never touch data/models/).
  useTempModelsDir('rlmini-rlvr-entropy-gru-');
  const tiny: Config = {
    base: { hidden: 16, digits: [1], steps: 300, batch: 32, lr: 1e-2, seed: 1 },
    method: 'grpo',
    digits: [1],
    nTrain: 12,
    nHeldOut: 8,
    steps: 4,
    batchPrompts: 4,
    groupSize: 4,
    lr: 2e-3,
    advantage: { kind: 'grpo' },
    aggregation: 'seq-mean-token-mean',
    epochs: 2,
    clip: 0.2,
    evalEvery: 2,
    passKs: [1, 16, 256],
    clipCov: { ratio: 2e-4, lb: 1, ub: 5 },
    klCov: { ratio: 2e-3, beta: 1 },
  };

  it("method 'grpo' is exactly trainGruRl (same problems, samples, updates and evaluations)", () => {
    const a = runSeed(tiny, 7);
    const { method: _m, clipCov: _c, klCov: _k, ...rl } = tiny;
    const b = runGruRlSeed(rl, 7, 'grpo');
    for (const key of ['step', 'train:pass@1', 'train:pass@256', 'heldout:pass@16', 'entropy', 'reward'])
      expect(a.series![`grpo/${key}`]).toEqual(b.series![`grpo/${key}`]);
    expect(a.series!['grpo/touched'].every((x) => x === 0)).toBe(true);
    // the model did move (otherwise the equality above would be vacuous)
    expect(a.series!['grpo/train:pass@1'][2]).not.toBe(a.series!['grpo/train:pass@1'][0]);
  });

  it('Clip-Cov detaching every token leaves the model unchanged; KL-Cov changes GRPO and needs epochs ≥ 2', () => {
    const frozen = runSeed({ ...tiny, method: 'clip-cov', clipCov: { ratio: 1, lb: -1e9, ub: 1e9 }, epochs: 1 }, 3);
    const p = frozen.series!['clip-cov/train:pass@1'];
    for (const v of p) expect(v).toBe(p[0]);
    const g = runSeed(tiny, 3);
    const k = runSeed({ ...tiny, method: 'kl-cov', klCov: { ratio: 0.5, beta: 1 } }, 3);
    expect(k.series!['kl-cov/touched'][0]).toBeGreaterThan(0);
    expect(k.series!['kl-cov/train:pass@1'][2]).not.toBe(g.series!['grpo/train:pass@1'][2]);
    // first update's samples are identical (same stream), so the entropy before any update agrees
    expect(k.series!['kl-cov/entropy'][0]).toBe(g.series!['grpo/entropy'][0]);
    expect(() => runSeed({ ...tiny, method: 'kl-cov', epochs: 1 }, 1)).toThrow(/epochs ≥ 2/);
  });
});
