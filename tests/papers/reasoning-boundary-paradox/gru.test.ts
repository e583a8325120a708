import { describe, expect, it } from 'vitest';
import { useTempModelsDir } from '../../helpers';
import { checkConfig, runSeed, type Config } from '../../../src/papers/reasoning-boundary-paradox/gru';
import { likelihoodChange, safeLog } from '../../../src/papers/reasoning-boundary-paradox/likelihood';

describe('reasoning-boundary-paradox on the GRU base model', () => {
  it('likelihoodChange averages Δ log p by tercile of base likelihood and by group', () => {
    const pBase = [0.5, 0.01, 0.6, 0.02, 0.7, 0.03];
    const factor = [1.2, 0.5, 1.1, 0.25, 1.3, 2];
    const pFinal = pBase.map((p, i) => p * factor[i]);
    const r = likelihoodChange(pBase, pFinal, [0, 1, 0, 1, 0, 1]);
    // bottom third by base p: 0.01 and 0.02; top third: 0.6 and 0.7
    expect(r.low).toBeCloseTo((Math.log(0.5) + Math.log(0.25)) / 2, 12);
    expect(r.high).toBeCloseTo((Math.log(1.1) + Math.log(1.3)) / 2, 12);
    expect(r.all).toBeCloseTo(factor.reduce((s, f) => s + Math.log(f), 0) / 6, 12);
    expect(r.group1).toBeCloseTo((Math.log(0.5) + Math.log(0.25) + Math.log(2)) / 3, 12);
    expect(r.group0).toBeCloseTo((Math.log(1.2) + Math.log(1.1) + Math.log(1.3)) / 3, 12);
    expect(r.fracDown).toBeCloseTo(2 / 6, 12);
    expect(r.fracDownLow).toBe(1);
    // invariance: the change is scale-free in p (multiplying base and final by c leaves it unchanged)
    const r2 = likelihoodChange(
      pBase.map((p) => p / 10),
      pFinal.map((p) => p / 10),
    );
    for (let i = 0; i < 6; i++) expect(r2.d[i]).toBeCloseTo(r.d[i], 12);
    expect(Number.isNaN(r2.group0)).toBe(true);
  });

  it('safeLog stays finite at p = 0 and rejects mismatched lengths', () => {
    expect(Number.isFinite(safeLog(0))).toBe(true);
    expect(safeLog(0.25)).toBeCloseTo(Math.log(0.25), 15);
    expect(() => likelihoodChange([0.1, 0.2], [0.1])).toThrow(/2 base probabilities but 1 final/);
  });

  // A tiny base model in a temporary cache (the default model's cache key is computed from dist/, so
  // tests never touch data/models/).
  useTempModelsDir('rlmini-rlvr-boundary-gru-');
  const tiny: Config = {
    rl: {
      base: { hidden: 8, digits: [1, 2, 3], steps: 20, batch: 16, lr: 3e-3, seed: 1 },
      digits: [2, 3],
      nTrain: 9,
      nHeldOut: 9,
      steps: 2,
      batchPrompts: 4,
      groupSize: 4,
      lr: 1e-3,
      advantage: { kind: 'grpo' },
      aggregation: 'token-mean',
      evalEvery: 1,
      passKs: [1, 256],
    },
    methods: ['grpo', 'self'],
  };

  it('checks its config', () => {
    expect(() => checkConfig({ ...tiny, methods: [] })).toThrow(/methods must be/);
    expect(() => checkConfig({ ...tiny, rl: { ...tiny.rl, nTrain: 2 } })).toThrow(/nTrain must be an integer ≥ 3/);
  });

  it('one seed: both methods start from the same base model on the same problems, with exact pass@k', () => {
    const r = runSeed(tiny, 7);
    const lp = r.series!['base/train:logp'];
    expect(lp.length).toBe(9);
    // base pass@1 is the mean base success probability; pass@256 ≥ pass@1
    expect(r.metrics['base/train:pass@1']).toBeCloseTo(lp.reduce((s, v) => s + Math.exp(v), 0) / 9, 12);
    expect(r.metrics['base/train:pass@256']).toBeGreaterThanOrEqual(r.metrics['base/train:pass@1']);
    // Δlog p of the training problems agrees with the per-problem series
    for (const m of ['grpo', 'self']) {
      const d = r.series![`${m}/train:logp`].map((v, i) => v - lp[i]);
      expect(r.metrics[`${m}/train:dlogp:all`]).toBeCloseTo(d.reduce((s, v) => s + v, 0) / 9, 10);
      expect(r.metrics[`${m}/train:pass@1`]).toBeCloseTo(
        r.series![`${m}/train:logp`].reduce((s, v) => s + Math.exp(v), 0) / 9,
        10,
      );
    }
    expect(r.metrics['grpo/keptFraction']).toBe(1);
    expect(r.metrics['self/keptFraction']).toBeGreaterThanOrEqual(0);
    expect(r.metrics['self/keptFraction']).toBeLessThanOrEqual(1);
    expect(r.series!['self/curatedBatch'].length).toBe(2);
    const big = r.series!['all/train:bigDigits'];
    expect(big.every((v) => v === 0 || v === 1)).toBe(true);
  });
});
